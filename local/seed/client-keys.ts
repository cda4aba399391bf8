import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSigningKey, type PrivateJwk, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { newAuditEntry, systemActor } from '#shared/domain/audit/audit-entry.ts';
import { InputError } from '#shared/domain/errors.ts';
import { newClientKey, parseRegistrableJwk } from '#shared/domain/registry/client-key.ts';
import type { Clock } from '#shared/ports/clock.ts';
import type { RegistryStore } from '#shared/ports/registry-store.ts';

export const keyFileOf = (keysDir: string, clientId: string): string => join(keysDir, `${clientId}.jwk.json`);

const readKeyFile = async (file: string): Promise<PrivateJwk | undefined> => {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PrivateJwk;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the key file ${file}: ${(error as Error).message}`);
  }
};

const registrableKeyOf = (file: string, privateJwk: PrivateJwk) => {
  try {
    return parseRegistrableJwk(publicJwkOf(privateJwk));
  } catch (error) {
    if (error instanceof InputError) throw new InputError(error.code, error.message, [`in ${file}`]);
    throw error;
  }
};

export type KeySummary = { readonly generated: number; readonly registered: number };

/**
 * Gives every seeded client a private key on disk and its public half in the registry. Idempotent across starts:
 * an existing key file is reused, and its public key is registered only if the registry does not hold it yet (for
 * example after the local data was wiped but the keys kept). Private keys are written readable by the owner only.
 */
export const ensureClientKeys = async (
  deps: { registry: RegistryStore; clock: Clock },
  input: { keysDir: string; clientIds: readonly string[] },
): Promise<KeySummary> => {
  await mkdir(input.keysDir, { recursive: true, mode: 0o700 });
  let generated = 0;
  let registered = 0;
  await Promise.all(
    input.clientIds.map(async (clientId) => {
      const file = keyFileOf(input.keysDir, clientId);
      let privateJwk = await readKeyFile(file);
      if (privateJwk === undefined) {
        privateJwk = await generateSigningKey('ES256');
        await writeFile(file, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
        await chmod(file, 0o600);
        generated += 1;
      }
      // A key file put here by hand is checked as the API checks an offered key: never a published test key.
      const publicJwk = registrableKeyOf(file, privateJwk);
      const known = await deps.registry.getClientKeys(clientId);
      if (known.some((k) => k.kid === publicJwk.kid)) return;
      const now = deps.clock.now();
      const outcome = await deps.registry.addClientKey(
        newClientKey(clientId, publicJwk, now),
        newAuditEntry(
          {
            actor: systemActor,
            action: 'registry.client-key.add',
            target: { type: 'client-key', id: `${clientId}/${publicJwk.kid}` },
            outcome: 'allowed',
          },
          now,
        ),
      );
      if (outcome.created) registered += 1;
    }),
  );
  return { generated, registered };
};
