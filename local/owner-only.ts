import { chmod, lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

// Everything under the local data dir holds keys, the registry, audit entries and shares: folders 0700, files 0600,
// as the private keys always were. Node's `mkdir({ mode })` does nothing to a folder that exists, and neither
// DynamoDB Local (java, a child process) nor s3rver (in this process) takes a mode: both create with the umask.

const folderMode = 0o700;
const fileMode = 0o600;

/**
 * Makes `root` and everything under it owner-only: what an earlier start, an older version or a hand-made copy
 * left open. Symbolic links are left as they are (their mode means nothing; their target is not ours to change).
 */
export const restrictToOwner = async (root: string): Promise<void> => {
  const entry = await lstat(root);
  if (entry.isSymbolicLink()) return;
  if (entry.isDirectory()) {
    if ((entry.mode & 0o777) !== folderMode) await chmod(root, folderMode);
    for (const name of await readdir(root)) await restrictToOwner(join(root, name));
  } else if ((entry.mode & 0o777) !== fileMode) {
    await chmod(root, fileMode);
  }
};

let holders = 0;
let previousUmask: number | undefined;

/**
 * Sets the process umask to 077 while at least one local exchange runs in this process, so that what DynamoDB
 * Local (which inherits it when spawned) and s3rver create is owner-only from the start; returns the release.
 * Worker threads cannot change the umask: there the modes are fixed by `restrictToOwner` at start and stop only.
 */
export const holdOwnerOnlyUmask = (): (() => Promise<void>) => {
  if (!isMainThread) return async () => {};
  if (holders === 0) previousUmask = process.umask(0o077);
  holders += 1;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0 && previousUmask !== undefined) process.umask(previousUmask);
  };
};
