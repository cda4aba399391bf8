import { hkdfSync } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import { awsClientSettings, isUnavailable } from '#shared/adapters/aws-client-settings.ts';
import { parseFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import type { PrivateJwk } from '#shared/adapters/jose/signing-keys.ts';
import { signingAlgorithms } from '#shared/domain/registry/client-key.ts';
import { registryId } from '#shared/domain/registry/registry.ts';
import type { FootprintKey } from '#shared/domain/subjects/subject-reference.ts';
import { clientKeySecretName, consoleEnv, footprintKeySecretName, pbxUserClaim } from './aws-resources.ts';
import type { ConsoleConfig } from './config.ts';

/**
 * The console's configuration in AWS (console/lambda.ts): the environment names where everything is, Secrets
 * Manager holds every secret. The environment carries no secret value: the app client's secret, the session key,
 * the organisations' console client keys and the footprint keys are read from Secrets Manager, each with bounded
 * time (shared/adapters/aws-client-settings.ts), and a secret that is missing, unreadable or malformed fails
 * closed with an error naming the secret, never its content.
 */

export type ConsoleSecretErrorCode =
  | 'SECRET_MISSING'
  | 'SECRET_UNREADABLE'
  | 'SECRET_UNAVAILABLE'
  | 'SECRET_MALFORMED'
  | 'INVALID_SECRET_NAME';

export class ConsoleSecretError extends Error {
  constructor(
    readonly code: ConsoleSecretErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleSecretError';
  }
}

const httpsUrl = z.url({ protocol: /^https$/ }).transform((url) => url.replace(/\/+$/, ''));

const environmentSchema = z.object({
  [consoleEnv.publicUrl]: httpsUrl,
  [consoleEnv.exchangeUrl]: httpsUrl,
  // `<region>_<id>`: the pool's region is part of its id.
  [consoleEnv.userPoolId]: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d_[A-Za-z0-9]+$/),
  [consoleEnv.hostedDomain]: httpsUrl,
  [consoleEnv.clientId]: z.string().regex(/^[A-Za-z0-9]{1,128}$/),
  [consoleEnv.clientSecretArn]: z.string().startsWith('arn:'),
  [consoleEnv.sessionKeySecretArn]: z.string().startsWith('arn:'),
  [consoleEnv.secretsPrefix]: z.string().regex(/^[A-Za-z0-9/_+=.@-]+\/$/),
});

/** Where the console finds everything in AWS, read from the environment (no secret value in it). */
export type ConsoleAwsSettings = {
  readonly publicUrl: string;
  readonly exchangeUrl: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly hostedDomain: string;
  readonly clientSecretArn: string;
  readonly sessionKeySecretArn: string;
  readonly secretsPrefix: string;
};

/** Parses the environment once, at cold start; a missing or wrong variable is named (its value never is). */
export const consoleSettingsFromEnvironment = (env: NodeJS.ProcessEnv = process.env): ConsoleAwsSettings => {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))].sort();
    throw new Error(`pbx console configuration: missing or invalid environment variable ${names.join(', ')}`);
  }
  const e = parsed.data;
  return {
    publicUrl: e[consoleEnv.publicUrl],
    exchangeUrl: e[consoleEnv.exchangeUrl],
    userPoolId: e[consoleEnv.userPoolId],
    clientId: e[consoleEnv.clientId],
    hostedDomain: e[consoleEnv.hostedDomain],
    clientSecretArn: e[consoleEnv.clientSecretArn],
    sessionKeySecretArn: e[consoleEnv.sessionKeySecretArn],
    secretsPrefix: e[consoleEnv.secretsPrefix],
  };
};

/** The OpenID Connect issuer of a Cognito user pool. */
export const cognitoIssuerOf = (userPoolId: string): string => {
  const region = userPoolId.slice(0, userPoolId.indexOf('_'));
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
};

/**
 * The session cookie key from the generated secret. CloudFormation generates printable characters, not bytes: 64
 * alphanumeric characters carry about 381 bits, and HKDF-SHA-256 (RFC 5869) turns them into the 32-byte AES-256-GCM
 * key, bound to this one use. At least 43 characters (256 bits) are required.
 */
export const sessionKeyOf = (secret: string): Uint8Array => {
  if (!/^[\x21-\x7e]{43,}$/.test(secret)) {
    throw new ConsoleSecretError(
      'SECRET_MALFORMED',
      'the session key secret must be at least 43 printable characters',
    );
  }
  return new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), 'pbx-console-session-key-v1', 32));
};

const privateJwkSchema = z.looseObject({
  kty: z.enum(['EC', 'OKP']),
  crv: z.enum(['P-256', 'Ed25519']),
  x: z.string(),
  y: z.string().optional(),
  d: z.string().min(1),
  kid: z.string().min(1),
  alg: z.enum(signingAlgorithms),
});

/** Parses a console client's private JWK (the secret holds the JWK as `npm start` writes its key files). */
export const parseClientKeySecret = (text: string, secretName: string): PrivateJwk => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConsoleSecretError('SECRET_MALFORMED', `secret ${secretName} is not JSON`);
  }
  const parsed = privateJwkSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConsoleSecretError(
      'SECRET_MALFORMED',
      `secret ${secretName} is not a private signing JWK with kid and alg (ES256 or EdDSA)`,
    );
  }
  return parsed.data as PrivateJwk;
};

