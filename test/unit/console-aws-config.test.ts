import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type ConsoleAwsSettings,
  ConsoleSecretError,
  cognitoIssuerOf,
  consoleSettingsFromEnvironment,
  loadConsoleConfig,
  sessionKeyOf,
} from '#console/aws-config.ts';
import { consoleEnv } from '#console/aws-resources.ts';
import { encodeFootprintKeyFile, generateFootprintKey } from '#shared/adapters/crypto/footprint-key-file.ts';
import { generateSigningKey } from '#shared/adapters/jose/signing-keys.ts';
import { lambdaContext as gatewayContext, apiEvent as gatewayEvent } from '../support/api-event.ts';

// The events API Gateway sends, in the types of hono/aws-lambda (which spell a few optional fields differently).
const apiEvent = (...args: Parameters<typeof gatewayEvent>) =>
  gatewayEvent(...args) as unknown as LambdaEvent;
const lambdaContext = gatewayContext as unknown as LambdaContext;

// Only the SDK boundary is faked: every client the console builds sends through this mock.
const secrets = mockClient(SecretsManagerClient);

const clientSecretArn = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:pbx/dev/console/oidc-AbCdEf';
const sessionKeyArn = 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:pbx/dev/console/session-GhIjKl';
const sessionSecret = 'q'.repeat(20) + 'Zx9'.repeat(15);

const environment = {
  [consoleEnv.publicUrl]: 'https://console.pbx.example/',
  [consoleEnv.exchangeUrl]: 'https://api.pbx.example',
  [consoleEnv.userPoolId]: 'eu-west-2_AbC123dEf',
  [consoleEnv.clientId]: '4example5client6id',
  [consoleEnv.hostedDomain]: 'https://pbx-test-console.auth.eu-west-2.amazoncognito.com',
  [consoleEnv.clientSecretArn]: clientSecretArn,
  [consoleEnv.sessionKeySecretArn]: sessionKeyArn,
  [consoleEnv.secretsPrefix]: 'pbx/dev/console/',
};
const settings: ConsoleAwsSettings = consoleSettingsFromEnvironment(environment);

