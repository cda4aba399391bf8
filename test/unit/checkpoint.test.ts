import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeNotePrivateKey,
  encodeNoteVerifierKey,
  generateNoteKey,
  noteSignerFromPrivateKey,
  noteVerifierFromKey,
} from '#shared/adapters/crypto/note-keys.ts';
import {
  CheckpointError,
  cosignatureTime,
  cosignatureV1Message,
  cosignCheckpoint,
  detectSplitView,
  formatCheckpoint,
  parseCheckpoint,
  rootHashBytes,
  verifyCheckpoint,
  verifySplitViewEvidence,
} from '#shared/domain/audit/checkpoint.ts';
import {
  decodeCanonicalBase64,
  encodeBase64,
  keyIdHex,
  NoteError,
  openNote,
  signNote,
} from '#shared/domain/audit/signed-note.ts';
import { fixedClock } from '../support/fixed-clock.ts';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return error instanceof NoteError || error instanceof CheckpointError
      ? error.code
      : `unexpected ${String(error)}`;
  }
  return 'accepted';
};

/**
 * A production checkpoint of the Go checksum database, with its verifier key, and three witnesses' Ed25519
 * signatures of it, all as published in transparency-dev/formats, log/note_test.go (TestSumDBNoteParsing and
 * BenchmarkParse). The "random" lines reuse a witness's signature under names nobody trusts.
 */
const sumdbVkey = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const sumdbOrigin = 'go.sum database tree';
const sumdbNote = `go.sum database tree
6476701
mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=

— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=
`;
const sumdbWitnessKeys = [
  'monkeys+db4d9f7e+AULaJMvTtDLHPUcUrjdDad9vDlh/PTfC2VV60JUtCfWT',
  'bananas+cf639f13+AaPjhFnPCQnid/Ql32KWhmh+uk72FVRfK+2DLmO3BI3M',
  'witness+f13a86db+AdYV1Ztajd9BvyjP2HgpwrqYL6TjOwIjGMOq8Bu42xbN',
];
const sumdbWitnessLines = [
  '— monkeys 202ffh9ve46Mqbhuyb4wnC2Pwdan5EsXQym/tF1ggXJqhjGosU4T5intH4iKMRgDLxrnXuIjRaU2NbvAnaepM6Y+8ww=',
  '— bananas z2OfE+2bbsBZ7NLgfuslc0v7NFW2QyexJ7fhePpoL2N/P7N/COd5S+JNHbQEAlYzz2C5sg0E+x/MggS1mDR6t3/9rQw=',
  '— witness 8TqG25yWGFLdT7WPf/WoyeG3LwqtkXP+8S3yykOVm6EMh4hPgCke6eSVPU4BdtXNMPJBXKF+UpDbGgCdcpR8SVSoqAU=',
  '— random1 8TqG25yWGFLdT7WPf/WoyeG3LwqtkXP+8S3yykOVm6EMh4hPgCke6eSVPU4BdtXNMPJBXKF+UpDbGgCdcpR8SVSoqAU=',
  '— random2 8TqG25yWGFLdT7WPf/WoyeG3LwqtkXP+8S3yykOVm6EMh4hPgCke6eSVPU4BdtXNMPJBXKF+UpDbGgCdcpR8SVSoqAU=',
];
const sumdbTrust = { origin: sumdbOrigin, verifier: noteVerifierFromKey(sumdbVkey) };

/** The example checkpoint and cosignature of c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature. */
const specCheckpoint =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const specCosignature =
  'jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';

/**
 * The exchange's log key and a witness key: Go-generated pairs from transparency-dev/formats, log/note_test.go, so
 * that every signature in these tests is reproducible.
 */
const logSkey = 'PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ';
const witnessSkey = 'PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci';
const strangerSkey = 'PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU';
const verifierOf = (skey: string) => noteVerifierFromKey(encodeNoteVerifierKey(decodeNotePrivateKey(skey)));

const origin = 'pbx.example/audit';
const log = noteSignerFromPrivateKey(logSkey);
const trust = { origin, verifier: verifierOf(logSkey) };
const witness = noteSignerFromPrivateKey(witnessSkey);
const witnessVerifier = verifierOf(witnessSkey);
const stranger = noteSignerFromPrivateKey(strangerSkey);

const rootOf = (label: string) => new Uint8Array(createHash('sha256').update(label).digest());
const signedCheckpoint = (size: number, root: Uint8Array, signers = [log]) =>
  signNote(formatCheckpoint({ origin, size, rootHash: root }), signers);

