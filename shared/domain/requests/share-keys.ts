import { createHash } from 'node:crypto';
import { ulid } from '../ids.ts';

/** Lower-case hex SHA-256 of payload bytes: what a release declares and what the exchange checks. */
export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Where a share's bytes are kept: `shares/<request>/<ulid>`, a key the exchange chooses, never the caller; the
 * functions may touch only `shares/*` objects (infra/constructs/app-function.ts).
 */
export const shareKey = (requestId: string, now: Date) => `shares/${requestId}/${ulid(now.getTime())}`;
