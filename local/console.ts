import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { localKeyFile, readPrivateKey } from '#client/pbx-client.ts';
import { createConsole } from '#console/app.ts';
import { footprintKeyFileOf, readFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import type { PrivateJwk } from '#shared/adapters/jose/signing-keys.ts';
import type { User } from '#shared/domain/registry/registry.ts';
import { freePort } from './free-port.ts';
import { localConsoleClientId, startLocalIdentityProvider } from './identity-provider.ts';

export type LocalConsoleOptions = {
  /** The exchange the console calls. */
  readonly exchangeUrl: string;
  /** Where the console clients' private keys are (the exchange's keys dir). */
  readonly keysDir: string;
  /** Who may sign in at the local identity provider. */
  readonly users: readonly User[];
  /** Ports of the console and of the identity provider; 0 (the default) picks free ones. */
  readonly port?: number;
  readonly identityPort?: number;
  readonly host?: string;
  readonly idleTimeoutSeconds?: number;
};

export type RunningConsole = {
  readonly url: string;
  readonly identityIssuer: string;
  stop(): Promise<void>;
};

/**
 * The console on this machine, with the local identity provider it signs people in with. It reaches the exchange
 * over HTTP, signed, like any client: nothing here opens the tables.
 */
export const startLocalConsole = async (options: LocalConsoleOptions): Promise<RunningConsole> => {
  const host = options.host ?? '127.0.0.1';
  const port = options.port || (await freePort());
  const url = `http://${host}:${port}`;
  const clientSecret = randomBytes(32).toString('base64url');
  const identity = await startLocalIdentityProvider({
    port: options.identityPort ?? 0,
    host,
    consoleUrl: url,
    users: options.users,
    clientSecret,
  });
  const keys = new Map<string, Promise<PrivateJwk>>();
  const app = createConsole({
    publicUrl: url,
    exchangeUrl: options.exchangeUrl,
    identity: {
      issuer: identity.issuer,
      clientId: localConsoleClientId,
      clientSecret,
      userClaim: 'sub',
      allowHttp: true,
    },
    sessionKey: randomBytes(32),
    secureCookies: false,
    ...(options.idleTimeoutSeconds === undefined ? {} : { idleTimeoutSeconds: options.idleTimeoutSeconds }),
    consoleKeys: (clientId) => {
      let key = keys.get(clientId);
      if (key === undefined) {
        key = readPrivateKey(localKeyFile(options.keysDir, clientId));
        keys.set(clientId, key);
        key.catch(() => keys.delete(clientId));
      }
      return key;
    },
    footprintKeys: (footprintId) =>
      readFootprintKeyFile(footprintKeyFileOf(options.keysDir, footprintId), footprintId),
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(started));
    started.once('error', reject);
  });
  return {
    url,
    identityIssuer: identity.issuer,
    stop: async () => {
      await new Promise<void>((resolve) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      });
      await identity.stop();
    },
  };
};
