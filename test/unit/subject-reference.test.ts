import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFootprintKeys } from '#local/seed/footprint-keys.ts';
import {
  FootprintKeyFileError,
  type FootprintKeyFileErrorCode,
  footprintKeyFileOf,
  generateFootprintKey,
  readFootprintKeyFile,
  writeNewFootprintKeyFile,
} from '#shared/adapters/crypto/footprint-key-file.ts';
import {
  deriveSubjectReference,
  type FootprintKey,
  isValidNhsNumber,
  type NhsNumberFault,
  nhsNumberCheckDigit,
  normaliseNhsNumber,
  parseSubjectReference,
  type SubjectIdentifier,
  SubjectReferenceError,
  type SubjectReferenceErrorCode,
  subjectReferenceSchema,
} from '#shared/domain/subjects/subject-reference.ts';
import { fixedClock } from '../support/fixed-clock.ts';

/**
 * Subject references against (1) a known answer pinned here and recomputed by an independent implementation
 * (WebCrypto HMAC over the byte string docs/SUBJECT-REFERENCES.md documents, assembled byte by byte), (2) the NHS
 * Data Dictionary's Modulus 11 rule, and (3) corruption probes of the reference format.
 */

/** The fixed test key: bytes 0x00..0x1f. */
const testKeyBytes = new Uint8Array(Array.from({ length: 32 }, (_, i) => i));
const nwBcu: FootprintKey = { footprintId: 'north-west-bcu', key: testKeyBytes };
const nhs = (nhsNumber: string): SubjectIdentifier => ({ kind: 'nhs-number', nhsNumber });

/**
 * The documented construction, written again without the module: HMAC-SHA-256 over
 * label 0x00 footprintId 0x00 nhsNumber (local: label 0x00 footprintId 0x00 organisationId 0x00 localId).
 */
const independentMac = async (key: Uint8Array, fields: readonly string[]): Promise<string> => {
  const encoded = fields.map((f) => new TextEncoder().encode(f));
  const bytes = new Uint8Array(encoded.reduce((n, f) => n + f.length, 0) + encoded.length - 1);
  let at = 0;
  encoded.forEach((field, i) => {
    if (i > 0) bytes[at++] = 0x00;
    bytes.set(field, at);
    at += field.length;
  });
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return Buffer.from(await crypto.subtle.sign('HMAC', cryptoKey, bytes)).toString('base64url');
};

const errorOf = (action: () => unknown): SubjectReferenceError => {
  try {
    action();
  } catch (error) {
    if (error instanceof SubjectReferenceError) return error;
    throw error;
  }
  throw new Error('expected a SubjectReferenceError');
};

const expectRefused = (
  action: () => unknown,
  code: SubjectReferenceErrorCode,
  reason?: NhsNumberFault,
): SubjectReferenceError => {
  const error = errorOf(action);
  expect(error.code).toBe(code);
  if (reason !== undefined) expect(error.reason).toBe(reason);
  return error;
};