/** Note text with `line` (0-based) replaced, re-signed by the log: the log vouches for whatever the line says. */
const signedWithLine = (index: number, line: string) => {
  const lines = formatCheckpoint({ origin, size: 42, rootHash: rootOf('a') }).split('\n');
  lines[index] = line;
  return signNote(lines.join('\n'), [log]);
};

describe('checkpoint text (c2sp.org/tlog-checkpoint)', () => {
  it('parses and formats the spec example byte for byte', () => {
    const checkpoint = parseCheckpoint(specCheckpoint);
    expect(checkpoint).toMatchObject({
      origin: 'example.com/behind-the-sofa',
      size: 20852163,
      extensions: [],
    });
    expect(encodeBase64(checkpoint.rootHash)).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    expect(formatCheckpoint(checkpoint)).toBe(specCheckpoint);
  });

  it('keeps extension lines (transparency-dev/formats checkpoint_test.go: trailing data)', () => {
    const text = `${specCheckpoint}lots\nof\nlines\n`;
    expect(parseCheckpoint(text).extensions).toEqual(['lots', 'of', 'lines']);
    expect(formatCheckpoint(parseCheckpoint(text))).toBe(text);
  });

  it('formats the empty tree with size 0', () => {
    const text = formatCheckpoint({ origin, size: 0, rootHash: rootOf('') });
    expect(text.split('\n')[1]).toBe('0');
    expect(parseCheckpoint(text).size).toBe(0);
  });

  it.each([
    // transparency-dev/formats log/checkpoint_test.go TestUnmarshalLogState invalid cases.
    ['insufficient lines', 'Head\n9944\n', 'MALFORMED_CHECKPOINT'],
    ['empty origin', '\n9944\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', 'INVALID_ORIGIN'],
    ['no final newline', 'Log\n123\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'MALFORMED_CHECKPOINT'],
    ['size not a number', 'Log\nbananas\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', 'INVALID_SIZE'],
    ['negative size', 'Log\n-34\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n', 'INVALID_SIZE'],
    [
      'size too large',
      'Log\n3438945738945739845734895735\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      'INVALID_SIZE',
    ],
    ['root not base64', "Log\n123\nThisIsn'tBase64\n", 'INVALID_ROOT_HASH'],
    // Its valid examples hash "bananas", 7 bytes: not an RFC 6962 SHA-256 root.
    ['root of 7 bytes', 'Log\n123\nYmFuYW5hcw==\n', 'INVALID_ROOT_HASH'],
    // Accepted by transparency-dev/formats, refused here: tlog-checkpoint says extension lines MUST be non-empty.
    ['empty extension lines', `${specCheckpoint}\n\n\n`, 'MALFORMED_CHECKPOINT'],
    ['a carriage return', specCheckpoint.replaceAll('\n', '\r\n'), 'MALFORMED_CHECKPOINT'],
  ])('refuses %s', (_, text, code) => {
    expect(codeOf(() => parseCheckpoint(text))).toBe(code);
  });

  it.each([
    ['a leading zero', '042'],
    ['a lone leading zero pair', '00'],
    ['a sign', '+42'],
    ['a minus', '-1'],
    ['an exponent', '4e2'],
    ['a fraction', '42.0'],
    ['hex', '0x2a'],
    ['a space', ' 42'],
    ['a full-width digit', '４２'],
    ['2^53, which a double cannot count past exactly', '9007199254740992'],
    ['the empty string', ''],
  ])('refuses a size with %s', (_, size) => {
    expect(
      codeOf(() => parseCheckpoint(`${origin}\n${size}\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n`)),
    ).toBe('INVALID_SIZE');
  });

  it('accepts the largest exactly countable size', () => {
    expect(parseCheckpoint(`${origin}\n9007199254740991\n${encodeBase64(rootOf('a'))}\n`).size).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it.each([
    ['31 bytes', encodeBase64(rootOf('a').slice(1))],
    ['33 bytes', encodeBase64(new Uint8Array([...rootOf('a'), 0]))],
    ['no padding', encodeBase64(rootOf('a')).replace('=', '')],
    [
      'base64url characters',
      encodeBase64(new Uint8Array(32).fill(0xfb)).replaceAll('+', '-').replaceAll('/', '_'),
    ],
    ['unused bits set', `${encodeBase64(new Uint8Array(32)).slice(0, -2)}B=`],
    ['a trailing space', `${encodeBase64(rootOf('a'))} `],
  ])('refuses a root hash of %s', (_, root) => {
    expect(codeOf(() => parseCheckpoint(`${origin}\n1\n${root}\n`))).toBe('INVALID_ROOT_HASH');
  });

  it('refuses to format what it could not parse back', () => {
    const rootHash = rootOf('a');
    expect(codeOf(() => formatCheckpoint({ origin: '', size: 1, rootHash }))).toBe('INVALID_ORIGIN');
    expect(codeOf(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash }))).toBe('INVALID_ORIGIN');
    for (const size of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expect(codeOf(() => formatCheckpoint({ origin, size, rootHash }))).toBe('INVALID_SIZE');
    }
    expect(codeOf(() => formatCheckpoint({ origin, size: 1, rootHash: rootHash.slice(1) }))).toBe(
      'INVALID_ROOT_HASH',
    );
    for (const extension of ['', 'two\nlines']) {
      expect(codeOf(() => formatCheckpoint({ origin, size: 1, rootHash, extensions: [extension] }))).toBe(
        'MALFORMED_CHECKPOINT',
      );
    }
  });

  it('round-trips any checkpoint (property)', () => {
    const line = fc.string({ minLength: 1, unit: fc.constantFrom('a', ' ', '+', '/', 'é', '🌲', '0') });
    fc.assert(
      fc.property(
        line,
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: rootHashBytes, maxLength: rootHashBytes }),
        fc.array(line, { maxLength: 3 }),
        (o, size, rootHash, extensions) => {
          const parsed = parseCheckpoint(formatCheckpoint({ origin: o, size, rootHash, extensions }));
          expect(parsed).toEqual({ origin: o, size, rootHash, extensions });
        },
      ),
    );
  });

  it('accepts exactly the canonical decimal sizes (property, against a reference model)', () => {
    const reference = (s: string) =>
      /^(0|[1-9][0-9]*)$/.test(s) && BigInt(s) <= BigInt(Number.MAX_SAFE_INTEGER);
    const root = encodeBase64(rootOf('a'));
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('0', '1', '9', '-', '+', ' ', 'e', '.', 'x') }),
        (size) => {
          const code = codeOf(() => parseCheckpoint(`${origin}\n${size}\n${root}\n`));
          expect(code).toBe(reference(size) ? 'accepted' : 'INVALID_SIZE');
        },
      ),
    );
  });
});

