import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import {
  AnswerOutsideContract,
  localKeyFile,
  PbxClient,
  type PbxResponse,
  readPrivateKey,
} from '#client/pbx-client.ts';
import { noteVerifierFromKey } from '#shared/adapters/crypto/note-keys.ts';
import type { PrivateJwk } from '#shared/adapters/jose/signing-keys.ts';
import type { NoteVerifier } from '#shared/domain/audit/signed-note.ts';
import { CliError, usageError } from './cli-error.ts';
import { defaultUrl, envValue, errnoOf, type Io, type OptionValues, printJson, showPath } from './command.ts';

const timeoutSeconds = 30;

export type Connection = {
  readonly client: PbxClient;
  readonly url: string;
  readonly clientId: string;
  readonly key: PrivateJwk;
};

const exchangeUrl = (io: Io, values: OptionValues): string => {
  const url = values.url ?? envValue(io, 'PBX_URL') ?? defaultUrl;
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
    throw usageError(`--url (or PBX_URL) must be an http or https URL, not "${url}"`);
  }
  return url;
};

const readSigningKey = async (
  io: Io,
  file: string,
  clientId: string,
  /** What chose the keys dir; undefined when --key named the file. */
  keysFrom: string | undefined,
): Promise<PrivateJwk> => {
  try {
    return await readPrivateKey(file);
  } catch (error) {
    const shown = showPath(io, file);
    switch (errnoOf(error)) {
      case 'ENOENT':
        // Where it looked, in full: a relative path says nothing to someone in another folder.
        throw new CliError(
          'LOCAL_INPUT',
          keysFrom === undefined
            ? `no key file ${file}`
            : `no private key for ${clientId}: looked for ${file} (keys dir from ${keysFrom}); run \`npm start\` first (it writes one per client), or pass --key FILE or --keys DIR, or set $PBX_HOME (keys in $PBX_HOME/keys)`,
        );
      case 'EACCES':
        throw new CliError('LOCAL_INPUT', `cannot read ${shown}: permission denied`);
      case 'EISDIR':
        throw new CliError('LOCAL_INPUT', `${shown} is a directory, not a key file`);
      default:
        throw new CliError(
          'LOCAL_INPUT',
          `${shown} is not a private signing JWK with kid and alg (ES256 or EdDSA)`,
        );
    }
  }
};

/** `fetch` that gives up instead of hanging on an exchange that accepts the connection but never answers. */
const timedFetch: typeof fetch = (input, init) =>
  fetch(input, { ...init, signal: AbortSignal.timeout(timeoutSeconds * 1000) });

/** Runs a request, turning "nobody answered" into one line that names the URL tried. */
export const reach = async <T>(url: string, request: () => Promise<T>): Promise<T> => {
  try {
    return await request();
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      throw new CliError(
        'EXCHANGE_UNREACHABLE',
        `the exchange at ${url} did not answer within ${timeoutSeconds} s`,
      );
    }
    if (error instanceof AnswerOutsideContract) {
      throw new CliError(
        'UNTRUSTED_ANSWER',
        "the exchange's answer is not one this client can read",
        error.problems.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`),
      );
    }
    if (error instanceof TypeError && error.message === 'fetch failed') {
      const reason = errnoOf(error.cause) ?? (error.cause instanceof Error ? error.cause.message : undefined);
      throw new CliError(
        'EXCHANGE_UNREACHABLE',
        `cannot reach the exchange at ${url}${reason === undefined ? '' : ` (${reason})`}; is it running? Start it with \`npm start\`, or point --url or PBX_URL at it`,
      );
    }
    throw error;
  }
};

const discoverySchema = z.object({ exchangeId: z.string().min(1) });

/** The repository this pbx belongs to: `npm start` keeps its data in its `.local`, whatever the cwd. */
const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The keys dir and what chose it: --keys, else $PBX_KEYS_DIR, else $PBX_HOME/keys, else `.local/keys` of the
 * repository pbx belongs to (where `npm start` writes them), so that pbx finds them from any folder. Relative
 * values are taken from the cwd.
 */
export const keysDirFrom = (
  values: OptionValues,
  io: Io,
): { readonly dir: string; readonly from: string } => {
  if (values.keys !== undefined) return { dir: resolve(io.cwd, values.keys), from: '--keys' };
  const keysDir = envValue(io, 'PBX_KEYS_DIR');
  if (keysDir !== undefined) return { dir: resolve(io.cwd, keysDir), from: '$PBX_KEYS_DIR' };
  const home = envValue(io, 'PBX_HOME');
  if (home !== undefined) return { dir: join(resolve(io.cwd, home), 'keys'), from: '$PBX_HOME/keys' };
  return { dir: join(repositoryRoot, '.local', 'keys'), from: 'the default; set $PBX_HOME to use another' };
};