describe('deriveSubjectReference', () => {
  // Pinned so that a change to the construction cannot pass by changing both sides; also computed with
  // `printf 'pbx-subject-v1\x00north-west-bcu\x009434765919' | openssl dgst -sha256 -mac HMAC -macopt hexkey:000102…1f`.
  const knownNhs = 'sr1.north-west-bcu.w121h-YFPgwSDjDC0Mo5iKPZ2vi9TNWGvGqdUVzUjMc';
  const knownLocal = 'srl1.north-west-bcu.zuuoVonHRnHgjEUouvm3n4zNAnA1SXMViLFIJQGjt7Q';

  it('matches the known answer and an independent HMAC of the documented bytes (NHS number)', async () => {
    const reference = deriveSubjectReference(nwBcu, nhs('943 476 5919'));
    expect(reference).toBe(knownNhs);
    const mac = await independentMac(testKeyBytes, ['pbx-subject-v1', 'north-west-bcu', '9434765919']);
    expect(reference).toBe(`sr1.north-west-bcu.${mac}`);
  });

  it('matches the known answer and an independent HMAC of the documented bytes (local identifier)', async () => {
    const reference = deriveSubjectReference(nwBcu, {
      kind: 'local',
      organisationId: 'lb-brent',
      localId: 'MOSAIC-123456',
    });
    expect(reference).toBe(knownLocal);
    const mac = await independentMac(testKeyBytes, [
      'pbx-subject-local-v1',
      'north-west-bcu',
      'lb-brent',
      'MOSAIC-123456',
    ]);
    expect(reference).toBe(`srl1.north-west-bcu.${mac}`);
  });

  it('agrees with the independent implementation for random keys, footprints and valid NHS numbers', async () => {
    const validNhsNumber = fc
      .tuple(fc.stringMatching(/^\d{9}$/))
      .map(([nine]) => ({ nine, check: nhsNumberCheckDigit(nine) }))
      .filter(({ nine, check }) => check !== undefined && !/^(\d)\1{8}$/.test(nine))
      .map(({ nine, check }) => `${nine}${check}`);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/),
        validNhsNumber,
        async (key, footprintId, nhsNumber) => {
          const reference = deriveSubjectReference({ footprintId, key }, nhs(nhsNumber));
          const mac = await independentMac(key, ['pbx-subject-v1', footprintId, nhsNumber]);
          expect(reference).toBe(`sr1.${footprintId}.${mac}`);
          expect(subjectReferenceSchema.safeParse(reference).success).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives two boroughs holding one footprint key the same reference for one child', () => {
    // Each borough's system loads its own copy of the key the footprint's lead distributed.
    const brentCopy: FootprintKey = { footprintId: 'north-west-bcu', key: Uint8Array.from(testKeyBytes) };
    const harrowCopy: FootprintKey = { footprintId: 'north-west-bcu', key: Uint8Array.from(testKeyBytes) };
    expect(deriveSubjectReference(brentCopy, nhs('9434765919'))).toBe(
      deriveSubjectReference(harrowCopy, nhs('943-476-5919')),
    );
  });

  it('gives another reference in another footprint, under another key, and for another child', () => {
    const reference = deriveSubjectReference(nwBcu, nhs('9434765919'));
    const otherFootprint = deriveSubjectReference(
      { ...nwBcu, footprintId: 'east-area-bcu' },
      nhs('9434765919'),
    );
    const otherKey = Uint8Array.from(testKeyBytes);
    otherKey[31] = (otherKey[31] ?? 0) ^ 0x01;
    const others = [
      otherFootprint,
      deriveSubjectReference({ footprintId: 'north-west-bcu', key: otherKey }, nhs('9434765919')),
      deriveSubjectReference(nwBcu, nhs('9000000009')),
      // A local identifier never collides with an NHS number, even one of the same digits.
      deriveSubjectReference(nwBcu, { kind: 'local', organisationId: 'lb-brent', localId: '9434765919' }),
      deriveSubjectReference(nwBcu, { kind: 'local', organisationId: 'lb-harrow', localId: '9434765919' }),
    ];
    expect(new Set([reference, ...others]).size).toBe(others.length + 1);
    // Even with the same key, the footprint is part of the MAC, not only of the label.
    expect(otherFootprint.split('.')[2]).not.toBe(reference.split('.')[2]);
  });

  it('normalises the printed forms of one NHS number to one reference', () => {
    const forms = ['9434765919', '943 476 5919', '943-476-5919', '  9434765919\n', '943 476-5919'];
    const references = new Set(forms.map((form) => deriveSubjectReference(nwBcu, nhs(form))));
    expect(references.size).toBe(1);
  });

  it('refuses a bad footprint id or key, and a bad local identifier', () => {
    expectRefused(
      () => deriveSubjectReference({ footprintId: 'North West', key: testKeyBytes }, nhs('9434765919')),
      'INVALID_FOOTPRINT_ID',
    );
    for (const length of [0, 16, 31, 33, 64]) {
      expectRefused(
        () =>
          deriveSubjectReference(
            { footprintId: 'north-west-bcu', key: new Uint8Array(length) },
            nhs('9434765919'),
          ),
        'INVALID_FOOTPRINT_KEY',
      );
    }
    for (const localId of ['', 'a b', 'x\u0000y', 'é', 'x'.repeat(129)]) {
      expectRefused(
        () => deriveSubjectReference(nwBcu, { kind: 'local', organisationId: 'lb-brent', localId }),
        'INVALID_LOCAL_IDENTIFIER',
      );
    }
    expectRefused(
      () => deriveSubjectReference(nwBcu, { kind: 'local', organisationId: 'LB Brent', localId: 'x1' }),
      'INVALID_LOCAL_IDENTIFIER',
    );
  });
});