describe('verifyCheckpoint', () => {
  it('verifies the published sum.golang.org checkpoint with its key', () => {
    const checkpoint = verifyCheckpoint(sumdbNote, sumdbTrust);
    expect(checkpoint).toMatchObject({
      origin: sumdbOrigin,
      size: 6476701,
      cosignatures: [],
      note: sumdbNote,
    });
    expect(encodeBase64(checkpoint.rootHash)).toBe('mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=');
  });

  it("verifies the published witnesses' signatures and passes unknown ones through unverified", () => {
    const note = `${sumdbNote}${sumdbWitnessLines.map((line) => `${line}\n`).join('')}`;
    const checkpoint = verifyCheckpoint(note, {
      ...sumdbTrust,
      witnesses: sumdbWitnessKeys.map(noteVerifierFromKey),
    });
    expect(checkpoint.cosignatures.map(({ name, verified }) => [name, verified])).toEqual([
      ['monkeys', true],
      ['bananas', true],
      ['witness', true],
      ['random1', false],
      ['random2', false],
    ]);
    const unknownWitnesses = verifyCheckpoint(note, sumdbTrust);
    expect(unknownWitnesses.cosignatures.every(({ verified }) => !verified)).toBe(true);
  });

  it('refuses the published checkpoint under another origin (TestSumDBNoteParsing: wrong logID)', () => {
    expect(codeOf(() => verifyCheckpoint(sumdbNote, { ...sumdbTrust, origin: 'Go rocks' }))).toBe(
      'WRONG_ORIGIN',
    );
  });

  it("returns the exchange's checkpoint", () => {
    const rootHash = rootOf('a');
    const checkpoint = verifyCheckpoint(signedCheckpoint(42, rootHash), trust);
    expect(checkpoint).toMatchObject({ origin, size: 42, rootHash, extensions: [], cosignatures: [] });
  });

  it('refuses a checkpoint of another log, correctly signed', () => {
    expect(
      codeOf(() =>
        verifyCheckpoint(signedCheckpoint(42, rootOf('a')), { ...trust, origin: 'other.example/log' }),
      ),
    ).toBe('WRONG_ORIGIN');
  });

  it('refuses a checkpoint signed only by an unknown key, or only by a witness: no evidence from the log', () => {
    const byStranger = signedCheckpoint(42, rootOf('a'), [stranger]);
    expect(codeOf(() => verifyCheckpoint(byStranger, trust))).toBe('NO_VERIFIED_SIGNATURE');
    const byWitness = signedCheckpoint(42, rootOf('a'), [witness]);
    expect(codeOf(() => verifyCheckpoint(byWitness, { ...trust, witnesses: [witnessVerifier] }))).toBe(
      'NO_VERIFIED_SIGNATURE',
    );
  });

  it("refuses a checkpoint whose root was swapped under the log's signature", () => {
    const [aText, aSignatures] = signedCheckpoint(42, rootOf('a')).split('\n\n');
    const [, bSignatures] = signedCheckpoint(42, rootOf('b')).split('\n\n');
    expect(codeOf(() => verifyCheckpoint(`${aText}\n\n${bSignatures}`, trust))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => verifyCheckpoint(`${aText}\n\n${aSignatures}`, trust))).toBe('accepted');
  });

  it('refuses every single-bit change of a signed checkpoint', () => {
    const bytes = new TextEncoder().encode(signedCheckpoint(42, rootOf('a')));
    const decoder = new TextDecoder();
    const codes = new Set<string>();
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = bytes.slice();
        flipped[i] = (flipped[i] ?? 0) ^ (1 << bit);
        codes.add(codeOf(() => verifyCheckpoint(decoder.decode(flipped), trust)));
      }
    }
    expect(codes.has('accepted')).toBe(false);
    expect([...codes].every((code) => !code.startsWith('unexpected'))).toBe(true);
  });

  it.each([
    ['a size with a leading zero', 1, '042', 'INVALID_SIZE'],
    ['a negative size', 1, '-42', 'INVALID_SIZE'],
    ['a non-decimal size', 1, '0x2a', 'INVALID_SIZE'],
    ['a root of 31 bytes', 2, encodeBase64(rootOf('a').slice(1)), 'INVALID_ROOT_HASH'],
    ['a root of 33 bytes', 2, encodeBase64(new Uint8Array(33)), 'INVALID_ROOT_HASH'],
  ])('refuses a checkpoint the log signed with %s', (_, index, line, code) => {
    expect(codeOf(() => verifyCheckpoint(signedWithLine(index, line), trust))).toBe(code);
  });

  it('refuses a signed note that is not a checkpoint (transparency-dev/formats TestParseCheckpoint: bad body)', () => {
    const note = signNote("if this is a valid checkpoint then I'll eat my hat\n", [log]);
    expect(codeOf(() => verifyCheckpoint(note, trust))).toBe('MALFORMED_CHECKPOINT');
  });

  it('refuses a truncated checkpoint note', () => {
    const note = signedCheckpoint(42, rootOf('a'));
    for (let length = 0; length < note.length; length++) {
      expect(codeOf(() => verifyCheckpoint(note.slice(0, length), trust))).not.toBe('accepted');
    }
  });
});

