import * as oidc from 'openid-client';
import type { IdentityProviderConfig } from './config.ts';
import type { SignIn } from './session.ts';

/** Why a sign-in could not finish, in words for the person (the details go to the log, never to the page). */
export class SignInError extends Error {
  constructor(
    readonly reason: 'provider-unavailable' | 'sign-in-refused' | 'no-pbx-user',
    message: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

/**
 * The console as an OpenID Connect relying party (authorization code flow with PKCE, state and nonce), through
 * openid-client. Discovery is done once, on first use, and tried again after a failure.
 */
export class IdentityProvider {
  readonly #config: IdentityProviderConfig;
  readonly #redirectUri: string;
  readonly #timeoutSeconds: number;
  #discovered: Promise<oidc.Configuration> | undefined;

  constructor(config: IdentityProviderConfig, publicUrl: string, timeoutMs: number) {
    this.#config = config;
    this.#redirectUri = new URL('/auth/callback', publicUrl).toString();
    this.#timeoutSeconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  }

  #configuration(): Promise<oidc.Configuration> {
    this.#discovered ??= oidc
      .discovery(
        new URL(this.#config.issuer),
        this.#config.clientId,
        { client_secret: this.#config.clientSecret },
        oidc.ClientSecretBasic(this.#config.clientSecret),
        {
          timeout: this.#timeoutSeconds,
          ...(this.#config.allowHttp === true ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      )
      .then((configuration) => {
        configuration.timeout = this.#timeoutSeconds;
        return configuration;
      })
      .catch((error: unknown) => {
        this.#discovered = undefined;
        throw new SignInError('provider-unavailable', `discovery failed: ${(error as Error).message}`);
      });
    return this.#discovered;
  }

  /** Where to send the browser to sign in, and what the callback must find again. */
  async startSignIn(returnTo: string): Promise<{ url: URL; signIn: SignIn }> {
    const configuration = await this.#configuration();
    const signIn: SignIn = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
      returnTo,
    };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.#redirectUri,
      scope: 'openid profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(signIn.codeVerifier),
      code_challenge_method: 'S256',
      state: signIn.state,
      nonce: signIn.nonce,
    });
    return { url, signIn };
  }

  /** Exchanges the callback's code for tokens and returns the pbx user id the ID token names. */
  async finishSignIn(callbackUrl: URL, signIn: SignIn): Promise<{ userId: string; idToken: string }> {
    const configuration = await this.#configuration();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: signIn.codeVerifier,
        expectedState: signIn.state,
        expectedNonce: signIn.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw new SignInError('sign-in-refused', `the code exchange failed: ${(error as Error).message}`);
    }
    const claims = tokens.claims();
    const userId = claims?.[this.#config.userClaim];
    if (typeof userId !== 'string' || tokens.id_token === undefined) {
      throw new SignInError('no-pbx-user', `the ID token has no ${this.#config.userClaim} claim`);
    }
    return { userId, idToken: tokens.id_token };
  }

  /** The provider's end-session URL (RP-initiated logout), or undefined when it has none. */
  async signOutUrl(idToken: string | undefined, returnTo: string): Promise<URL | undefined> {
    try {
      const configuration = await this.#configuration();
      if (configuration.serverMetadata().end_session_endpoint === undefined) {
        if (this.#config.signOutUrl === undefined) return undefined;
        const url = new URL(this.#config.signOutUrl);
        url.searchParams.set('client_id', this.#config.clientId);
        url.searchParams.set('logout_uri', returnTo);
        return url;
      }
      return oidc.buildEndSessionUrl(configuration, {
        post_logout_redirect_uri: returnTo,
        client_id: this.#config.clientId,
        ...(idToken === undefined ? {} : { id_token_hint: idToken }),
      });
    } catch {
      return undefined;
    }
  }
}
