import { mkdir } from 'node:fs/promises';
import S3rver from 's3rver';

export type RunningS3Local = { readonly endpoint: string; stop(): Promise<void> };

/**
 * Starts the S3-compatible emulator in this process, storing objects under `directory`. It ignores SSE, checksums,
 * versioning and object lock (see ../shared/notes/local-stack.md): the exchange verifies digests itself and
 * enforces write-once in code where the AWS bucket enforces it with Object Lock.
 */
export const startS3Local = async (options: { port: number; directory: string }): Promise<RunningS3Local> => {
  await mkdir(options.directory, { recursive: true, mode: 0o700 });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    directory: options.directory,
    silent: true,
  });
  const address = await server.run();
  return { endpoint: `http://127.0.0.1:${address.port}`, stop: () => server.close() };
};
