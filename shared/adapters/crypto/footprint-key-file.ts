import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { registryId } from '../../domain/registry/registry.ts';
import { FOOTPRINT_KEY_BYTES, type FootprintKey } from '../../domain/subjects/subject-reference.ts';

/**
 * A footprint key on disk (docs/SUBJECT-REFERENCES.md, "Key custody"): held by each member organisation's system,
 * never by the exchange. The file names its footprint, so a key cannot be used for another footprint's references
 * by mistake:
 *
 *   { "type": "pbx-footprint-key", "version": 1, "footprintId": "north-west-bcu", "key": "<43 base64url chars>" }
 */

export type FootprintKeyFileErrorCode = 'MISSING' | 'UNREADABLE' | 'MALFORMED' | 'WRONG_FOOTPRINT';

export class FootprintKeyFileError extends Error {
  constructor(
    readonly code: FootprintKeyFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FootprintKeyFileError';
  }
}

const footprintKeyFileSchema = z.object({
  type: z.literal('pbx-footprint-key'),
  version: z.literal(1),
  footprintId: registryId,
  /** 32 bytes, unpadded base64url: 43 characters, the last carrying 4 bits and 2 zero bits. */
  key: z.string().regex(/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/),
  createdAt: z.iso.datetime().optional(),
});

/** Where a keys folder keeps a footprint's key: beside the clients' private JWKs (`<client-id>.jwk.json`). */
export const footprintKeyFileOf = (keysDir: string, footprintId: string): string =>
  join(keysDir, `${footprintId}.footprint-key.json`);

/** A new footprint key: 32 bytes from the operating system's CSPRNG. */
export const generateFootprintKey = (footprintId: string): FootprintKey => ({
  footprintId,
  key: new Uint8Array(randomBytes(FOOTPRINT_KEY_BYTES)),
});

export const encodeFootprintKeyFile = (footprintKey: FootprintKey, createdAt: Date): string =>
  `${JSON.stringify(
    {
      type: 'pbx-footprint-key',
      version: 1,
      footprintId: footprintKey.footprintId,
      key: Buffer.from(footprintKey.key).toString('base64url'),
      createdAt: createdAt.toISOString(),
    },
    null,
    2,
  )}\n`;

/** Parses a key file's text; names the file, never its content, when it is not a footprint key file. */
export const parseFootprintKeyFile = (text: string, shownAs: string): FootprintKey => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FootprintKeyFileError('MALFORMED', `${shownAs} is not JSON`);
  }
  const parsed = footprintKeyFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new FootprintKeyFileError(
      'MALFORMED',
      `${shownAs} is not a footprint key file (type pbx-footprint-key, version 1, footprintId, key: 32 bytes base64url)`,
    );
  }
  return {
    footprintId: parsed.data.footprintId,
    key: new Uint8Array(Buffer.from(parsed.data.key, 'base64url')),
  };
};

/**
 * Reads the key of `footprintId` from `file`. A file holding another footprint's key is refused: a reference
 * labelled with one footprint but keyed with another's would match nothing and mislead everyone who sees it.
 */
export const readFootprintKeyFile = async (
  file: string,
  footprintId: string,
  shownAs: string = file,
): Promise<FootprintKey> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FootprintKeyFileError(
      code === 'ENOENT' ? 'MISSING' : 'UNREADABLE',
      code === 'ENOENT' ? `${shownAs} does not exist` : `cannot read ${shownAs} (${code ?? String(error)})`,
    );
  }
  const footprintKey = parseFootprintKeyFile(text, shownAs);
  if (footprintKey.footprintId !== footprintId) {
    throw new FootprintKeyFileError(
      'WRONG_FOOTPRINT',
      `${shownAs} holds the key of footprint ${footprintKey.footprintId}, not ${footprintId}`,
    );
  }
  return footprintKey;
};

/**
 * Writes a new key file, readable by its owner only, and never over an existing one (`wx`): replacing a footprint
 * key silently would change every reference derived from then on. Resolves false when the file exists already.
 */
export const writeNewFootprintKeyFile = async (
  file: string,
  footprintKey: FootprintKey,
  createdAt: Date,
): Promise<boolean> => {
  try {
    await writeFile(file, encodeFootprintKeyFile(footprintKey, createdAt), { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
};
