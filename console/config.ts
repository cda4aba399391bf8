import type { PrivateJwk } from '#shared/adapters/jose/signing-keys.ts';

/** Where the console finds the private key of an organisation's console client (local files; Secrets Manager in AWS). */
export type ConsoleKeySource = (clientId: string) => Promise<PrivateJwk>;

/** The OpenID Connect provider people sign in with (locally `oidc-provider`; in AWS the Cognito user pool). */
export type IdentityProviderConfig = {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The ID token claim that holds the person's pbx user id (`<organisation>.<name>`). */
  readonly userClaim: string;
  /** Plain-HTTP issuers are allowed only for the local provider. */
  readonly allowHttp?: boolean;
};

export type ConsoleConfig = {
  /** The console's own origin as people reach it, e.g. http://127.0.0.1:8788 (redirect URIs are built from it). */
  readonly publicUrl: string;
  /** The exchange the console calls, signed, as any client does. */
  readonly exchangeUrl: string;
  readonly identity: IdentityProviderConfig;
  /** 32 random bytes: the key that encrypts the session cookie (AES-256-GCM). */
  readonly sessionKey: Uint8Array;
  /** Secure cookies (HTTPS; always in AWS, never on the local http console). */
  readonly secureCookies: boolean;
  /** A session unused this long ends; default 30 minutes. */
  readonly idleTimeoutSeconds?: number;
  readonly consoleKeys: ConsoleKeySource;
  /** Bounded time for every call to the exchange and the identity provider; default 10 s. */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
};

/** The console client of an organisation: one per organisation, registered in the registry like any client. */
export const consoleClientOf = (organisationId: string): string => `${organisationId}-console`;