/** Parses a footprint key secret (the footprint key file's JSON), refusing a key of another footprint. */
export const parseFootprintKeySecret = (
  text: string,
  secretName: string,
  footprintId: string,
): FootprintKey => {
  let footprintKey: FootprintKey;
  try {
    footprintKey = parseFootprintKeyFile(text, `secret ${secretName}`);
  } catch (error) {
    throw new ConsoleSecretError('SECRET_MALFORMED', (error as Error).message);
  }
  if (footprintKey.footprintId !== footprintId) {
    throw new ConsoleSecretError(
      'SECRET_MALFORMED',
      `secret ${secretName} holds the key of footprint ${footprintKey.footprintId}, not ${footprintId}`,
    );
  }
  return footprintKey;
};

/** Reads one secret's string; every failure is a ConsoleSecretError naming the secret. */
export const readSecretString = async (client: SecretsManagerClient, secretId: string): Promise<string> => {
  let value: string | undefined;
  try {
    ({ SecretString: value } = await client.send(new GetSecretValueCommand({ SecretId: secretId })));
  } catch (error) {
    const name = (error as Error)?.name;
    if (name === 'ResourceNotFoundException')
      throw new ConsoleSecretError('SECRET_MISSING', `secret ${secretId} does not exist`);
    if (isUnavailable(error))
      throw new ConsoleSecretError('SECRET_UNAVAILABLE', `secret ${secretId} could not be read in time`);
    throw new ConsoleSecretError('SECRET_UNREADABLE', `secret ${secretId} cannot be read (${name})`);
  }
  if (value === undefined || value === '')
    throw new ConsoleSecretError('SECRET_MALFORMED', `secret ${secretId} has no string value`);
  return value;
};

/**
 * A per-container cache of keys: one read per key and `ttlMs` (a rotated key is picked up without a redeploy);
 * a failed read is not kept, so the next page tries again.
 */
export const cachedBy = <V>(
  load: (id: string) => Promise<V>,
  ttlMs: number,
  now: () => number = Date.now,
): ((id: string) => Promise<V>) => {
  const cache = new Map<string, { readonly value: Promise<V>; readonly at: number }>();
  return (id) => {
    const at = now();
    const hit = cache.get(id);
    if (hit !== undefined && at - hit.at < ttlMs) return hit.value;
    const value = load(id);
    cache.set(id, { value, at });
    value.catch(() => {
      if (cache.get(id)?.value === value) cache.delete(id);
    });
    return value;
  };
};

/** A registry id only: a name taken from a token or a URL never makes another secret's name. */
const checkedId = (id: string, what: string): string => {
  if (!registryId.safeParse(id).success)
    throw new ConsoleSecretError('INVALID_SECRET_NAME', `${what} is not a registry id`);
  return id;
};

export type ConsoleAwsOptions = {
  readonly secrets?: SecretsManagerClient;
  /** How long a client or footprint key is kept before it is read again; default 15 minutes. */
  readonly keyTtlMs?: number;
  readonly now?: () => Date;
};

/**
 * The console's configuration in AWS: the app client's secret and the session key are read now (cold start), the
 * organisations' keys on first use, each then cached for the container.
 */
export const loadConsoleConfig = async (
  settings: ConsoleAwsSettings,
  options: ConsoleAwsOptions = {},
): Promise<ConsoleConfig> => {
  const client = options.secrets ?? new SecretsManagerClient({ ...awsClientSettings });
  const ttl = options.keyTtlMs ?? 15 * 60 * 1000;
  const clock = options.now ?? (() => new Date());
  const [clientSecret, sessionSecret] = await Promise.all([
    readSecretString(client, settings.clientSecretArn),
    readSecretString(client, settings.sessionKeySecretArn),
  ]);
  const consoleKeys = cachedBy(
    async (clientId) => {
      const name = clientKeySecretName(settings.secretsPrefix, checkedId(clientId, 'the console client id'));
      return parseClientKeySecret(await readSecretString(client, name), name);
    },
    ttl,
    () => clock().getTime(),
  );
  const footprintKeys = cachedBy(
    async (footprintId) => {
      const name = footprintKeySecretName(settings.secretsPrefix, checkedId(footprintId, 'the footprint id'));
      return parseFootprintKeySecret(await readSecretString(client, name), name, footprintId);
    },
    ttl,
    () => clock().getTime(),
  );
  return {
    publicUrl: settings.publicUrl,
    exchangeUrl: settings.exchangeUrl,
    identity: {
      issuer: cognitoIssuerOf(settings.userPoolId),
      clientId: settings.clientId,
      clientSecret,
      userClaim: pbxUserClaim,
      // Cognito publishes no end_session_endpoint: its hosted /logout takes client_id and logout_uri instead.
      signOutUrl: new URL('/logout', settings.hostedDomain).toString(),
    },
    sessionKey: sessionKeyOf(sessionSecret),
    secureCookies: true,
    consoleKeys,
    footprintKeys,
    ...(options.now === undefined ? {} : { now: options.now }),
  };
};