const notFound = () =>
  Object.assign(new Error('not found'), {
    name: 'ResourceNotFoundException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
const denied = () =>
  Object.assign(new Error('denied'), {
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
const timedOut = () => Object.assign(new Error('timed out'), { name: 'TimeoutError', $metadata: {} });

const readsOf = () => secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId);

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConsoleSecretError);
  return error as ConsoleSecretError;
};

beforeEach(() => {
  secrets.reset();
  secrets
    .on(GetSecretValueCommand, { SecretId: clientSecretArn })
    .resolves({ SecretString: 'the-app-client-secret' });
  secrets.on(GetSecretValueCommand, { SecretId: sessionKeyArn }).resolves({ SecretString: sessionSecret });
});

describe('the console environment in AWS', () => {
  it('names where everything is, and the issuer of the Cognito pool', () => {
    expect(settings).toEqual({
      publicUrl: 'https://console.pbx.example',
      exchangeUrl: 'https://api.pbx.example',
      userPoolId: 'eu-west-2_AbC123dEf',
      clientId: '4example5client6id',
      hostedDomain: 'https://pbx-test-console.auth.eu-west-2.amazoncognito.com',
      clientSecretArn,
      sessionKeySecretArn: sessionKeyArn,
      secretsPrefix: 'pbx/dev/console/',
    });
    expect(cognitoIssuerOf(settings.userPoolId)).toBe(
      'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbC123dEf',
    );
  });

  it('fails at cold start naming a missing or wrong variable, never its value', () => {
    const { [consoleEnv.sessionKeySecretArn]: _, ...missing } = environment;
    expect(() => consoleSettingsFromEnvironment(missing)).toThrow(consoleEnv.sessionKeySecretArn);
    const plainHttp = { ...environment, [consoleEnv.publicUrl]: 'http://console.pbx.example' };
    expect(() => consoleSettingsFromEnvironment(plainHttp)).toThrow(consoleEnv.publicUrl);
    expect(() => consoleSettingsFromEnvironment(plainHttp)).not.toThrow(/console\.pbx\.example/);
  });
});

describe('the session key', () => {
  it('is 32 bytes derived from the generated secret, one key per secret', () => {
    const key = sessionKeyOf(sessionSecret);
    expect(key.byteLength).toBe(32);
    expect(sessionKeyOf(sessionSecret)).toEqual(key);
    expect(sessionKeyOf(`${sessionSecret.slice(0, -1)}A`)).not.toEqual(key);
    // Not the secret's own characters: a derived key.
    expect(Buffer.from(key).toString('latin1')).not.toBe(sessionSecret.slice(0, 32));
  });

  it('refuses a secret of fewer than 256 bits', async () => {
    expect(() => sessionKeyOf('x'.repeat(42))).toThrow(ConsoleSecretError);
    secrets.on(GetSecretValueCommand, { SecretId: sessionKeyArn }).resolves({ SecretString: 'short' });
    expect((await rejection(loadConsoleConfig(settings))).code).toBe('SECRET_MALFORMED');
  });
});

describe('loading the console configuration', () => {
  it('reads the app client secret and session key from Secrets Manager, signs people in at the pool with secure cookies', async () => {
    const config = await loadConsoleConfig(settings);
    expect(readsOf().sort()).toEqual([clientSecretArn, sessionKeyArn].sort());
    expect(config.identity).toEqual({
      issuer: 'https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbC123dEf',
      clientId: '4example5client6id',
      clientSecret: 'the-app-client-secret',
      userClaim: 'custom:pbx_user',
      signOutUrl: 'https://pbx-test-console.auth.eu-west-2.amazoncognito.com/logout',
    });
    expect(config.secureCookies).toBe(true);
    expect(config.sessionKey).toEqual(sessionKeyOf(sessionSecret));
    expect(config.publicUrl).toBe('https://console.pbx.example');
    expect(config.exchangeUrl).toBe('https://api.pbx.example');
  });

  it('fails closed, naming the secret, when the app client secret is missing', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: clientSecretArn }).rejects(notFound());
    const error = await rejection(loadConsoleConfig(settings));
    expect(error.code).toBe('SECRET_MISSING');
    expect(error.message).toContain(clientSecretArn);
  });

  it('tells a secret it may not read, and one it could not read in time, from a missing one', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: clientSecretArn }).rejects(denied());
    expect((await rejection(loadConsoleConfig(settings))).code).toBe('SECRET_UNREADABLE');
    secrets.on(GetSecretValueCommand, { SecretId: clientSecretArn }).rejects(timedOut());
    expect((await rejection(loadConsoleConfig(settings))).code).toBe('SECRET_UNAVAILABLE');
    secrets.on(GetSecretValueCommand, { SecretId: clientSecretArn }).resolves({});
    expect((await rejection(loadConsoleConfig(settings))).code).toBe('SECRET_MALFORMED');
  });

  it('gives every SDK client it builds a request timeout', async () => {
    await loadConsoleConfig(settings);
    const [call] = secrets.send.getCalls();
    const client = call?.thisValue as SecretsManagerClient;
    expect(await client.config.maxAttempts()).toBe(2);
    const handler = client.config.requestHandler as unknown as {
      configProvider: Promise<{ requestTimeout?: number }>;
    };
    expect((await handler.configProvider).requestTimeout).toBe(600);
  });
});

