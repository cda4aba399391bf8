import { randomBytes } from 'node:crypto';

/** 256 bits of randomness, base64url: form tokens, CSP nonces. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');
