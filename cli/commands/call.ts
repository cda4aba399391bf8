import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliError, usageError } from './cli-error.ts';
import { type CommandInput, errnoOf, type Io, printJson, showPath } from './command.ts';
import { connect, reach, successBody } from './connect.ts';

const readBody = async (io: Io, file: string): Promise<Uint8Array> => {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk));
    return new Uint8Array(Buffer.concat(chunks));
  }
  const path = resolve(io.cwd, file);
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = errnoOf(error);
    throw new CliError(
      'LOCAL_INPUT',
      `cannot read the body from ${showPath(io, path)} (${code ?? String(error)})`,
    );
  }
};

/**
 * The path and query exactly as they will go on the wire: the signature binds them (`htu`), so they are
 * normalised the way the URL will be (percent-encoding, dot segments) before signing.
 */
const normalisePath = (path: string): string => {
  if (!path.startsWith('/')) throw usageError(`PATH must start with /, e.g. /v1/whoami, not "${path}"`);
  const url = new URL(path, 'http://pbx.invalid');
  return `${url.pathname}${url.search}`;
};

export const runCall = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const [method, path] = operands;
  if (method === undefined || path === undefined) {
    throw usageError('missing METHOD PATH, e.g. pbx call GET /v1/whoami --as lb-brent-system');
  }
  if (!/^[A-Za-z]+$/.test(method))
    throw usageError(`METHOD must be an HTTP method such as GET, not "${method}"`);
  const pathAndQuery = normalisePath(path);
  const { client, url } = await connect(values, io);
  const body = values.body === undefined ? undefined : await readBody(io, values.body);
  const response = await reach(url, () => client.call(method.toUpperCase(), pathAndQuery, body));
  const answer = successBody(response, values, io);
  if (values.json) return;
  io.stdout(`HTTP ${response.status}\n`);
  if (answer === undefined) return;
  if (typeof answer === 'string') io.stdout(`${answer}\n`);
  else printJson(io, answer);
};
