import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { footprintKeyFileOf, readFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import { deriveSubjectReference, subjectReferenceSchema } from '#shared/domain/subjects/subject-reference.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { runPbx } from '../support/pbx-cli.ts';

let exchange: RunningExchange;
let workDir: string;

const pbx = (args: readonly string[], options: { stdin?: string } = {}) =>
  runPbx({ url: exchange.url, keysDir: exchange.keysDir, cwd: workDir }, args, options);

/** The number in every form it could be echoed in. */
const nhsForms = ['9434765919', '943 476 5919', '943-476-5919', '4765919'];

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-cli-subject-'));
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
});

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe.concurrent('pbx subject ref', () => {
  it("prints the reference under the local exchange's footprint key, never the NHS number", async ({
    expect,
  }) => {
    const [spaced, fromStdin, json] = await Promise.all([
      pbx(['subject', 'ref', '--footprint', 'north-west-bcu', '--nhs-number', '943 476 5919']),
      pbx(['subject', 'ref', '--footprint', 'north-west-bcu', '--nhs-number', '-'], {
        stdin: '943-476-5919\n',
      }),
      pbx(['subject', 'ref', '--footprint', 'north-west-bcu', '--nhs-number', '9434765919', '--json']),
    ]);
    const key = await readFootprintKeyFile(
      footprintKeyFileOf(exchange.keysDir, 'north-west-bcu'),
      'north-west-bcu',
    );
    const expected = deriveSubjectReference(key, { kind: 'nhs-number', nhsNumber: '9434765919' });

    expect(spaced).toEqual({ code: 0, stdout: `${expected}\n`, stderr: '' });
    expect(fromStdin).toEqual({ code: 0, stdout: `${expected}\n`, stderr: '' });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      reference: expected,
      footprintId: 'north-west-bcu',
      kind: 'nhs-number',
    });
    expect(subjectReferenceSchema.safeParse(expected).success).toBe(true);
    for (const outcome of [spaced, fromStdin, json]) {
      for (const form of nhsForms) expect(outcome.stdout + outcome.stderr).not.toContain(form);
    }
  });

  it('gives another footprint another reference, and a local identifier one of its own', async ({
    expect,
  }) => {
    const [northWest, eastArea, local] = await Promise.all([
      pbx(['subject', 'ref', '--footprint', 'north-west-bcu', '--nhs-number', '9434765919']),
      pbx(['subject', 'ref', '--footprint', 'east-area-bcu', '--nhs-number', '9434765919']),
      pbx([
        'subject',
        'ref',
        '--footprint',
        'north-west-bcu',
        '--local-id',
        'MOSAIC-42',
        '--organisation',
        'lb-brent',
      ]),
    ]);
    expect([northWest.code, eastArea.code, local.code]).toEqual([0, 0, 0]);
    expect(eastArea.stdout).toMatch(/^sr1\.east-area-bcu\./);
    expect(local.stdout).toMatch(/^srl1\.north-west-bcu\./);
    expect(new Set([northWest.stdout, eastArea.stdout, local.stdout]).size).toBe(3);
  });

  it('refuses an invalid NHS number, a missing or wrong key file, without echoing the number', async ({
    expect,
  }) => {
    const [badCheck, missingKey, wrongKey, neither] = await Promise.all([
      pbx(['subject', 'ref', '--footprint', 'north-west-bcu', '--nhs-number', '9434765918']),
      pbx(['subject', 'ref', '--footprint', 'no-such-footprint', '--nhs-number', '9434765919']),
      pbx([
        'subject',
        'ref',
        '--footprint',
        'north-west-bcu',
        '--nhs-number',
        '9434765919',
        '--key-file',
        footprintKeyFileOf(exchange.keysDir, 'east-area-bcu'),
      ]),
      pbx(['subject', 'ref', '--footprint', 'north-west-bcu']),
    ]);
    for (const outcome of [badCheck, missingKey, wrongKey, neither]) {
      expect(outcome.code).toBe(2);
      expect(outcome.stdout).toBe('');
      for (const form of [...nhsForms, '9434765918']) expect(outcome.stderr).not.toContain(form);
    }
    expect(missingKey.stderr).toContain('no-such-footprint.footprint-key.json');
    expect(wrongKey.stderr).toContain('east-area-bcu');
  });

  it('is seeded one key per footprint, and the exchange is not given any of them', async ({ expect }) => {
    const files = await readdir(exchange.keysDir);
    for (const { id } of registrySeed.footprints) expect(files).toContain(`${id}.footprint-key.json`);
    const keys = await Promise.all(
      registrySeed.footprints.map(({ id }) =>
        readFootprintKeyFile(footprintKeyFileOf(exchange.keysDir, id), id),
      ),
    );
    const environment = JSON.stringify(exchange.env);
    for (const { key } of keys) {
      expect(environment).not.toContain(Buffer.from(key).toString('base64url'));
      expect(environment).not.toContain(Buffer.from(key).toString('hex'));
    }
  });
});
