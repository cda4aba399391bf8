import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as z from 'zod';
import {
  decodeNotePrivateKey,
  encodeNoteVerifierKey,
  generateNoteKey,
  noteSignerFromPrivateKey,
} from '#shared/adapters/crypto/note-keys.ts';
import {
  CheckpointError,
  type CheckpointTrust,
  cosignCheckpoint,
  detectSplitView,
  type VerifiedCheckpoint,
  verifyCheckpoint,
} from '#shared/domain/audit/checkpoint.ts';
import { MerkleProofError, verifyConsistency } from '#shared/domain/audit/merkle.ts';
import { decodeCanonicalBase64, encodeBase64, NoteError } from '#shared/domain/audit/signed-note.ts';
import { CliError, usageError } from './cli-error.ts';
import { type CommandInput, errnoOf, type Io, printJson, showPath } from './command.ts';
import { type Connection, connect, fetchAuditTrust, reach, successBody, untrusted } from './connect.ts';

/**
 * `pbx audit witness`: a witness of the audit log (c2sp.org/tlog-cosignature). It cosigns a checkpoint only after
 * checking the exchange's signature and, against the last checkpoint it saw (its state file), consistency: a
 * consistency proof for a larger size, and for the same size the same root. Two roots the exchange signed for one
 * size are a split view: the two notes are the evidence, printed for anyone holding the exchange's key to check.
 */

const checkpointSchema = z.looseObject({ note: z.string().min(1) });
const consistencySchema = z.looseObject({ proof: z.array(z.string()) });
/** The state file: the last checkpoint witnessed. Its note is what counts; size and root are for people. */
const stateSchema = z.object({
  origin: z.string().min(1),
  size: z.number().int().nonnegative(),
  rootHash: z.string().min(1),
  note: z.string().min(1),
});

const refused = (message: string, details: readonly string[] = []) =>
  new CliError('WITNESS_REFUSED', message, details);

const readText = async (io: Io, file: string, what: string): Promise<string | undefined> => {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw new CliError(
      'LOCAL_INPUT',
      `cannot read ${what} ${showPath(io, file)} (${errnoOf(error) ?? 'error'})`,
    );
  }
};

