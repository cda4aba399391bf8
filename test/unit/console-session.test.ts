import { describe, expect, it } from 'vitest';
import { navigationItems } from '#console/navigation.ts';
import { explain, refusalOf } from '#console/plain-english.ts';
import { formatDate } from '#console/render.ts';
import {
  CookieSeal,
  formTokenMatches,
  liveSession,
  type Session,
  sessionSchema,
  signInSchema,
} from '#console/session.ts';

const key = new Uint8Array(32).fill(7);
const at = new Date('2026-12-03T09:00:00Z');
const session: Session = {
  userId: 'lb-brent.practitioner',
  displayName: 'London Borough of Brent: practitioner',
  organisationId: 'lb-brent',
  organisationName: 'London Borough of Brent',
  clientId: 'lb-brent-console',
  roles: ['practitioner'],
  csrf: 'token-of-this-session',
  signedInAt: at.getTime(),
  lastSeenAt: at.getTime(),
};

describe('sealed cookies', () => {
  const seal = new CookieSeal(key);

  it('opens what it sealed, and nothing tampered with, expired, of another kind or another key', async () => {
    const sealed = await seal.seal('session', session, at, 60);
    expect(await seal.open('session', sealed, sessionSchema, at)).toEqual(session);
    expect(sealed).not.toContain('practitioner');
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}A`;
    expect(await seal.open('session', tampered, sessionSchema, at)).toBeUndefined();
    expect(
      await seal.open('session', sealed, sessionSchema, new Date(at.getTime() + 61_000)),
    ).toBeUndefined();
    expect(await seal.open('sign-in', sealed, signInSchema, at)).toBeUndefined();
    expect(
      await new CookieSeal(new Uint8Array(32).fill(8)).open('session', sealed, sessionSchema, at),
    ).toBeUndefined();
    expect(await seal.open('session', undefined, sessionSchema, at)).toBeUndefined();
    expect(await seal.open('session', 'not-a-jwe', sessionSchema, at)).toBeUndefined();
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new CookieSeal(new Uint8Array(16))).toThrow(TypeError);
  });
});

describe('session lifetime and form tokens', () => {
  it('ends a session idle longer than the timeout, or older than a working day however active', () => {
    expect(liveSession(session, new Date(at.getTime() + 29 * 60_000), 30 * 60)).toBe(session);
    expect(liveSession(session, new Date(at.getTime() + 31 * 60_000), 30 * 60)).toBeUndefined();
    const active = { ...session, lastSeenAt: at.getTime() + 13 * 3_600_000 };
    expect(liveSession(active, new Date(at.getTime() + 13 * 3_600_000), 30 * 60)).toBeUndefined();
  });

  it("accepts only the session's own form token", () => {
    expect(formTokenMatches(session, 'token-of-this-session')).toBe(true);
    expect(formTokenMatches(session, 'token-of-this-sessioN')).toBe(false);
    expect(formTokenMatches(session, 'short')).toBe(false);
    expect(formTokenMatches(session, undefined)).toBe(false);
    expect(formTokenMatches(session, ['token-of-this-session'])).toBe(false);
  });
});

describe('navigation by role', () => {
  it('shows each section only to the roles that use it, the current one marked', () => {
    expect(navigationItems(['practitioner'], '/requests/01J')).toEqual([
      { text: 'Requests', href: '/requests', active: true },
    ]);
    expect(navigationItems(['cdop-coordinator'], '/cdop').map((i) => i.text)).toEqual([
      'Child death reviews',
    ]);
    expect(navigationItems(['scrutineer'], '/').map((i) => i.text)).toEqual(['Audit', 'IG answers']);
  });
});

describe('refusals in plain English', () => {
  it("gives the headline of a known code and the exchange's reason and details as sentences", () => {
    const refusal = refusalOf({
      status: 403,
      body: {
        error: 'NOT_PERMITTED',
        message: 'only the responder of the request may do this',
        details: ['roles: practitioner'],
      },
    });
    expect(explain(refusal)).toEqual({
      summary: 'You do not have permission to do this.',
      reasons: ['Only the responder of the request may do this.', 'roles: practitioner'],
    });
  });

  it("does not trust the shape of an answer that is not the exchange's error body", () => {
    expect(refusalOf({ status: 502, body: '<html>bad gateway</html>' })).toEqual({
      status: 502,
      code: 'UNKNOWN',
      message: 'the exchange gave no reason',
      details: [],
    });
  });
});

describe('dates as GOV.UK writes them', () => {
  it('writes UK time, with the time when asked', () => {
    expect(formatDate('2026-07-01T23:30:00Z', false)).toBe('2 July 2026');
    expect(formatDate('2026-12-03T09:05:00Z', true)).toBe('3 December 2026 at 9:05am');
    expect(formatDate('2026-07-03T13:05:00Z', true)).toBe('3 July 2026 at 2:05pm');
    expect(formatDate(undefined, true)).toBe('');
  });
});
