/**
 * Single-use request ids. `claim` succeeds for exactly one caller per (issuer, jti), however many race; the record
 * lives at least until `keepUntil` (epoch seconds), after which the token it guards has expired anyway.
 */
export type NonceStore = {
  claim(issuer: string, jti: string, keepUntil: number): Promise<'fresh' | 'replayed'>;
};