describe('witness cosignatures', () => {
  const checkpoint = signedCheckpoint(42, rootOf('a'));

  it("adds a witness's Ed25519 signature that verifies, keeping the log's signature valid", () => {
    const cosigned = cosignCheckpoint(checkpoint, witness, trust);
    expect(cosigned.startsWith(checkpoint)).toBe(true);
    expect(verifyCheckpoint(cosigned, trust).cosignatures).toMatchObject([
      { name: 'Known', verified: false },
    ]);
    const verified = verifyCheckpoint(cosigned, { ...trust, witnesses: [witnessVerifier] });
    expect(verified.cosignatures).toMatchObject([{ name: 'Known', verified: true }]);
    expect(verified.rootHash).toEqual(rootOf('a'));
  });

  it('refuses a cosignature that does not verify, for a trusted witness', () => {
    const cosigned = cosignCheckpoint(checkpoint, witness, trust);
    const line = cosigned.split('\n').at(-2) ?? '';
    const blob = decodeCanonicalBase64(line.split(' ')[2] ?? '') ?? new Uint8Array();
    for (let i = 4; i < blob.length; i++) {
      const flipped = blob.slice();
      flipped[i] = (flipped[i] ?? 0) ^ 0x01;
      const forged = cosigned.replace(line, `— Known ${encodeBase64(flipped)}`);
      expect(codeOf(() => verifyCheckpoint(forged, { ...trust, witnesses: [witnessVerifier] }))).toBe(
        'BAD_SIGNATURE',
      );
    }
  });

  it('never cosigns what the log did not sign, or a checkpoint of another log', () => {
    expect(
      codeOf(() => cosignCheckpoint(signedCheckpoint(42, rootOf('a'), [stranger]), witness, trust)),
    ).toBe('NO_VERIFIED_SIGNATURE');
    const [text] = checkpoint.split('\n\n');
    const [, otherSignatures] = signedCheckpoint(43, rootOf('a')).split('\n\n');
    expect(codeOf(() => cosignCheckpoint(`${text}\n\n${otherSignatures}`, witness, trust))).toBe(
      'BAD_SIGNATURE',
    );
    expect(
      codeOf(() => cosignCheckpoint(checkpoint, witness, { ...trust, origin: 'other.example/log' })),
    ).toBe('WRONG_ORIGIN');
  });

  describe('timestamped cosignatures (c2sp.org/tlog-cosignature, type 0x04)', () => {
    const clock = fixedClock('2026-03-01T12:00:00.750Z');
    const keys = generateNoteKey('witness.example/w1', 'cosignatureV1');
    const cosigner = noteSignerFromPrivateKey(keys.signerKey, clock);
    const cosignerVerifier = noteVerifierFromKey(keys.verifierKey);

    it('builds the signed message of the spec example', () => {
      const message = new TextDecoder().decode(
        cosignatureV1Message(1679315147n, new TextEncoder().encode(specCheckpoint)),
      );
      expect(message).toBe(
        'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
      );
    });

    it("reads the key ID and time of the spec example's cosignature", () => {
      const blob = decodeCanonicalBase64(specCosignature) ?? new Uint8Array();
      expect(keyIdHex(blob.slice(0, 4))).toBe('8d66cf3f');
      expect(cosignatureTime({ signature: blob.slice(4) }).getTime() / 1000).toBe(1679315147);
    });

    it('reads the time of a transparency-dev cosignature and refuses a plain signature as one', () => {
      // transparency-dev/formats note/note_cosigv1_test.go TestCoSigV1Timestamp.
      const cosignature =
        decodeCanonicalBase64(
          'ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==',
        ) ?? new Uint8Array();
      expect(cosignatureTime({ signature: cosignature.slice(4) }).toISOString()).toBe(
        new Date(1727964367 * 1000).toISOString(),
      );
      const plain =
        decodeCanonicalBase64(
          'eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=',
        ) ?? new Uint8Array();
      expect(codeOf(() => cosignatureTime({ signature: plain.slice(4) }))).toBe('MALFORMED_COSIGNATURE');
    });

    it('cosigns with the time of the injected clock, and the cosignature verifies', () => {
      const cosigned = cosignCheckpoint(checkpoint, cosigner, trust);
      const [cosignature] = verifyCheckpoint(cosigned, {
        ...trust,
        witnesses: [cosignerVerifier],
      }).cosignatures;
      expect(cosignature?.verified).toBe(true);
      expect(cosignatureTime(cosignature ?? { signature: new Uint8Array() }).toISOString()).toBe(
        '2026-03-01T12:00:00.000Z',
      );
    });

    it('replaces its own older cosignature when it cosigns again later', () => {
      const first = cosignCheckpoint(checkpoint, cosigner, trust);
      clock.set('2026-03-01T12:05:00Z');
      const second = cosignCheckpoint(first, cosigner, trust);
      const { cosignatures } = verifyCheckpoint(second, { ...trust, witnesses: [cosignerVerifier] });
      expect(cosignatures).toHaveLength(1);
      expect(cosignatureTime(cosignatures[0] ?? { signature: new Uint8Array() }).toISOString()).toBe(
        '2026-03-01T12:05:00.000Z',
      );
    });

    it('refuses a cosignature whose timestamp was changed: the time is signed', () => {
      const cosigned = cosignCheckpoint(checkpoint, cosigner, trust);
      const line = cosigned.split('\n').at(-2) ?? '';
      const blob = decodeCanonicalBase64(line.split(' ')[2] ?? '') ?? new Uint8Array();
      for (let i = 4; i < 12; i++) {
        const changed = blob.slice();
        changed[i] = (changed[i] ?? 0) ^ 0x01;
        const forged = cosigned.replace(line, `— witness.example/w1 ${encodeBase64(changed)}`);
        expect(codeOf(() => verifyCheckpoint(forged, { ...trust, witnesses: [cosignerVerifier] }))).toBe(
          'BAD_SIGNATURE',
        );
      }
    });

    it('does not accept a plain Ed25519 signature by the same key as a cosignature', () => {
      const { seed, publicKey } = decodeNotePrivateKey(keys.signerKey);
      const plainVerifier = noteVerifierFromKey(
        encodeNoteVerifierKey({ name: 'witness.example/w1', type: 'ed25519', publicKey }),
      );
      expect(keyIdHex(plainVerifier.keyId)).not.toBe(keyIdHex(cosignerVerifier.keyId));
      const plain = noteSignerFromPrivateKey(
        `PRIVATE+KEY+witness.example/w1+${keyIdHex(plainVerifier.keyId)}+${encodeBase64(Uint8Array.of(1, ...seed))}`,
      );
      const message = new TextEncoder().encode(formatCheckpoint({ origin, size: 42, rootHash: rootOf('a') }));
      expect(cosignerVerifier.verify(message, plain.sign(message))).toBe(false);
    });

    it('signs nothing but a checkpoint', () => {
      expect(codeOf(() => signNote('hello\n', [cosigner]))).toBe('MALFORMED_CHECKPOINT');
    });
  });
});

