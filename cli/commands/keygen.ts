import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { generateSigningKey, publicJwkOf } from '#shared/adapters/jose/signing-keys.ts';
import { type SigningAlgorithm, signingAlgorithms } from '#shared/domain/registry/client-key.ts';
import { CliError, usageError } from './cli-error.ts';
import { type CommandInput, errnoOf, printJson, showPath } from './command.ts';

const isSigningAlgorithm = (value: string): value is SigningAlgorithm =>
  (signingAlgorithms as readonly string[]).includes(value);

export const runKeygen = async ({ values, io }: CommandInput): Promise<void> => {
  const alg = values.alg ?? 'ES256';
  if (!isSigningAlgorithm(alg)) throw usageError(`--alg must be ES256 or EdDSA, not "${alg}"`);
  const privateJwk = await generateSigningKey(alg);
  const publicJwk = publicJwkOf(privateJwk);

  if (values.out === undefined) {
    // Asked for on stdout, so it can be redirected; the public half goes beside it, not into the same stream.
    printJson(io, privateJwk);
    io.stderr(`public JWK (register it with pbx keys add --jwk FILE):\n${JSON.stringify(publicJwk)}\n`);
    return;
  }

  const file = resolve(io.cwd, values.out);
  const shown = showPath(io, file);
  try {
    // `wx`: a key file is never replaced; 0600: the private key is readable by its owner only.
    await writeFile(file, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = errnoOf(error);
    throw new CliError(
      'LOCAL_INPUT',
      code === 'EEXIST'
        ? `${shown} already exists; pbx keygen never overwrites a key file (choose another --out)`
        : `cannot write ${shown} (${code ?? String(error)})`,
    );
  }
  printJson(io, publicJwk);
  if (!values.json) {
    io.stderr(
      `wrote the private key ${privateJwk.kid} (${alg}) to ${shown}; register it with: pbx keys add --jwk ${shown} --as <client-id>\n`,
    );
  }
};
