import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as z from 'zod';
import { publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { InputError } from '#shared/domain/errors.ts';
import {
  type ClientKey,
  clientKeySchema,
  type PublicJwk,
  parsePublicJwk,
  signingAlgorithms,
} from '#shared/domain/registry/client-key.ts';
import { keyRevocationReasons } from '#shared/domain/registry/manage-client-keys.ts';
import { CliError, usageError } from './cli-error.ts';
import { type CommandInput, errnoOf, type Io, parseInstant, printJson, showPath } from './command.ts';
import { connect, reach, successBody } from './connect.ts';

const describeKey = (key: ClientKey): string =>
  [
    key.kid,
    key.alg.padEnd(5),
    key.status.padEnd(7),
    `from ${key.notBefore}`,
    ...(key.notAfter === undefined ? [] : [`until ${key.notAfter}`]),
    ...(key.revokedAt === undefined ? [] : [`revoked ${key.revokedAt}`]),
  ].join('  ');

const privateJwkSchema = z.looseObject({
  kty: z.string(),
  d: z.string(),
  kid: z.string(),
  alg: z.enum(signingAlgorithms),
});

/**
 * The public key to register, from a file holding a public JWK or a private one. Only the public half ever
 * leaves this process: a private JWK is reduced to its public members before anything is sent.
 */
const readPublicJwk = async (io: Io, file: string): Promise<PublicJwk> => {
  const shown = showPath(io, file);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = errnoOf(error);
    throw new CliError(
      'LOCAL_INPUT',
      code === 'ENOENT'
        ? `no key file ${shown}`
        : code === undefined
          ? `${shown} is not JSON`
          : `cannot read ${shown} (${code})`,
    );
  }
  try {
    // `d` is the private member of EC and OKP keys; any other private material is refused by parsePublicJwk.
    if (typeof json === 'object' && json !== null && 'd' in json) {
      const parsed = privateJwkSchema.safeParse(json);
      if (!parsed.success) {
        throw new CliError(
          'LOCAL_INPUT',
          `${shown} holds private key material but is not a signing JWK with kid and alg`,
        );
      }
      return publicJwkOf(parsed.data);
    }
    return parsePublicJwk(json);
  } catch (error) {
    if (error instanceof InputError) {
      throw new CliError('LOCAL_INPUT', `${shown}: ${error.message}`, error.details ?? []);
    }
    throw error;
  }
};

export const runKeysList = async ({ values, io }: CommandInput): Promise<void> => {
  const { client, url, clientId } = await connect(values, io);
  const owner = values.client ?? clientId;
  const body = successBody(await reach(url, () => client.listKeys(owner)), values, io);
  if (values.json) return;
  const parsed = z.object({ keys: z.array(clientKeySchema) }).safeParse(body);
  if (!parsed.success) return printJson(io, body);
  const { keys } = parsed.data;
  const heading = `${owner} has ${keys.length} key${keys.length === 1 ? '' : 's'}${keys.length === 0 ? '' : ':'}`;
  io.stdout(`${[heading, ...keys.map((k) => `  ${describeKey(k)}`)].join('\n')}\n`);
};

export const runKeysAdd = async ({ values, io }: CommandInput): Promise<void> => {
  if (values.jwk === undefined) throw usageError('missing --jwk FILE: the key to register');
  const notBefore = parseInstant('not-before', values['not-before']);
  const notAfter = parseInstant('not-after', values['not-after']);
  const jwk = await readPublicJwk(io, resolve(io.cwd, values.jwk));
  const { client, url, clientId } = await connect(values, io);
  const owner = values.client ?? clientId;
  const response = await reach(url, () =>
    client.addKey(jwk, {
      clientId: owner,
      ...(notBefore === undefined ? {} : { notBefore }),
      ...(notAfter === undefined ? {} : { notAfter }),
    }),
  );
  const body = successBody(response, values, io);
  if (values.json) return;
  const parsed = z.object({ key: clientKeySchema }).safeParse(body);
  if (!parsed.success) return printJson(io, body);
  const { key } = parsed.data;
  io.stdout(
    `added key ${key.kid} (${key.alg}) to ${owner}, usable from ${key.notBefore}${key.notAfter === undefined ? '' : ` until ${key.notAfter}`}\n`,
  );
};

export const runKeysRevoke = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const [kid] = operands;
  if (kid === undefined) throw usageError('missing KID: the key to revoke (pbx keys list shows them)');
  const { client, url, clientId } = await connect(values, io);
  const owner = values.client ?? clientId;
  const reason = keyRevocationReasons.find((r) => r === values.reason);
  if (values.reason !== undefined && reason === undefined) {
    throw usageError(`--reason must be one of ${keyRevocationReasons.join(', ')}, not "${values.reason}"`);
  }
  const body = successBody(await reach(url, () => client.revokeKey(kid, owner, reason)), values, io);
  if (values.json) return;
  const parsed = z.object({ key: clientKeySchema }).safeParse(body);
  if (!parsed.success) return printJson(io, body);
  const { key } = parsed.data;
  io.stdout(
    `revoked key ${key.kid} of ${owner}${key.revokedAt === undefined ? '' : ` at ${key.revokedAt}`}\n`,
  );
};
