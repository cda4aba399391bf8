import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityProvider } from '#console/identity.ts';

/** A provider that publishes discovery but no end_session_endpoint, as Cognito does. */
let server: Server;
let issuer: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url !== '/.well-known/openid-configuration') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const provider = (signOutUrl?: string) =>
  new IdentityProvider(
    {
      issuer,
      clientId: 'console-app',
      clientSecret: 'secret',
      userClaim: 'custom:pbx_user',
      allowHttp: true,
      ...(signOutUrl === undefined ? {} : { signOutUrl }),
    },
    'https://console.pbx.example',
    2_000,
  );

describe('signing out at a provider without an end_session_endpoint', () => {
  it("uses the configured logout URL with the client id and where to return (Cognito's hosted /logout)", async () => {
    const url = await provider('https://pool.auth.eu-west-2.amazoncognito.com/logout').signOutUrl(
      'an-id-token',
      'https://console.pbx.example/signed-out',
    );
    expect(url?.origin).toBe('https://pool.auth.eu-west-2.amazoncognito.com');
    expect(url?.pathname).toBe('/logout');
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({
      client_id: 'console-app',
      logout_uri: 'https://console.pbx.example/signed-out',
    });
  });

  it('has nowhere to send the browser when none is configured: the console session alone ends', async () => {
    expect(
      await provider().signOutUrl('an-id-token', 'https://console.pbx.example/signed-out'),
    ).toBeUndefined();
  });
});
