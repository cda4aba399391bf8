import { describe, expect, it } from 'vitest';
import {
  generateNoteKey,
  noteSignerFromPrivateKey,
  noteVerifierFromKey,
} from '#shared/adapters/crypto/note-keys.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { withCosignatures } from '#shared/domain/audit/audit-proofs.ts';
import { cosignCheckpoint, formatCheckpoint, verifyCheckpoint } from '#shared/domain/audit/checkpoint.ts';
import { type CosignDeps, cosignPublishedCheckpoint } from '#shared/domain/audit/cosign-checkpoint.ts';
import { addSignatures, encodeBase64, signNote } from '#shared/domain/audit/signed-note.ts';
import type { Principal } from '#shared/domain/auth/verify-signed-request.ts';
import type { UserRole } from '#shared/domain/registry/registry.ts';
import type { Witness } from '#shared/domain/registry/witnesses.ts';
import type { PublishedCheckpoint, StoredCosignature } from '#shared/ports/checkpoint-store.ts';

/**
 * Cosigning a published checkpoint (c2sp.org/tlog-cosignature), against an in-memory checkpoint store: the log's
 * signature, the published root of that size and the witness's line must all verify before a line is kept.
 */

const origin = 'pbx-test/audit';
const log = generateNoteKey('pbx-test');
const logSigner = noteSignerFromPrivateKey(log.signerKey);
const witnessKeys = generateNoteKey('lb-brent-witness', 'cosignatureV1');
const at = (seconds: number) => new Date(Date.UTC(2026, 10, 23, 9, 0, seconds));
const witnessSigner = (seconds: number) =>
  noteSignerFromPrivateKey(witnessKeys.signerKey, { now: () => at(seconds) });

const root = (fill: number) => new Uint8Array(32).fill(fill);
const checkpointNote = (size: number, fill: number, signers = [logSigner]) =>
  signNote(formatCheckpoint({ origin, size, rootHash: root(fill) }), signers);

const trust = { origin, verifier: noteVerifierFromKey(log.verifierKey) };

/** Brent's witness, registered by Brent's IG lead; Harrow's, by Harrow's. */
const harrowWitnessKeys = generateNoteKey('lb-harrow-witness', 'cosignatureV1');
const registered: Witness[] = [
  { name: 'lb-brent-witness', verifierKey: witnessKeys.verifierKey, organisationId: 'lb-brent' },
  { name: 'lb-harrow-witness', verifierKey: harrowWitnessKeys.verifierKey, organisationId: 'lb-harrow' },
].map((w) => ({ ...w, registeredBy: `${w.organisationId}.ig-lead`, registeredAt: at(0).toISOString() }));

const fakeStore = (published: readonly PublishedCheckpoint[]) => {
  const lines = new Map<string, StoredCosignature>();
  const recorded: AuditEntry[] = [];
  const store: CosignDeps['checkpoints'] = {
    readBySize: async (size) => published.find((checkpoint) => checkpoint.size === size),
    readCosignatures: async (size) => [...lines.values()].filter((line) => line.size === size),
    recordCosignature: async (cosignature, audit) => {
      const current = published.find((checkpoint) => checkpoint.size === cosignature.size);
      if (current?.rootHash !== cosignature.rootHash) return false;
      lines.set(`${cosignature.size}/${cosignature.keyName}`, cosignature);
      recorded.push(audit);
      return true;
    },
  };
  return { store, lines, recorded };
};

const setup = () => {
  const note = checkpointNote(5, 7);
  const published: PublishedCheckpoint = {
    size: 5,
    rootHash: encodeBase64(root(7)),
    note,
    publishedAt: at(0).toISOString(),
  };
  const { store, lines, recorded } = fakeStore([published]);
  const refusals: AuditEntry[] = [];
  const deps: CosignDeps = {
    checkpoints: store,
    audit: { record: async (entry) => void refusals.push(entry) },
    clock: { now: () => at(30) },
    origin,
    logVerifier: async () => trust.verifier,
    witnessVerifier: noteVerifierFromKey,
    witnesses: { getWitness: async (name) => registered.find((w) => w.name === name) },
  };
  return { deps, note, published, lines, recorded, refusals };
};