describe('the organisations’ console client keys', () => {
  it('reads a client’s private JWK from its secret under the prefix, once per container', async () => {
    const jwk = await generateSigningKey('ES256');
    const name = 'pbx/dev/console/client-keys/lb-brent-console';
    secrets.on(GetSecretValueCommand, { SecretId: name }).resolves({ SecretString: JSON.stringify(jwk) });
    let now = new Date('2026-12-03T09:00:00Z');
    const config = await loadConsoleConfig(settings, { now: () => now, keyTtlMs: 60_000 });
    expect(await config.consoleKeys('lb-brent-console')).toEqual(jwk);
    expect(await config.consoleKeys('lb-brent-console')).toEqual(jwk);
    expect(readsOf().filter((id) => id === name)).toHaveLength(1);
    // After the cache period a rotated key is read again.
    now = new Date('2026-12-03T09:01:01Z');
    await config.consoleKeys('lb-brent-console');
    expect(readsOf().filter((id) => id === name)).toHaveLength(2);
  });

  it('fails closed with a clear error when a client has no key secret, and tries again next time', async () => {
    const name = 'pbx/dev/console/client-keys/lb-ealing-console';
    secrets.on(GetSecretValueCommand, { SecretId: name }).rejects(notFound());
    const config = await loadConsoleConfig(settings);
    const error = await rejection(config.consoleKeys('lb-ealing-console'));
    expect(error.code).toBe('SECRET_MISSING');
    expect(error.message).toBe(`secret ${name} does not exist`);
    await rejection(config.consoleKeys('lb-ealing-console'));
    expect(readsOf().filter((id) => id === name)).toHaveLength(2);
  });

  it('refuses a secret that is not a private signing JWK, without showing its content', async () => {
    const name = 'pbx/dev/console/client-keys/lb-brent-console';
    const { d: _, ...publicOnly } = await generateSigningKey('ES256');
    secrets
      .on(GetSecretValueCommand, { SecretId: name })
      .resolves({ SecretString: JSON.stringify(publicOnly) });
    const config = await loadConsoleConfig(settings);
    const error = await rejection(config.consoleKeys('lb-brent-console'));
    expect(error.code).toBe('SECRET_MALFORMED');
    expect(error.message).not.toContain(String(publicOnly.x));
    secrets.on(GetSecretValueCommand, { SecretId: name }).resolves({ SecretString: 'not json' });
    expect((await rejection((await loadConsoleConfig(settings)).consoleKeys('lb-brent-console'))).code).toBe(
      'SECRET_MALFORMED',
    );
  });

  it('never builds a secret name from anything but a registry id', async () => {
    const config = await loadConsoleConfig(settings);
    const before = readsOf().length;
    expect((await rejection(config.consoleKeys('../session'))).code).toBe('INVALID_SECRET_NAME');
    expect((await rejection(config.footprintKeys('x/../../other'))).code).toBe('INVALID_SECRET_NAME');
    expect(readsOf()).toHaveLength(before);
  });
});

describe('the footprint keys', () => {
  it('reads a footprint’s key from its secret (the key file’s JSON)', async () => {
    const footprintKey = generateFootprintKey('north-west-bcu');
    secrets
      .on(GetSecretValueCommand, { SecretId: 'pbx/dev/console/footprint-keys/north-west-bcu' })
      .resolves({ SecretString: encodeFootprintKeyFile(footprintKey, new Date()) });
    const config = await loadConsoleConfig(settings);
    expect(await config.footprintKeys('north-west-bcu')).toEqual(footprintKey);
  });

  it('refuses the key of another footprint, and a missing one, failing closed', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'pbx/dev/console/footprint-keys/north-west-bcu' })
      .resolves({ SecretString: encodeFootprintKeyFile(generateFootprintKey('south-bcu'), new Date()) });
    secrets
      .on(GetSecretValueCommand, { SecretId: 'pbx/dev/console/footprint-keys/east-bcu' })
      .rejects(notFound());
    const config = await loadConsoleConfig(settings);
    const wrong = await rejection(config.footprintKeys('north-west-bcu'));
    expect(wrong.code).toBe('SECRET_MALFORMED');
    expect(wrong.message).toMatch(/south-bcu, not north-west-bcu/);
    expect((await rejection(config.footprintKeys('east-bcu'))).code).toBe('SECRET_MISSING');
  });
});

describe('the console Lambda handler', () => {
  it('answers 503 while its secrets cannot be read, then serves pages once they can', async () => {
    Object.assign(process.env, environment);
    const { handler } = await import('#console/lambda.ts');
    const event = apiEvent('GET', '/signed-out', '$default');
    secrets.on(GetSecretValueCommand, { SecretId: sessionKeyArn }).rejects(timedOut());
    const refused = await handler(event, lambdaContext);
    expect(refused.statusCode).toBe(503);
    expect(refused.body).not.toMatch(/secret|arn:/i);

    secrets.on(GetSecretValueCommand, { SecretId: sessionKeyArn }).resolves({ SecretString: sessionSecret });
    const page = await handler(event, lambdaContext);
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('<h1');
    const served = await handler(apiEvent('GET', '/', '$default'), lambdaContext);
    expect(served.statusCode).toBe(303);
    expect(served.headers?.location).toBe('/sign-in?returnTo=%2F');
  });
});
