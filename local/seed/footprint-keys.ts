import { mkdir } from 'node:fs/promises';
import {
  footprintKeyFileOf,
  generateFootprintKey,
  writeNewFootprintKeyFile,
} from '#shared/adapters/crypto/footprint-key-file.ts';
import type { Clock } from '#shared/ports/clock.ts';

/**
 * Gives every seeded footprint its pseudonymisation key (docs/SUBJECT-REFERENCES.md), one file per footprint beside
 * the clients' private keys, generated on the first start and kept after. The local exchange writes them only
 * because it plays every member organisation's system on one machine: they are the members' keys, and nothing the
 * exchange runs (the handlers, their environment, the registry) reads them.
 */
export const ensureFootprintKeys = async (
  deps: { clock: Clock },
  input: { keysDir: string; footprintIds: readonly string[] },
): Promise<{ readonly generated: number }> => {
  await mkdir(input.keysDir, { recursive: true, mode: 0o700 });
  const written = await Promise.all(
    input.footprintIds.map((footprintId) =>
      writeNewFootprintKeyFile(
        footprintKeyFileOf(input.keysDir, footprintId),
        generateFootprintKey(footprintId),
        deps.clock.now(),
      ),
    ),
  );
  return { generated: written.filter(Boolean).length };
};