describe('split views', () => {
  const a = verifyCheckpoint(signedCheckpoint(42, rootOf('a')), trust);
  const b = verifyCheckpoint(signedCheckpoint(42, rootOf('b')), trust);

  it('detects two roots for one size and returns both notes as evidence anyone can check', () => {
    const evidence = detectSplitView(a, b);
    expect(evidence).toEqual({ origin, size: 42, notes: [a.note, b.note] });
    if (evidence === undefined) throw new Error('expected evidence');
    expect(verifySplitViewEvidence(evidence, trust)).toEqual(evidence);
  });

  it('is detectable by a witness holding only the log key, through cosigned notes', () => {
    const seen = verifyCheckpoint(cosignCheckpoint(a.note, witness, trust), trust);
    const shown = verifyCheckpoint(signedCheckpoint(42, rootOf('b')), trust);
    const evidence = detectSplitView(seen, shown);
    expect(evidence?.notes[0]).toContain('— Known ');
    if (evidence === undefined) throw new Error('expected evidence');
    expect(verifySplitViewEvidence(evidence, trust).size).toBe(42);
  });

  it('finds no split view in one root, or in two sizes (those need a consistency proof)', () => {
    expect(detectSplitView(a, verifyCheckpoint(signedCheckpoint(42, rootOf('a')), trust))).toBeUndefined();
    expect(detectSplitView(a, verifyCheckpoint(signedCheckpoint(43, rootOf('b')), trust))).toBeUndefined();
  });

  it('refuses to compare checkpoints of two logs', () => {
    const other = { ...b, origin: 'other.example/log' };
    expect(codeOf(() => detectSplitView(a, other))).toBe('WRONG_ORIGIN');
  });

  it('refuses evidence that is not two verified checkpoints of one size with different roots', () => {
    expect(codeOf(() => verifySplitViewEvidence({ origin, size: 42, notes: [a.note, a.note] }, trust))).toBe(
      'NOT_A_SPLIT_VIEW',
    );
    const bigger = signedCheckpoint(43, rootOf('b'));
    expect(codeOf(() => verifySplitViewEvidence({ origin, size: 42, notes: [a.note, bigger] }, trust))).toBe(
      'NOT_A_SPLIT_VIEW',
    );
    // A forged second note: b's text under a's signature.
    const [bText] = b.note.split('\n\n');
    const [, aSignatures] = a.note.split('\n\n');
    const forged = `${bText}\n\n${aSignatures}`;
    expect(codeOf(() => verifySplitViewEvidence({ origin, size: 42, notes: [a.note, forged] }, trust))).toBe(
      'BAD_SIGNATURE',
    );
    const byStranger = signedCheckpoint(42, rootOf('b'), [stranger]);
    expect(
      codeOf(() => verifySplitViewEvidence({ origin, size: 42, notes: [a.note, byStranger] }, trust)),
    ).toBe('NO_VERIFIED_SIGNATURE');
  });

  it('opens evidence notes with ordinary signed-note tooling', () => {
    expect(openNote(a.note, [trust.verifier]).text).toBe(
      formatCheckpoint({ origin, size: 42, rootHash: rootOf('a') }),
    );
  });
});
