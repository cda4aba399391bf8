import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describeStorageError } from '#client/share-bytes.ts';
import { CliError } from './cli-error.ts';
import type { ByteProgress } from './progress.ts';

/**
 * Moving a share's bytes: hashing a file, streaming it to a presigned upload URL, and downloading a share into a
 * file that appears at its path only once its size and SHA-256 are verified.
 */

export { sha256Hex } from '#client/share-bytes.ts';

/** The SHA-256 (hex) and size of a file, read as a stream: a large payload is never held in memory whole. */
export const hashFile = async (path: string): Promise<{ sha256: string; size: number }> => {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).byteLength;
  }
  return { sha256: hash.digest('hex'), size };
};

/** Counts the bytes that pass, for a progress bar. */
const counting = (progress: ByteProgress) =>
  new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      progress.advance(chunk.byteLength);
      callback(null, chunk);
    },
  });

const readText = async (response: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * Streams the file to a presigned PUT URL with the headers the exchange named (its content type is part of the
 * signature) and the file's length. The URL is a bearer credential: it is never printed.
 */
export const uploadFile = async (
  path: string,
  size: number,
  upload: { url: string; headers: Record<string, string> },
  progress: ByteProgress,
): Promise<void> => {
  const url = new URL(upload.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const request = send(url, {
    method: 'PUT',
    headers: { ...upload.headers, 'content-length': String(size) },
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  try {
    const [response] = await Promise.all([
      answered,
      pipeline(createReadStream(path), counting(progress), request),
    ]);
    const status = response.statusCode ?? 0;
    const text = await readText(response);
    if (status < 200 || status >= 300) {
      throw new CliError(
        'EXCHANGE_REFUSED',
        `the upload URL refused the bytes: HTTP ${status}${text === '' ? '' : ` ${describeStorageError(text)}`}`,
        ['nothing was released; run the release again (it asks for a new upload URL)'],
      );
    }
  } catch (error) {
    progress.abort();
    request.destroy();
    if (error instanceof CliError) throw error;
    throw new CliError(
      'EXCHANGE_UNREACHABLE',
      `the upload to ${url.host} failed (${error instanceof Error ? error.message : String(error)})`,
      ['nothing was released; run the release again (it asks for a new upload URL)'],
    );
  }
  progress.done();
};

export type ExpectedBytes = { readonly sha256: string; readonly size: number };

/**
 * Writes `source` to `out`, but only if the bytes are what `expected` says: they go to a temporary file beside
 * `out` (created for this download, readable by the user only), hashed on the way, and the file is renamed into
 * place only once its size and SHA-256 match. On any failure the temporary file is removed, so `out` holds
 * either verified bytes or nothing new.
 */
export const writeVerified = async (
  source: AsyncIterable<Uint8Array>,
  out: string,
  expected: ExpectedBytes,
  progress?: ByteProgress,
): Promise<{ sha256: string; size: number }> => {
  const temporary = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.partial`);
  const file = await open(temporary, 'wx', 0o600);
  const hash = createHash('sha256');
  let size = 0;
  let placed = false;
  try {
    try {
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > expected.size) {
          throw new CliError(
            'UNTRUSTED_ANSWER',
            `the download is larger than the ${expected.size} bytes the exchange stated; nothing was written`,
          );
        }
        hash.update(chunk);
        await file.write(chunk);
        progress?.advance(chunk.byteLength);
      }
      await file.sync();
    } finally {
      await file.close();
    }
    const sha256 = hash.digest('hex');
    if (size !== expected.size) {
      throw new CliError(
        'UNTRUSTED_ANSWER',
        `the download has ${size} bytes, not the ${expected.size} the exchange stated; nothing was written`,
      );
    }
    if (sha256 !== expected.sha256) {
      throw new CliError(
        'UNTRUSTED_ANSWER',
        `the download has SHA-256 ${sha256}, not ${expected.sha256} as the exchange stated; nothing was written`,
      );
    }
    await rename(temporary, out);
    placed = true;
    progress?.done();
    return { sha256, size };
  } catch (error) {
    progress?.abort();
    throw error;
  } finally {
    if (!placed) await rm(temporary, { force: true });
  }
};