export const keysDirOf = (values: OptionValues, io: Io): string => keysDirFrom(values, io).dir;

/**
 * Everything a signed command needs: the exchange's URL and id (`aud`, from discovery), the client id (`iss`)
 * and its private key, and the user it acts for (`sub`), from the options, then the environment, then defaults.
 */
export const connect = async (values: OptionValues, io: Io): Promise<Connection> => {
  const url = exchangeUrl(io, values);
  const clientId = values.as;
  if (clientId === undefined || clientId === '') {
    throw usageError(
      'missing --as <client-id>: the client that signs the request (e.g. --as lb-brent-system)',
    );
  }
  const keys = keysDirFrom(values, io);
  const keyFile = resolve(io.cwd, values.key ?? localKeyFile(keys.dir, clientId));
  const key = await readSigningKey(io, keyFile, clientId, values.key === undefined ? keys.from : undefined);
  // `--sub ''` acts for nobody even when PBX_SUB is set.
  const subject = values.sub === undefined ? envValue(io, 'PBX_SUB') : values.sub || undefined;
  const options = { url, clientId, key, fetch: timedFetch, ...(subject === undefined ? {} : { subject }) };

  const discovery = await reach(url, () => new PbxClient(options).discovery());
  const parsed = discoverySchema.safeParse(discovery.body);
  if (discovery.status !== 200 || !parsed.success) {
    throw new CliError(
      'EXCHANGE_UNREACHABLE',
      `${url} did not answer /.well-known/pbx-exchange as a pbx exchange does (HTTP ${discovery.status}); check --url or PBX_URL`,
    );
  }
  return { client: new PbxClient({ ...options, audience: parsed.data.exchangeId }), url, clientId, key };
};

const errorBodySchema = z.object({
  error: z.string(),
  message: z.string(),
  details: z.array(z.string()).optional(),
});

const isSuccess = (status: number) => status >= 200 && status < 300;

/** The exchange's refusal as one line (`HTTP 401 UNKNOWN_KEY: …`), its details under it. */
const refusalOf = (response: PbxResponse): CliError => {
  const parsed = errorBodySchema.safeParse(response.body);
  if (parsed.success) {
    const { error, message, details = [] } = parsed.data;
    return new CliError('EXCHANGE_REFUSED', `HTTP ${response.status} ${error}: ${message}`, details);
  }
  const text = (typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? ''))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
  return new CliError('EXCHANGE_REFUSED', `HTTP ${response.status}${text === '' ? '' : `: ${text}`}`);
};

/**
 * The body of a 2xx answer; anything else throws the exchange's refusal. With --json the body is printed as it
 * came either way, so scripts see the exchange's own error object.
 */
export const successBody = <T>(response: PbxResponse<T>, values: OptionValues, io: Io): T => {
  if (values.json && response.body !== undefined) printJson(io, response.body);
  if (!isSuccess(response.status)) throw refusalOf(response);
  return response.body;
};

const auditDiscoverySchema = z.looseObject({
  audit: z.object({ origin: z.string().min(1), checkpointKey: z.string().min(1) }),
});

/** An answer from the exchange that does not have the form the protocol promises. */
export const untrusted = (message: string) => new CliError('UNTRUSTED_ANSWER', message);

/**
 * The audit log's origin and checkpoint key, as the exchange publishes them in discovery, with the key parsed into
 * a verifier: what `audit export` and `audit witness` check checkpoints against.
 */
export const fetchAuditTrust = async (
  connection: Pick<Connection, 'client' | 'url'>,
): Promise<{ origin: string; checkpointKey: string; verifier: NoteVerifier }> => {
  const discovery = auditDiscoverySchema.safeParse(
    (await reach(connection.url, () => connection.client.discovery())).body,
  );
  if (!discovery.success) {
    throw untrusted('the exchange does not publish its audit log (no audit in /.well-known/pbx-exchange)');
  }
  const { origin, checkpointKey } = discovery.data.audit;
  try {
    return { origin, checkpointKey, verifier: noteVerifierFromKey(checkpointKey) };
  } catch {
    throw untrusted('the exchange publishes a checkpoint key that is not a note verifier key');
  }
};
