import { createHash } from 'node:crypto';

/**
 * A share's bytes as every client moves them (the CLI from files, the console from a form): their SHA-256, the
 * presigned PUT that uploads them, and the check of downloaded bytes against what the exchange recorded.
 */

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** What an S3-style error body says, in one short line. */
export const describeStorageError = (text: string): string => {
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1];
  const shown = [code, message].filter((s) => s !== undefined).join(': ');
  return shown === '' ? text.replace(/\s+/g, ' ').trim().slice(0, 200) : shown;
};

export type ExpectedBytes = { readonly sha256: string; readonly size: number };

/** Why bytes are not the share the exchange recorded at release, or undefined when they are. */
export const bytesProblem = (
  bytes: Uint8Array,
  expected: ExpectedBytes,
): { readonly fault: 'size' | 'sha256'; readonly sha256: string } | undefined => {
  const sha256 = sha256Hex(bytes);
  if (bytes.byteLength !== expected.size) return { fault: 'size', sha256 };
  if (sha256 !== expected.sha256) return { fault: 'sha256', sha256 };
  return undefined;
};

/**
 * Sends bytes to a presigned PUT URL with the headers the exchange named (its content type is part of the
 * signature). The URL is a bearer credential: it is never shown or logged. Answers the storage's refusal in one
 * line, or undefined when the bytes were stored.
 */
export const putToUpload = async (
  upload: { readonly url: string; readonly headers: Readonly<Record<string, string>> },
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<string | undefined> => {
  const response = await fetch(upload.url, {
    method: 'PUT',
    headers: { ...upload.headers, 'content-length': String(bytes.byteLength) },
    body: bytes as Uint8Array<ArrayBuffer>,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (response.ok) return undefined;
  return `HTTP ${response.status}${text === '' ? '' : ` ${describeStorageError(text)}`}`;
};
