import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { PbxClient } from '#client/pbx-client.ts';
import { createStaticFiles } from './assets.ts';
import { type ConsoleConfig, consoleClientOf } from './config.ts';
import type { ConsoleEnv } from './context.ts';
import { IdentityProvider, SignInError } from './identity.ts';
import { navigationItems } from './navigation.ts';
import { registerPages } from './pages/index.ts';
import { explain, refusalOf } from './plain-english.ts';
import { randomToken } from './random-token.ts';
import { createRenderer } from './render.ts';
import {
  CookieSeal,
  formTokenMatches,
  liveSession,
  newFormToken,
  type Session,
  sessionMaxSeconds,
  sessionSchema,
  signInMaxSeconds,
  signInSchema,
} from './session.ts';

const sessionCookie = 'pbx_session';
const signInCookie = 'pbx_sign_in';

/** Only a local path may be a place to return to after sign-in: never another site. */
const localPath = (value: string | undefined): string =>
  value?.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';

/**
 * The console: a backend-for-frontend that renders GOV.UK Frontend pages and acts only through the exchange's
 * signed API, as the signed-in person (`sub`) through their organisation's console client. It holds no data of its
 * own: the session cookie is sealed and names the person; everything else is asked of the exchange at each page.
 */
export const createConsole = (config: ConsoleConfig) => {
  const now = config.now ?? (() => new Date());
  const idleSeconds = config.idleTimeoutSeconds ?? 30 * 60;
  const timeoutMs = config.timeoutMs ?? 10_000;
  const seal = new CookieSeal(config.sessionKey);
  const identity = new IdentityProvider(config.identity, config.publicUrl, timeoutMs);
  const render = createRenderer();
  const staticFile = createStaticFiles();
  // Sign-out is a form whose answer redirects to the provider: form-action must allow where it goes.
  const identityOrigins = [
    ...new Set(
      [config.identity.issuer, config.identity.signOutUrl ?? config.identity.issuer].map(
        (u) => new URL(u).origin,
      ),
    ),
  ].join(' ');
  const cookieOptions = {
    httpOnly: true,
    secure: config.secureCookies,
    sameSite: 'Lax' as const,
    path: '/',
  };
  const clientFor = (session: Pick<Session, 'clientId' | 'userId'>, audience: string | undefined) =>
    config.consoleKeys(session.clientId).then(
      (key) =>
        new PbxClient({
          url: config.exchangeUrl,
          clientId: session.clientId,
          key,
          subject: session.userId,
          timeoutMs,
          ...(audience === undefined ? {} : { audience }),
        }),
    );
  let exchangeId: string | undefined;

  const app = new Hono<ConsoleEnv>();

  // Security headers on every answer; a fresh nonce for the template's one inline script.
  app.use('*', async (c, next) => {
    const nonce = randomToken(16);
    c.set('nonce', nonce);
    await next();
    c.header(
      'content-security-policy',
      [
        "default-src 'none'",
        `script-src 'self' 'nonce-${nonce}'`,
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        `form-action 'self' ${identityOrigins}`,
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].join('; '),
    );
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('x-frame-options', 'DENY');
    c.header('cross-origin-opener-policy', 'same-origin');
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  });

  app.get('/assets/*', serveStatic);
  app.get('/govuk/*', serveStatic);
  app.get('/console/*', serveStatic);
  async function serveStatic(c: import('hono').Context<ConsoleEnv>) {
    const file = await staticFile(c.req.path);
    if (file === undefined) return c.notFound();
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': file.contentType,
      'cache-control': 'public, max-age=3600',
    });
  }

  // The session (if any, and not idle too long) and the page renderer.
  app.use('*', async (c, next) => {
    const at = now();
    const opened = await seal.open('session', getCookie(c, sessionCookie), sessionSchema, at);
    const session = liveSession(opened, at, idleSeconds);
    c.set('session', session);
    c.set('page', (view, context = {}, status = 200) => {
      const current = c.get('session');
      return c.html(
        render(view, {
          ...context,
          cspNonce: c.get('nonce'),
          currentPath: c.req.path,
          user: current,
          csrfToken: current?.csrf,
          navigation: current === undefined ? [] : navigationItems(current.roles, c.req.path),
        }),
        status as 200,
      );
    });
    await next();
    // A session used now is kept for another idle period (rolling), unless this answer ended it.
    const kept = c.get('session');
    if (kept !== undefined) {
      const refreshed = { ...kept, lastSeenAt: at.getTime() };
      setCookie(
        c,
        sessionCookie,
        await seal.seal('session', refreshed, at, sessionMaxSeconds),
        cookieOptions,
      );
    } else if (opened !== undefined) {
      setCookie(c, sessionCookie, '', { ...cookieOptions, maxAge: 0 });
    }
  });

  app.get('/sign-in', async (c) => {
    try {
      const { url, signIn } = await identity.startSignIn(localPath(c.req.query('returnTo')));
      setCookie(c, signInCookie, await seal.seal('sign-in', signIn, now(), signInMaxSeconds), {
        ...cookieOptions,
        maxAge: signInMaxSeconds,
      });
      return c.redirect(url.toString(), 303);
    } catch (error) {
      return signInProblem(c, error);
    }
  });

  app.get('/auth/callback', async (c) => {
    const signIn = await seal.open('sign-in', getCookie(c, signInCookie), signInSchema, now());
    setCookie(c, signInCookie, '', { ...cookieOptions, maxAge: 0 });
    if (signIn === undefined) return c.redirect('/sign-in', 303);
    try {
      const { userId, idToken } = await identity.finishSignIn(
        new URL(c.req.url.replace(/^[^?]*/, new URL('/auth/callback', config.publicUrl).toString())),
        signIn,
      );
      const organisationId = userId.split('.')[0] ?? '';
      const candidate = { clientId: consoleClientOf(organisationId), userId };
      const exchange = await clientFor(candidate, exchangeId);
      exchangeId ??= await exchange.audience();
      // The exchange says who this is: a user of the console client's organisation, with their roles.
      const whoami = await exchange.whoami();
      if (whoami.status !== 200 || whoami.body.user === null) {
        const { summary, reasons } = explain(refusalOf(whoami));
        return c.get('page')('sign-in-problem.njk', { summary, reasons }, 403);
      }
      const at = now().getTime();
      c.set('session', {
        userId,
        displayName: whoami.body.user.displayName,
        organisationId: whoami.body.organisation.id,
        organisationName: whoami.body.organisation.name,
        clientId: candidate.clientId,
        roles: whoami.body.user.roles,
        csrf: newFormToken(),
        idToken,
        signedInAt: at,
        lastSeenAt: at,
      });
      return c.redirect(signIn.returnTo, 303);
    } catch (error) {
      return signInProblem(c, error);
    }
  });

  const signInProblem = (c: import('hono').Context<ConsoleEnv>, error: unknown) => {
    console.error(
      'console: sign-in failed',
      error instanceof SignInError ? error.reason : (error as Error)?.name,
    );
    const summary =
      error instanceof SignInError && error.reason === 'provider-unavailable'
        ? 'The sign-in service is not available at the moment. Try again later.'
        : 'We could not sign you in. Try again, and if it happens again ask your IG lead.';
    return c.get('page')('sign-in-problem.njk', { summary, reasons: [] }, 503);
  };

  app.get('/signed-out', (c) => c.get('page')('signed-out.njk'));
  // How to verify an evidence pack offline: instructions for anyone handed a pack, signed in or not.
  app.get('/help/verify-evidence', (c) => c.get('page')('audit/verify-evidence.njk'));

  // Everything below needs a session: a page asks the person to sign in, anything else is refused.
  app.use('*', async (c, next) => {
    const session = c.get('session');
    if (session === undefined) {
      if (c.req.method === 'GET') {
        return c.redirect(`/sign-in?returnTo=${encodeURIComponent(c.req.path)}`, 303);
      }
      return c.get('page')('session-ended.njk', {}, 401);
    }
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      if (!formTokenMatches(session, form.csrf)) return c.get('page')('session-ended.njk', {}, 403);
    }
    const exchange = await clientFor(session, exchangeId);
    exchangeId ??= await exchange.audience();
    c.set('exchange', exchange);
    c.set('footprintKeys', config.footprintKeys);
    return next();
  });

  app.post('/sign-out', async (c) => {
    const session = c.get('session');
    c.set('session', undefined);
    const after = new URL('/signed-out', config.publicUrl).toString();
    const url = await identity.signOutUrl(session?.idToken, after);
    return c.redirect(url?.toString() ?? after, 303);
  });

  registerPages(app);

  // A static file that is not there has no page renderer yet: it gets a plain answer.
  app.notFound((c) => c.get('page')?.('not-found.njk', {}, 404) ?? c.text('Not found', 404));
  app.onError((error, c) => {
    console.error('console: page failed', error.name);
    return (
      c.get('page')?.('problem.njk', {}, 500) ?? c.text('Sorry, there is a problem with the service', 500)
    );
  });
  return app;
};
