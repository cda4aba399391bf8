import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleStack,
  expectAccessible,
  screenshot,
  signIn,
  startConsoleStack,
  visit,
} from './support/console-stack.ts';

let stack: ConsoleStack;
beforeAll(async () => {
  stack = await startConsoleStack({ console: { idleTimeoutSeconds: 3 } });
});
afterAll(() => stack?.stop());

describe('signing in and out of the console', () => {
  it('sends a person without a session to the identity provider, and back to the page they asked for', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner', '/requests');
    expect(new URL(page.url()).pathname).toMatch(/^\/requests/);
    await visit(page, '/');
    expect(await page.locator('h1').innerText()).toBe('London Borough of Brent');
    await screenshot(page, 'home');
    // A practitioner sees requests, not the IG sections.
    const sections = await page.locator('.govuk-service-navigation__item').allInnerTexts();
    expect(sections.map((s) => s.trim())).toEqual(['Requests']);
    await context.close();
  });

  it('lets anyone handed an evidence pack read how to verify it, without signing in', async () => {
    const { context, page } = await stack.newPerson();
    await visit(page, '/help/verify-evidence');
    expect(new URL(page.url()).pathname).toBe('/help/verify-evidence');
    expect(await page.locator('h1').innerText()).toBe('Verifying an evidence pack offline');
    await context.close();
  });

  it('shows each person only the sections of their roles', async () => {
    const seen: Record<string, string[]> = {};
    for (const userId of ['lb-brent.ig-lead', 'brent-harrow-cdop.manager', 'pbx-operations.operator']) {
      const { context, page } = await stack.newPerson();
      await signIn(page, userId);
      seen[userId] = (await page.locator('.govuk-service-navigation__item').allInnerTexts()).map((s) =>
        s.trim(),
      );
      await context.close();
    }
    expect(seen).toEqual({
      'lb-brent.ig-lead': ['Requests', 'Audit', 'Agreements'],
      'brent-harrow-cdop.manager': ['Child death reviews'],
      'pbx-operations.operator': ['Audit'],
    });
  });

  it('keeps the session in a sealed, HttpOnly, SameSite cookie and serves pages under a strict CSP', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner');
    const cookie = (await context.cookies()).find((c) => c.name === 'pbx_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    // Sealed: the browser holds no readable identity (a JWE, five parts, nothing of the user id in clear).
    expect(cookie?.value.split('.')).toHaveLength(5);
    expect(cookie?.value).not.toContain('practitioner');
    const response = await page.request.get('/');
    const csp = response.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers()['cache-control']).toBe('no-store');
    await context.close();
  });

  it("refuses a form without the session's token (CSRF), and a tampered session cookie", async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner');
    const forged = await page.request.post('/sign-out', { form: { csrf: 'not-the-token' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    const missing = await page.request.post('/sign-out', { form: {}, maxRedirects: 0 });
    expect(missing.status()).toBe(403);
    // Still signed in: the forged forms did nothing.
    await visit(page, '/');
    const cookie = (await context.cookies()).find((c) => c.name === 'pbx_session');
    if (cookie === undefined) throw new Error('no session cookie');
    await context.addCookies([{ ...cookie, value: `${cookie.value.slice(0, -4)}AAAA` }]);
    const tampered = await page.request.get('/', { maxRedirects: 0 });
    expect(tampered.status()).toBe(303);
    expect(tampered.headers().location).toBe('/sign-in?returnTo=%2F');
    await context.close();
  });

  it('ends an idle session', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner');
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const response = await page.request.get('/', { maxRedirects: 0 });
    expect(response.status()).toBe(303);
    expect(response.headers().location).toMatch(/^\/sign-in/);
    await context.close();
  });

  it('signs out of the console and of the identity provider', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => url.pathname === '/signed-out');
    await expectAccessible(page);
    expect(await page.locator('h1').innerText()).toBe('You have signed out');
    // Nothing is left of the session: the next page asks to sign in again, at the identity provider.
    await page.goto('/');
    await expect.poll(() => page.url()).toContain('/interaction/');
    await context.close();
  });

  it('answers an unknown page with a page of its own', async () => {
    const { context, page } = await stack.newPerson();
    await signIn(page, 'lb-brent.practitioner');
    await visit(page, '/no-such-page', 404);
    expect(await page.locator('h1').innerText()).toBe('Page not found');
    await context.close();
  });
});
