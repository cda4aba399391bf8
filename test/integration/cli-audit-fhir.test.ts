import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { footprintKeyFileOf, readFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import type { AuditEvent, AuditEventEntity } from '#shared/domain/audit/fhir-r4.ts';
import { pbxIdentifierSystems } from '#shared/domain/audit/fhir-terminology.ts';
import { verifyInclusion } from '#shared/domain/audit/merkle.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { inclusionProofSchema } from '#shared/http/api-contract.ts';
import { validateFhirR4 } from '../support/fhir-validator.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';
import { runPbx } from '../support/pbx-cli.ts';

/**
 * `pbx audit export --format fhir` run as an IG lead runs it against a local exchange after a submission and a
 * refusal: every line is a FHIR R4 AuditEvent the validator accepts, one for each entry the evidence pack holds in
 * full, each tracing to its leaf (the same leaf hash at the same index, and an inclusion proof that verifies
 * against the checkpoint), and no line holds the child's NHS number or the justification.
 */

let exchange: RunningExchange;
let workDir: string;
let subjectRef: string;

const pbx = (args: readonly string[], options: { stdin?: string } = {}) =>
  runPbx({ url: exchange.url, keysDir: exchange.keysDir, cwd: workDir }, args, options);

const practitioner = ['--as', 'lb-brent-system', '--sub', 'lb-brent.practitioner'];
const igLead = ['--as', 'lb-brent-system', '--sub', 'lb-brent.ig-lead'];
const nhsNumber = '9434765919';
const justification =
  'MASH referral: concerns raised by the school about a Brent child with family in Harrow';

const mashRequest = (purpose: string): string[] => [
  'request',
  'create',
  ...practitioner,
  '--to',
  'lb-harrow',
  '--agreement',
  'isa-nw-bcu-mash',
  '--purpose',
  purpose,
  '--categories',
  'identity-residence,protection-status',
  '--basis',
  'UKGDPR-6-1-e,CA1989-s47,UKGDPR-9-2-g,DPA2018-S1-P2-18',
  '--consent',
  'not-sought',
  '--exemption',
  'would-prejudice-protection',
  '--rationale',
  'seeking consent would put the child at risk of significant harm',
  '--nhs-number',
  '-',
  '--urgency',
  'urgent',
  '--justification',
  justification,
];

const summarySchema = z.object({
  format: z.literal('fhir'),
  origin: z.string(),
  size: z.number(),
  rootHash: z.string(),
  from: z.number(),
  to: z.number(),
  resources: z.number(),
  skipped: z.number(),
});
const packSchema = z.object({
  leaves: z.array(
    z.object({ index: z.number(), leafHash: z.string(), entry: z.object({ id: z.string() }).optional() }),
  ),
});

const leafOf = (event: AuditEvent): AuditEventEntity | undefined =>
  event.entity?.find((e) => e.what?.identifier?.system === pbxIdentifierSystems.auditLeaf);
const detail = (entity: AuditEventEntity | undefined, type: string): string | undefined => {
  const found = entity?.detail?.find((d) => d.type === type);
  return found === undefined
    ? undefined
    : 'valueString' in found
      ? found.valueString
      : found.valueBase64Binary;
};
const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-cli-audit-fhir-'));
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  const key = await readFootprintKeyFile(
    footprintKeyFileOf(exchange.keysDir, 'north-west-bcu'),
    'north-west-bcu',
  );
  subjectRef = deriveSubjectReference(key, { kind: 'nhs-number', nhsNumber });
  const submitted = await pbx(mashRequest('SAFEGUARDING_REFERRAL_MASH'), { stdin: `${nhsNumber}\n` });
  expect(submitted.code).toBe(0);
  // A purpose the agreement does not have: refused by the engine, and recorded.
  const refused = await pbx(mashRequest('CDR_CASE_REVIEW'), { stdin: `${nhsNumber}\n` });
  expect(refused.code).toBe(1);
  await exchange.runSchedule('SequenceAuditLog');
  await exchange.runSchedule('PublishAuditCheckpoint');
}, 120_000);

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('pbx audit export --format fhir', () => {
  it('writes one valid AuditEvent for each entry in full, each traced to its leaf and proof', async () => {
    const exported = await pbx([
      'audit',
      'export',
      '--format',
      'fhir',
      '--out',
      'audit.ndjson',
      '--json',
      ...igLead,
    ]);
    expect(exported.code).toBe(0);
    const summary = summarySchema.parse(JSON.parse(exported.stdout));
    const packed = await pbx(['audit', 'export', '--out', 'pack.json', ...igLead]);
    expect(packed.code).toBe(0);
    expect(packed.stdout).toContain(`size ${summary.size}, root ${summary.rootHash}`);
    const pack = packSchema.parse(JSON.parse(await readFile(join(workDir, 'pack.json'), 'utf8')));

    const text = await readFile(join(workDir, 'audit.ndjson'), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const events = text
      .slice(0, -1)
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEvent);
    expect(events.length).toBe(summary.resources);
    const inFull = pack.leaves.filter((leaf) => leaf.entry !== undefined);
    expect({ resources: summary.resources, skipped: summary.skipped }).toEqual({
      resources: inFull.length,
      skipped: pack.leaves.length - inFull.length,
    });
    expect(summary.skipped).toBeGreaterThan(0);
    expect(summary).toMatchObject({ from: 0, to: summary.size });

    for (const event of events) {
      expect({ id: event.id, errors: validateFhirR4(event).errors }).toEqual({ id: event.id, errors: [] });
      const leaf = leafOf(event);
      const index = Number(leaf?.what?.identifier?.value);
      expect(detail(leaf, 'log-origin')).toBe(summary.origin);
      expect(event.source.observer.identifier?.value).toBe(summary.origin);
      const packLeaf = pack.leaves[index];
      expect({ index: packLeaf?.index, leafHash: packLeaf?.leafHash, id: packLeaf?.entry?.id }).toEqual({
        index,
        leafHash: detail(leaf, 'leafHash'),
        id: event.id,
      });
    }
    expect(text).not.toContain(nhsNumber);
    expect(text).not.toContain(justification);

    const submissions = events.filter((e) => e.subtype?.some((c) => c.code === 'request.submit'));
    const allowed = submissions.find((e) => e.outcome === '0');
    const refused = submissions.find((e) => e.outcome === '4');
    expect(refused?.outcomeDesc).toMatch(/^[A-Z_]+( [A-Z_]+)*$/);
    expect(allowed?.entity?.find((e) => e.role?.code === '1')?.what?.identifier).toEqual({
      system: pbxIdentifierSystems.subjectReference,
      value: subjectRef,
    });
    expect(allowed?.agent[0]?.who?.identifier?.value).toBe('lb-brent.practitioner');

    // The submission's leaf, from the resource alone, proved against the checkpoint the export verified.
    if (allowed === undefined) throw new Error('the export has no allowed submission');
    const leaf = leafOf(allowed);
    const index = Number(leaf?.what?.identifier?.value);
    const answer = await (await clientActingFor(exchange, 'lb-brent.ig-lead')).call(
      'GET',
      `/v1/audit/proofs/inclusion?index=${index}&size=${summary.size}`,
    );
    expect(answer.status).toBe(200);
    const proof = inclusionProofSchema.parse(answer.body);
    const leafHash = bytes(detail(leaf, 'leafHash') ?? '');
    expect(() =>
      verifyInclusion(leafHash, index, summary.size, proof.proof.map(bytes), bytes(summary.rootHash)),
    ).not.toThrow();
    const otherIndex = index === 0 ? 1 : index - 1;
    expect(() =>
      verifyInclusion(leafHash, otherIndex, summary.size, proof.proof.map(bytes), bytes(summary.rootHash)),
    ).toThrow();
  }, 120_000);

  it('says what it wrote and skipped, and refuses a format it does not know', async () => {
    const exported = await pbx([
      'audit',
      'export',
      '--format',
      'fhir',
      '--out',
      'range.ndjson',
      '--to',
      '5',
      ...igLead,
    ]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(
      /^wrote (\d+) FHIR AuditEvent resources \(NDJSON\) for leaves \[0, 5\) to range\.ndjson; skipped (\d+) leaves/,
    );
    const [, written, skipped] = /^wrote (\d+) .*skipped (\d+)/.exec(exported.stdout) ?? [];
    expect(Number(written) + Number(skipped)).toBe(5);
    const lines = (await readFile(join(workDir, 'range.ndjson'), 'utf8')).split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(Number(written));

    const unknown = await pbx(['audit', 'export', '--format', 'xml', '--out', 'x.xml', ...igLead]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--format must be one of evidence, fhir');
  }, 120_000);
});
