import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalConsole } from './console.ts';
import { startExchange } from './exchange.ts';
import { LocalStackError } from './local-stack-error.ts';
import { registrySeed } from './seed/registry-seed.ts';

/**
 * `npm start`: the local exchange on PBX_PORT (default 8787), its data kept under .local/ in the project (or
 * PBX_DATA_DIR, else PBX_HOME, where `pbx` looks for its keys too) so that a second start finds it again.
 */
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const dataDir = resolve(process.env.PBX_DATA_DIR || process.env.PBX_HOME || resolve(projectRoot, '.local'));
const shown = (path: string) => relative(process.cwd(), path) || '.';

const parsePort = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new LocalStackError(`${name} must be a port number (0-65535), not "${value}"`);
  }
  return port;
};

/** The demo users a newcomer signs in as first, one per kind of work. */
const demoUsers = [
  ['lb-brent.practitioner', 'requests: inbox, outbox, a new request, decide, release, download'],
  ['brent-harrow-cdop.manager', 'child death reviews: cases, agencies, the panel pack, figures'],
  ['lb-brent.ig-lead', 'audit search, evidence packs, agreements'],
  ['lb-brent.scrutineer', "audit counts only, small numbers suppressed (Brent's scrutineer)"],
  ['pbx-operations.operator', 'the whole audit log'],
] as const;

const main = async () => {
  const started = performance.now();
  const exchange = await startExchange({
    dataDir,
    port: parsePort('PBX_PORT', 8787),
    onAccess: ({ method, path, status, ms }) => console.log(`${method} ${path} ${status} ${ms}ms`),
  });
  const console_ = await startLocalConsole({
    exchangeUrl: exchange.url,
    keysDir: exchange.keysDir,
    users: registrySeed.users,
    port: parsePort('PBX_CONSOLE_PORT', 8788),
    identityPort: parsePort('PBX_IDENTITY_PORT', 8789),
  });
  const { registry, keys, clients, agreements } = exchange.seeded;
  const anyClient = 'lb-brent-system';
  console.log(
    [
      `pbx local exchange "${exchange.exchangeId}" listening on ${exchange.url} (ready in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
      `  DynamoDB Local  ${exchange.dynamoEndpoint}   data in ${shown(resolve(dataDir, 'dynamodb'))}`,
      `  S3 emulator     ${exchange.s3Endpoint}   data in ${shown(resolve(dataDir, 's3'))}`,
      `  registry        ${registry.created} records created, ${registry.existing} kept`,
      `  client keys     ${clients} clients, ${keys.generated} keys generated, private JWKs in ${shown(exchange.keysDir)}/`,
      `  agreements      ${agreements.created} created, ${agreements.signatures} signatures added`,
      '',
      `pbx console listening on ${console_.url}`,
      `  sign in at the local identity provider (${console_.identityIssuer}): pick a demo user, no password. For example:`,
      ...demoUsers.map(([id, what]) => `    ${id.padEnd(28)}${what}`),
      '  every seeded organisation has the same users: <organisation>.practitioner, .ig-lead, .caldicott-guardian',
      '  (CDOP secretariats: .manager, .coordinator, .ig-lead)',
      '',
      'Try:',
      `  curl ${exchange.url}/v1/health`,
      `  curl ${exchange.url}/v1/registry`,
      `  curl ${exchange.url}/v1/openapi.json`,
      `  private key of one client: ${shown(resolve(exchange.keysDir, `${anyClient}.jwk.json`))}`,
      '',
      'Ctrl-C stops the console, the identity provider, the exchange, DynamoDB Local and the S3 emulator.',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local exchange…`);
    await console_.stop();
    await exchange.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
};

main().catch((error: unknown) => {
  if (error instanceof LocalStackError) {
    console.error(`pbx: ${error.message}`);
  } else if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    console.error('pbx: the port is in use (another npm start?); stop it or set PBX_PORT to another port');
  } else {
    console.error('pbx: the local exchange failed to start:', error);
  }
  process.exit(1);
});
