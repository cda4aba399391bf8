import type { PrivateJwk } from '#shared/adapters/jose/signing-keys.ts';
import type { FootprintKey } from '#shared/domain/subjects/subject-reference.ts';

/** Where the console finds the private key of an organisation's console client (local files; Secrets Manager in AWS). */
export type ConsoleKeySource = (clientId: string) => Promise<PrivateJwk>;

/**
 * Where the console finds a footprint's pseudonymisation key (docs/SUBJECT-REFERENCES.md), to turn an NHS number
 * into the footprint's subject reference on the console server: the number never reaches the exchange. The key is
 * the members' own (local files beside the client keys; Secrets Manager in AWS), never the exchange's.
 */
export type FootprintKeySource = (footprintId: string) => Promise<FootprintKey>;

/** The OpenID Connect provider people sign in with (locally `oidc-provider`; in AWS the Cognito user pool). */
export type IdentityProviderConfig = {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The ID token claim that holds the person's pbx user id (`<organisation>.<name>`). */
  readonly userClaim: string;
  /**
   * Where to end the provider's session at sign-out when its discovery names no end_session_endpoint (Cognito's
   * hosted `/logout`, which takes `client_id` and `logout_uri`).
   */
  readonly signOutUrl?: string;
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
  readonly footprintKeys: FootprintKeySource;
  /** Bounded time for every call to the exchange and the identity provider; default 10 s. */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
};

/** The console client of an organisation: one per organisation, registered in the registry like any client. */
export const consoleClientOf = (organisationId: string): string => `${organisationId}-console`;
