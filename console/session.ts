import { timingSafeEqual } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import * as z from 'zod';
import { randomToken } from './random-token.ts';

/** A signed-in person, as the console keeps them between pages: who they are, and the form token of the session. */
export const sessionSchema = z.object({
  userId: z.string(),
  displayName: z.string(),
  organisationId: z.string(),
  organisationName: z.string(),
  clientId: z.string(),
  roles: z.array(z.string()),
  /** The synchronizer token every form of this session carries (CSRF). */
  csrf: z.string(),
  /** The ID token, kept only to name the session at sign-out (id_token_hint). */
  idToken: z.string().optional(),
  signedInAt: z.number(),
  lastSeenAt: z.number(),
});
export type Session = z.infer<typeof sessionSchema>;

/** A sign-in in progress: what the callback must find again (state, nonce, PKCE verifier) and where to go next. */
export const signInSchema = z.object({
  state: z.string(),
  nonce: z.string(),
  codeVerifier: z.string(),
  returnTo: z.string(),
});
export type SignIn = z.infer<typeof signInSchema>;

/** No session outlives this, however active: a working day. */
export const sessionMaxSeconds = 12 * 60 * 60;
export const signInMaxSeconds = 10 * 60;

/**
 * Cookie values sealed with AES-256-GCM (a JWE with `dir`): the browser can neither read nor change them. Each
 * kind has its own audience, so a sign-in cookie is never taken for a session.
 */
export class CookieSeal {
  readonly #key: Uint8Array;
  constructor(key: Uint8Array) {
    if (key.byteLength !== 32) throw new TypeError('the session key must be 32 bytes');
    this.#key = key;
  }

  seal(kind: 'session' | 'sign-in', value: object, now: Date, lifetimeSeconds: number): Promise<string> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    return new EncryptJWT({ v: value })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setAudience(kind)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + lifetimeSeconds)
      .encrypt(this.#key);
  }

  /** The value, or undefined for anything missing, tampered with, expired or of another kind. */
  async open<T>(kind: 'session' | 'sign-in', sealed: string | undefined, schema: z.ZodType<T>, now: Date) {
    if (sealed === undefined || sealed === '') return undefined;
    try {
      const { payload } = await jwtDecrypt(sealed, this.#key, {
        audience: kind,
        currentDate: now,
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      const parsed = schema.safeParse(payload.v);
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}

/** The session, unless it has been idle too long (or has lasted longer than a working day). */
export const liveSession = (
  session: Session | undefined,
  now: Date,
  idleSeconds: number,
): Session | undefined => {
  if (session === undefined) return undefined;
  const at = now.getTime();
  if (at - session.lastSeenAt > idleSeconds * 1000) return undefined;
  if (at - session.signedInAt > sessionMaxSeconds * 1000) return undefined;
  return session;
};

/** The CSRF check of a form: the token it carries is the session's, compared in constant time. */
export const formTokenMatches = (session: Session, sent: unknown): boolean => {
  if (typeof sent !== 'string') return false;
  const expected = Buffer.from(session.csrf);
  const given = Buffer.from(sent);
  return expected.byteLength === given.byteLength && timingSafeEqual(expected, given);
};

export const newFormToken = (): string => randomToken();