describe('NHS numbers (NHS Data Dictionary, Modulus 11)', () => {
  it('accepts valid numbers, published test numbers included', () => {
    // 943 476 5919 appears as a test patient in NHS England's API documentation; 900 000 0009 is a sandbox one.
    for (const valid of ['9434765919', '9000000009', '4010232137', '943 476 5919']) {
      expect(isValidNhsNumber(valid)).toBe(true);
    }
    expect(normaliseNhsNumber(' 943-476-5919 ')).toBe('9434765919');
  });

  it('refuses every wrong check digit, and a check digit of 10', () => {
    for (let digit = 0; digit <= 9; digit += 1) {
      if (digit === 9) continue;
      expectRefused(() => normaliseNhsNumber(`943476591${digit}`), 'INVALID_NHS_NUMBER', 'check-digit');
    }
    // 943476596 and 123456789 weigh to a remainder of 1: check digit 10, so no last digit makes them valid.
    expect(nhsNumberCheckDigit('943476596')).toBeUndefined();
    expect(nhsNumberCheckDigit('123456789')).toBeUndefined();
    for (let digit = 0; digit <= 9; digit += 1) {
      expectRefused(() => normaliseNhsNumber(`943476596${digit}`), 'INVALID_NHS_NUMBER', 'check-digit');
      expectRefused(() => normaliseNhsNumber(`123456789${digit}`), 'INVALID_NHS_NUMBER', 'check-digit');
    }
  });

  it('refuses a one-digit-repeated placeholder, though it passes Modulus 11', () => {
    for (let digit = 0; digit <= 9; digit += 1) {
      const placeholder = String(digit).repeat(10);
      expect(nhsNumberCheckDigit(placeholder.slice(0, 9))).toBe(digit);
      expectRefused(() => normaliseNhsNumber(placeholder), 'INVALID_NHS_NUMBER', 'repeated-digit');
    }
  });

  it('refuses wrong lengths, letters and odd groupings', () => {
    const malformed = [
      '',
      '943476591',
      '94347659190',
      '943476591X',
      'A434765919',
      '９４３４７６５９１９', // full-width digits
      '94 3476 5919',
      '943  476 5919',
      '943.476.5919',
      '943_476_5919',
      '+9434765919',
      '-9434765919',
      '9434765919-',
      '943\t476\t5919',
    ];
    for (const input of malformed)
      expectRefused(() => normaliseNhsNumber(input), 'INVALID_NHS_NUMBER', 'format');
  });

  it('never puts the number it refuses into the error', () => {
    for (const input of ['9434765918', '1111111111', '94347659']) {
      const error = errorOf(() => deriveSubjectReference(nwBcu, nhs(input)));
      expect(error.message).not.toContain(input);
      expect(error.message).not.toMatch(/\d{6}/);
    }
  });

  it('agrees with a reference model of the Modulus 11 rule on any ten digits', () => {
    const model = (digits: string): boolean => {
      const sum = [...digits.slice(0, 9)].reduce((s, d, i) => s + Number(d) * (10 - i), 0);
      const check = (11 - (sum % 11)) % 11;
      return check !== 10 && check === Number(digits[9]) && !/^(\d)\1{9}$/.test(digits);
    };
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), (digits) => isValidNhsNumber(digits) === model(digits)),
    );
  });
});