const principal = (...roles: UserRole[]): Principal => ({
  clientId: 'lb-brent-system',
  organisationId: 'lb-brent',
  kid: 'k',
  alg: 'ES256',
  user: { id: 'lb-brent.ig-lead', roles },
  jti: 'j',
  requestHash: 'h',
});

const igLead = principal('ig-lead');

describe('cosignPublishedCheckpoint', () => {
  it('keeps a valid cosignature, audited, and the checkpoint then shows it and verifies', async () => {
    const { deps, note, published, lines, recorded } = setup();
    const cosigned = cosignCheckpoint(note, witnessSigner(10), trust);
    const { cosigned: answer } = await cosignPublishedCheckpoint(deps, {
      principal: igLead,
      size: 5,
      note: cosigned,
      witnessKey: witnessKeys.verifierKey,
    });
    expect(answer).toEqual({
      size: 5,
      rootHash: published.rootHash,
      witness: 'lb-brent-witness',
      witnessKey: witnessKeys.verifierKey,
    });
    expect(recorded.map((entry) => [entry.action, entry.outcome])).toEqual([
      ['audit.checkpoint.cosign', 'allowed'],
    ]);
    const shown = withCosignatures(published, [...lines.values()]);
    expect(shown).toBe(cosigned);
    const verified = verifyCheckpoint(shown, {
      ...trust,
      witnesses: [noteVerifierFromKey(witnessKeys.verifierKey)],
    });
    expect(verified.cosignatures.map(({ name, verified }) => ({ name, verified }))).toEqual([
      { name: 'lb-brent-witness', verified: true },
    ]);
  });

  it('replaces a witness its older line when it cosigns again', async () => {
    const { deps, note, published, lines } = setup();
    const first = cosignCheckpoint(note, witnessSigner(10), trust);
    const second = cosignCheckpoint(note, witnessSigner(20), trust);
    expect(second).not.toBe(first);
    for (const cosigned of [first, second]) {
      await cosignPublishedCheckpoint(deps, {
        principal: igLead,
        size: 5,
        note: cosigned,
        witnessKey: witnessKeys.verifierKey,
      });
    }
    expect(lines.size).toBe(1);
    expect(withCosignatures(published, [...lines.values()])).toBe(second);
  });

  const refusedWith = async (
    input: Partial<Parameters<typeof cosignPublishedCheckpoint>[1]>,
    expected: { code: string; details?: string[] },
  ) => {
    const { deps, note, lines, refusals } = setup();
    const promise = cosignPublishedCheckpoint(deps, {
      principal: igLead,
      size: 5,
      note: cosignCheckpoint(note, witnessSigner(10), trust),
      witnessKey: witnessKeys.verifierKey,
      ...input,
    });
    await expect(promise).rejects.toMatchObject(expected);
    expect(lines.size).toBe(0);
    expect(refusals.map((entry) => [entry.action, entry.outcome, entry.reasonCodes])).toEqual([
      ['audit.checkpoint.cosign', 'refused', [expected.code]],
    ]);
  };

  it('refuses a cosignature over another root of the same size (a split view)', async () => {
    const other = cosignCheckpoint(checkpointNote(5, 8), witnessSigner(10), trust);
    await refusedWith({ note: other }, { code: 'CONFLICT' });
  });

  it('refuses a cosignature over another size than the path names, or a size never published', async () => {
    const larger = cosignCheckpoint(checkpointNote(6, 7), witnessSigner(10), trust);
    await refusedWith({ note: larger }, { code: 'INVALID_INPUT', details: ['SIZE_MISMATCH'] });
    await refusedWith({ note: larger, size: 6 }, { code: 'NOT_FOUND' });
  });

  it('refuses a checkpoint the log did not sign, or signed by another key', async () => {
    const text = formatCheckpoint({ origin, size: 5, rootHash: root(7) });
    const witnessOnly = signNote(text, [witnessSigner(10)]);
    await refusedWith({ note: witnessOnly }, { code: 'INVALID_INPUT', details: ['NO_VERIFIED_SIGNATURE'] });
    // Signed by another key of the log's name: the exchange's key has no line on it.
    const impostor = noteSignerFromPrivateKey(generateNoteKey('pbx-test').signerKey);
    const wronglySigned = addSignatures(checkpointNote(5, 7, [impostor]), [witnessSigner(10)]);
    await refusedWith({ note: wronglySigned }, { code: 'INVALID_INPUT', details: ['NO_VERIFIED_SIGNATURE'] });
  });

  it('refuses a cosignature that does not verify with the given key, or is missing', async () => {
    const { note } = setup();
    const otherWitness = generateNoteKey('lb-brent-witness', 'cosignatureV1');
    const forged = cosignCheckpoint(note, noteSignerFromPrivateKey(otherWitness.signerKey), trust);
    // Same name, another key: the line's key ID does not match, so the given key has no line.
    await refusedWith({ note: forged }, { code: 'INVALID_INPUT', details: ['NO_COSIGNATURE'] });
    // The right key ID with a flipped signature bit.
    const good = cosignCheckpoint(note, witnessSigner(10), trust);
    const lastLine = good.trimEnd().split('\n').at(-1) ?? '';
    const bytes = Buffer.from(lastLine.split(' ')[2] ?? '', 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    const flipped = good.replace(lastLine, `— lb-brent-witness ${bytes.toString('base64')}`);
    await refusedWith({ note: flipped }, { code: 'INVALID_INPUT', details: ['BAD_SIGNATURE'] });
    await refusedWith({ note }, { code: 'INVALID_INPUT', details: ['NO_COSIGNATURE'] });
    await refusedWith({ witnessKey: 'not a key' }, { code: 'INVALID_INPUT', details: ['MALFORMED_KEY'] });
  });

  it('refuses a caller who is not an IG lead, and the log key as its own witness', async () => {
    await refusedWith({ principal: principal('clinician' as UserRole) }, { code: 'NOT_PERMITTED' });
    // Reading the log is not enough: a witness speaks for its organisation, through its IG lead.
    await refusedWith({ principal: principal('dpo') }, { code: 'NOT_PERMITTED' });
    await refusedWith({ witnessKey: log.verifierKey }, { code: 'INVALID_INPUT', details: ['NOT_A_WITNESS'] });
  });

  it('refuses a witness nobody registered, even with a valid line under its own key', async () => {
    const { note } = setup();
    const stranger = generateNoteKey('lb-brent-witness-2', 'cosignatureV1');
    const cosigned = cosignCheckpoint(note, noteSignerFromPrivateKey(stranger.signerKey), trust);
    await refusedWith(
      { note: cosigned, witnessKey: stranger.verifierKey },
      { code: 'WITNESS_NOT_REGISTERED' },
    );
  });

  it("refuses an IG lead cosigning under another organisation's witness name", async () => {
    const { note } = setup();
    const cosigned = cosignCheckpoint(note, noteSignerFromPrivateKey(harrowWitnessKeys.signerKey), trust);
    // Brent's IG lead holds Harrow's witness key here: the line verifies, but Brent does not speak for Harrow.
    await refusedWith(
      { note: cosigned, witnessKey: harrowWitnessKeys.verifierKey },
      { code: 'WITNESS_NOT_OF_ORGANISATION' },
    );
  });

  it('refuses another key under a registered name', async () => {
    const { note } = setup();
    const impostor = generateNoteKey('lb-brent-witness', 'cosignatureV1');
    const cosigned = cosignCheckpoint(note, noteSignerFromPrivateKey(impostor.signerKey), trust);
    await refusedWith({ note: cosigned, witnessKey: impostor.verifierKey }, { code: 'WITNESS_KEY_MISMATCH' });
  });
});
