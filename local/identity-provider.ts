import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { createStaticFiles } from '#console/assets.ts';
import { createRenderer } from '#console/render.ts';
import type { User } from '#shared/domain/registry/registry.ts';

/** The console's registration with the local identity provider. */
export const localConsoleClientId = 'pbx-console';

export type LocalIdentityProviderOptions = {
  readonly port: number;
  readonly host: string;
  /** The console's origin: its callback and the page people return to after signing out. */
  readonly consoleUrl: string;
  /** The people who may sign in: the registry's users (the demo users under npm start). */
  readonly users: readonly User[];
  readonly clientSecret: string;
};

export type RunningIdentityProvider = {
  readonly issuer: string;
  stop(): Promise<void>;
};

const views = join(dirname(fileURLToPath(import.meta.url)), 'views');

/**
 * oidc-provider's start-up warnings that do not apply to the local stand-in: it runs on the project's local Node 20
 * (the browser tests run it there), and it keeps its sessions in memory on purpose (a restart signs people out).
 */
const expectedWarnings = [
  /^oidc-provider WARNING: Unsupported runtime/,
  /^oidc-provider WARNING: a quick start development-only in-memory adapter/,
];

/** Runs `build` with those two warnings held back; any other warning is written as usual. */
const withoutExpectedWarnings = async <T>(build: () => Promise<T>): Promise<T> => {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && expectedWarnings.some((w) => w.test(args[0] as string))) return;
    warn(...args);
  };
  try {
    return await build();
  } finally {
    console.warn = warn;
  }
};

const readForm = async (request: IncomingMessage): Promise<URLSearchParams> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
};

/**
 * A real OpenID Connect provider (`oidc-provider`) for the local exchange: it stands in for each organisation's
 * own identity provider, as the Cognito user pool's federation does in AWS. Its sign-in page lets a newcomer pick a
 * demo user (no passwords: the local provider is a stand-in, never a password table). The ID token's `sub` is the
 * pbx user id.
 */
export const startLocalIdentityProvider = async (
  options: LocalIdentityProviderOptions,
): Promise<RunningIdentityProvider> => {
  const server: Server = createServer();
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : options.port);
    });
  });
  const issuer = `http://${options.host}:${port}`;
  const users = new Map(options.users.filter((u) => u.status === 'active').map((u) => [u.id, u]));
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), use: 'sig', alg: 'RS256' };
  const render = createRenderer([views]);
  const staticFile = createStaticFiles();

  // Imported here, not at the top: a start that fails earlier (no Java) says so in one line, without its warnings.
  const { default: Provider } = await withoutExpectedWarnings(() => import('oidc-provider'));
  const provider = await withoutExpectedWarnings(
    async () =>
      new Provider(issuer, {
        clients: [
          {
            client_id: localConsoleClientId,
            client_secret: options.clientSecret,
            client_name: 'pbx console',
            redirect_uris: [new URL('/auth/callback', options.consoleUrl).toString()],
            post_logout_redirect_uris: [new URL('/signed-out', options.consoleUrl).toString()],
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        jwks: { keys: [signingKey as never] },
        cookies: { keys: [randomBytes(32).toString('base64url')] },
        claims: { openid: ['sub'], profile: ['name'] },
        features: {
          devInteractions: { enabled: false },
          rpInitiatedLogout: {
            enabled: true,
            logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
              ctx.body = render('identity-sign-out.njk', { form, issuer });
            },
          },
        },
        pkce: { required: () => true },
        interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
        findAccount: (_ctx, id) => {
          const user = users.get(id);
          if (user === undefined) return undefined;
          return { accountId: id, claims: () => ({ sub: id, name: user.displayName }) };
        },
        // The console is the provider's own first-party client: no consent screen, the grant is made at sign-in.
        loadExistingGrant: async (ctx) => {
          const grantId =
            ctx.oidc.result?.consent?.grantId ??
            ctx.oidc.session?.grantIdFor(ctx.oidc.client?.clientId ?? '');
          if (grantId !== undefined) return ctx.oidc.provider.Grant.find(grantId);
          const accountId = ctx.oidc.session?.accountId;
          const clientId = ctx.oidc.client?.clientId;
          if (accountId === undefined || clientId === undefined) return undefined;
          const grant = new ctx.oidc.provider.Grant({ accountId, clientId });
          grant.addOIDCScope('openid profile');
          await grant.save();
          return grant;
        },
        ttl: {
          Session: 8 * 60 * 60,
          Interaction: 10 * 60,
          Grant: 8 * 60 * 60,
          AccessToken: 10 * 60,
          IdToken: 10 * 60,
        },
        renderError: (ctx, out) => {
          ctx.type = 'html';
          ctx.body = render('identity-error.njk', {
            error: out.error,
            description: out.error_description,
            issuer,
          });
        },
      }),
  );
  const callback = provider.callback();

  const groups = [...new Set(options.users.map((u) => u.organisationId))].map((organisationId) => ({
    organisationId,
    users: options.users.filter((u) => u.organisationId === organisationId && u.status === 'active'),
  }));

  const signInPage = (response: ServerResponse, uid: string, status: number, error?: string) => {
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(render('identity-sign-in.njk', { uid, groups, error, issuer }));
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', issuer);
    const interaction = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(url.pathname);
    void (async () => {
      if (request.method === 'GET' && /^\/(assets|govuk)\//.test(url.pathname)) {
        const file = await staticFile(url.pathname);
        response.writeHead(file === undefined ? 404 : 200, {
          'content-type': file?.contentType ?? 'text/plain',
        });
        response.end(file?.body ?? 'Not found');
        return;
      }
      if (interaction === null) return callback(request, response);
      const [, uid = '', login] = interaction;
      const details = await provider.interactionDetails(request, response);
      if (details.uid !== uid) throw new Error('interaction mismatch');
      if (login === undefined && request.method === 'GET') return signInPage(response, uid, 200);
      if (login !== undefined && request.method === 'POST') {
        const form = await readForm(request);
        const accountId = form.get('user') ?? '';
        if (!users.has(accountId)) return signInPage(response, uid, 400, 'Select the user to sign in as');
        return provider.interactionFinished(
          request,
          response,
          { login: { accountId } },
          { mergeWithLastSubmission: false },
        );
      }
      response.writeHead(405).end();
    })().catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        response.end(
          render('identity-error.njk', {
            error: 'sign_in_expired',
            description: (error as Error).message,
            issuer,
          }),
        );
      }
    });
  });

  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