describe('subjectReferenceSchema', () => {
  const good = deriveSubjectReference(nwBcu, nhs('9434765919'));
  const goodLocal = deriveSubjectReference(nwBcu, {
    kind: 'local',
    organisationId: 'lb-brent',
    localId: 'x1',
  });

  it('accepts derived references and parses their parts', () => {
    expect(subjectReferenceSchema.parse(good)).toBe(good);
    expect(subjectReferenceSchema.parse(goodLocal)).toBe(goodLocal);
    const parsed = parseSubjectReference(good);
    expect(parsed).toMatchObject({ kind: 'nhs-number', footprintId: 'north-west-bcu' });
    expect(parsed?.mac).toHaveLength(32);
    expect(parseSubjectReference(goodLocal)).toMatchObject({ kind: 'local', footprintId: 'north-west-bcu' });
  });

  it('rejects malformed references: truncated, extended, wrong prefix, footprint or alphabet', () => {
    const [, , mac = ''] = good.split('.');
    const malformed = [
      '',
      '9434765919',
      good.slice(0, -1),
      `${good}A`,
      `${good}=`,
      good.replace('sr1.', 'sr2.'),
      good.replace('sr1.', 'SR1.'),
      good.replace('sr1.', ''),
      good.replace('north-west-bcu', 'North-West-BCU'),
      good.replace('north-west-bcu', 'n'),
      good.replace('north-west-bcu.', ''),
      `sr1.north-west-bcu.${mac.replace(/^./, '+')}`,
      `sr1.north-west-bcu.${mac.replace(/^./, '/')}`,
      `sr1.north-west-bcu.${Buffer.from(testKeyBytes).toString('base64')}`,
      ` ${good}`,
      `${good}\n`,
      `sr1.north-west-bcu.${mac}.extra`,
    ];
    for (const reference of malformed) {
      expect(subjectReferenceSchema.safeParse(reference).success, reference).toBe(false);
      expect(parseSubjectReference(reference)).toBeUndefined();
    }
  });

  it('rejects a last character that does not end 32 bytes (non-zero padding bits)', () => {
    const stem = good.slice(0, -1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const accepted = [...alphabet].filter((c) => subjectReferenceSchema.safeParse(`${stem}${c}`).success);
    expect(accepted).toHaveLength(16);
    for (const c of accepted) {
      expect(Buffer.from(`${stem}${c}`.split('.')[2] ?? '', 'base64url').toString('base64url')).toBe(
        `${stem}${c}`.split('.')[2],
      );
    }
  });
});

describe('footprint key files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pbx-footprint-keys-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const readCode = async (file: string, footprintId: string): Promise<FootprintKeyFileErrorCode> => {
    try {
      await readFootprintKeyFile(file, footprintId);
    } catch (error) {
      if (error instanceof FootprintKeyFileError) return error.code;
      throw error;
    }
    throw new Error('expected a FootprintKeyFileError');
  };

  it('round-trips a generated key, owner-readable only, never overwritten', async () => {
    const file = footprintKeyFileOf(dir, 'north-west-bcu');
    const key = generateFootprintKey('north-west-bcu');
    expect(key.key).toHaveLength(32);
    expect(await writeNewFootprintKeyFile(file, key, new Date('2026-01-01T00:00:00Z'))).toBe(true);
    expect(await writeNewFootprintKeyFile(file, generateFootprintKey('north-west-bcu'), new Date())).toBe(
      false,
    );
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const read = await readFootprintKeyFile(file, 'north-west-bcu');
    expect(Buffer.from(read.key).equals(Buffer.from(key.key))).toBe(true);
  });

  it('refuses a missing file, another footprint key, and a malformed one', async () => {
    const file = footprintKeyFileOf(dir, 'north-west-bcu');
    expect(await readCode(footprintKeyFileOf(dir, 'nowhere'), 'nowhere')).toBe('MISSING');
    expect(await readCode(file, 'east-area-bcu')).toBe('WRONG_FOOTPRINT');
    const content = JSON.parse(await readFile(file, 'utf8'));
    const bad = join(dir, 'bad.json');
    for (const variant of [
      'not json',
      JSON.stringify({ ...content, key: content.key.slice(0, -1) }),
      JSON.stringify({ ...content, key: Buffer.alloc(16).toString('base64url') }),
      JSON.stringify({ ...content, version: 2 }),
      JSON.stringify({ ...content, type: 'jwk' }),
    ]) {
      await writeFile(bad, variant);
      expect(await readCode(bad, 'north-west-bcu')).toBe('MALFORMED');
    }
  });

  it('seeds one key per footprint once and keeps it across restarts', async () => {
    const keysDir = join(dir, 'seeded');
    const clock = fixedClock('2026-02-01T00:00:00Z');
    const footprintIds = ['north-west-bcu', 'east-area-bcu'];
    expect(await ensureFootprintKeys({ clock }, { keysDir, footprintIds })).toEqual({ generated: 2 });
    const before = await readFile(footprintKeyFileOf(keysDir, 'north-west-bcu'), 'utf8');
    expect(await ensureFootprintKeys({ clock }, { keysDir, footprintIds })).toEqual({ generated: 0 });
    expect(await readFile(footprintKeyFileOf(keysDir, 'north-west-bcu'), 'utf8')).toBe(before);
    const [nw, ea] = await Promise.all(
      footprintIds.map((id) => readFootprintKeyFile(footprintKeyFileOf(keysDir, id), id)),
    );
    expect(Buffer.from(nw?.key ?? []).equals(Buffer.from(ea?.key ?? []))).toBe(false);
  });
});