const runInit = async ({ values, io }: CommandInput): Promise<void> => {
  const out = values['key-out'];
  const name = values.name;
  if (out === undefined || out === '')
    throw usageError('missing --key-out FILE: where to write the witness key');
  if (name === undefined || name === '')
    throw usageError('missing --name NAME, e.g. --name lb-brent-witness');
  let key: ReturnType<typeof generateNoteKey>;
  try {
    key = generateNoteKey(name, 'cosignatureV1');
  } catch {
    throw usageError(`--name must be a note key name (no spaces or pluses), not "${name}"`);
  }
  const file = resolve(io.cwd, out);
  try {
    await writeFile(file, `${key.signerKey}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw new CliError(
      'LOCAL_INPUT',
      errnoOf(error) === 'EEXIST'
        ? `${showPath(io, file)} exists; a witness key is never overwritten`
        : `cannot write ${showPath(io, file)} (${errnoOf(error) ?? 'error'})`,
    );
  }
  if (values.json) return printJson(io, { verifierKey: key.verifierKey });
  io.stdout(
    `wrote the private witness key to ${showPath(io, file)} (keep it secret)\nverifier key: ${key.verifierKey}\n`,
  );
};

const loadWitnessKey = async (io: Io, path: string) => {
  const file = resolve(io.cwd, path);
  const text = await readText(io, file, 'the witness key');
  if (text === undefined) throw new CliError('LOCAL_INPUT', `no file ${showPath(io, file)}`);
  try {
    const skey = text.trim();
    const { name, type, publicKey } = decodeNotePrivateKey(skey);
    return {
      name,
      signer: noteSignerFromPrivateKey(skey),
      verifierKey: encodeNoteVerifierKey({ name, type, publicKey }),
    };
  } catch {
    throw new CliError('LOCAL_INPUT', `${showPath(io, file)} is not a note private key`);
  }
};

const readState = async (io: Io, file: string, trust: CheckpointTrust) => {
  const text = await readText(io, file, 'the state file');
  if (text === undefined) return undefined;
  let state: z.infer<typeof stateSchema>;
  let previous: VerifiedCheckpoint;
  try {
    state = stateSchema.parse(JSON.parse(text));
    previous = verifyCheckpoint(state.note, trust);
  } catch (error) {
    const why = error instanceof NoteError || error instanceof CheckpointError ? ` (${error.code})` : '';
    throw new CliError('LOCAL_INPUT', `${showPath(io, file)} is not a witness state file${why}`);
  }
  if (state.size !== previous.size || state.rootHash !== encodeBase64(previous.rootHash)) {
    throw new CliError(
      'LOCAL_INPUT',
      `${showPath(io, file)} states another size or root than its signed note`,
    );
  }
  return { state, previous };
};

/** Verifies the exchange's answer to a consistency proof between the two checkpoints, or refuses to cosign. */
const checkConsistency = async (
  { client, url }: Connection,
  io: Io,
  previous: VerifiedCheckpoint,
  current: VerifiedCheckpoint,
): Promise<void> => {
  const answer = consistencySchema.safeParse(
    successBody(await reach(url, () => client.auditConsistencyProof(previous.size, current.size)), {}, io),
  );
  const proof = answer.success ? answer.data.proof.map(decodeCanonicalBase64) : [undefined];
  const nodes = proof.filter((node): node is Uint8Array => node !== undefined);
  if (nodes.length !== proof.length) {
    throw untrusted('the exchange answered /v1/audit/proofs/consistency with something else');
  }
  try {
    verifyConsistency(previous.size, current.size, nodes, previous.rootHash, current.rootHash);
  } catch (error) {
    if (!(error instanceof MerkleProofError)) throw error;
    throw refused(
      `the checkpoint of size ${current.size} is not consistent with the one of size ${previous.size} seen before`,
      [`${error.code}: not cosigned; keep both notes as evidence`],
    );
  }
};

/** Registers the witness key as the caller's organisation's witness, so the exchange accepts its cosignatures. */
const runRegister = async ({ values, io }: CommandInput): Promise<void> => {
  const keyPath = values['witness-key'];
  if (keyPath === undefined || keyPath === '') {
    throw usageError(
      'missing --witness-key FILE: the witness key to register (pbx audit witness --init makes one)',
    );
  }
  const { name, verifierKey } = await loadWitnessKey(io, keyPath);
  const { client, url } = await connect(values, io);
  const response = await reach(url, () => client.registerWitness({ name, verifierKey }));
  successBody(response, values, io);
  if (values.json) return;
  io.stdout(`registered witness ${name}\nverifier key: ${verifierKey}\n`);
};

const runWitness = async ({ values, io }: CommandInput): Promise<void> => {
  const keyPath = values['witness-key'];
  const statePath = values.state;
  if (keyPath === undefined || keyPath === '') {
    throw usageError('missing --witness-key FILE: the witness key (pbx audit witness --init makes one)');
  }
  if (statePath === undefined || statePath === '') {
    throw usageError('missing --state FILE: where the last checkpoint witnessed is kept');
  }
  const witness = await loadWitnessKey(io, keyPath);
  const stateFile = resolve(io.cwd, statePath);

  const connection = await connect(values, io);
  const { client, url } = connection;
  const { origin, verifier } = await fetchAuditTrust(connection);
  const trust: CheckpointTrust = { origin, verifier };
  const seen = await readState(io, stateFile, trust);

  const answer = checkpointSchema.safeParse(
    successBody(await reach(url, () => client.auditCheckpoint()), {}, io),
  );
  if (!answer.success) throw untrusted('the exchange answered /v1/audit/checkpoint with something else');
  let current: VerifiedCheckpoint;
  try {
    current = verifyCheckpoint(answer.data.note, trust);
  } catch (error) {
    const why = error instanceof NoteError || error instanceof CheckpointError ? ` (${error.code})` : '';
    throw untrusted(`the exchange's checkpoint does not verify with its own key${why}`);
  }

  if (seen !== undefined) {
    const { previous } = seen;
    const split = detectSplitView(previous, current);
    if (split !== undefined) {
      printJson(io, { splitView: split });
      throw refused(
        `split view: the exchange signed two roots for size ${split.size}; the evidence is on stdout`,
        ['not cosigned'],
      );
    }
    if (current.size < previous.size) {
      throw refused(
        `rollback: the exchange shows size ${current.size} after size ${previous.size} was seen`,
        ['not cosigned'],
      );
    }
    if (current.size > previous.size) await checkConsistency(connection, io, previous, current);
  }

  const cosigned = cosignCheckpoint(current.note, witness.signer, trust);
  const response = await reach(url, () =>
    client.auditCosign(current.size, { note: cosigned, witnessKey: witness.verifierKey }),
  );
  successBody(response, values, io);
  const rootHash = encodeBase64(current.rootHash);
  const state = { origin, size: current.size, rootHash, note: current.note };
  await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`);
  if (values.json) return;
  io.stdout(
    `cosigned checkpoint of ${origin}: size ${current.size}, root ${rootHash}\n` +
      (seen === undefined
        ? 'no earlier checkpoint in the state file: consistency starts from here\n'
        : `consistent with size ${seen.previous.size} seen before\n`) +
      `state saved to ${showPath(io, stateFile)}\n`,
  );
};

export const runAuditWitness = (input: CommandInput): Promise<void> =>
  input.values.init ? runInit(input) : input.values.register ? runRegister(input) : runWitness(input);
