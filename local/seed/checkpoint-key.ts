import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file of the local checkpoint key's secret, beside the clients' private keys. */
export const checkpointKeySecretFile = (keysDir: string): string => join(keysDir, 'checkpoint-key.secret');

/**
 * The local stand-in for the stateful stack's Secrets Manager secret: 32 random bytes (hex), generated on the first
 * start and kept, so the exchange signs with one checkpoint key across restarts over kept data.
 */
export const ensureCheckpointKeySecret = async (keysDir: string): Promise<string> => {
  const file = checkpointKeySecretFile(keysDir);
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code !== 'EEXIST') throw error;
  }
  return (await readFile(file, 'utf8')).trim();
};
