import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { localKeyFile, PbxClient, readPrivateKey } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { checkpointKeyFromSecret } from '#shared/adapters/crypto/checkpoint-key.ts';
import { noteVerifierFromKey } from '#shared/adapters/crypto/note-keys.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import {
  formatCheckpoint,
  verifyCheckpoint,
  verifySplitViewEvidence,
} from '#shared/domain/audit/checkpoint.ts';
import { signNote } from '#shared/domain/audit/signed-note.ts';
import { auditCheckpointSchema } from '#shared/http/api-contract.ts';
import { checkpointKeySecretEnvVar } from '#shared/resources.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';
import { runPbx } from '../support/pbx-cli.ts';

/**
 * `pbx audit witness` as a witness runs it against a local exchange: it cosigns the first checkpoint it sees, then
 * after the log grows checks a consistency proof before cosigning the next; the exchange then shows the witness's
 * line in the checkpoint note. Two roots the exchange signed for one size (a split view) make it refuse, exit 1.
 */

let exchange: RunningExchange;
let workDir: string;

/** Runs `pbx ARGS` as its own process against the exchange of this test. */
const pbx = (args: readonly string[], options: { stdin?: string } = {}) =>
  runPbx({ url: exchange.url, keysDir: exchange.keysDir, cwd: workDir }, args, options);

const igLead = ['--as', 'lb-brent-system', '--sub', 'lb-brent.ig-lead'];
const witness = ['audit', 'witness', '--witness-key', 'witness.key', '--state', 'state.json', ...igLead];
const publicationSchema = z.object({ published: z.boolean() });
const stateSchema = z.object({
  origin: z.string(),
  size: z.number(),
  rootHash: z.string(),
  note: z.string(),
});
const discoverySchema = z.object({ audit: z.object({ origin: z.string(), checkpointKey: z.string() }) });

/** Sequences the log and publishes a checkpoint of it, waiting out the checkpoint age the exchange runs with. */
const publishNewCheckpoint = async () => {
  await exchange.runSchedule('SequenceAuditLog');
  for (let attempt = 0; attempt < 10; attempt++) {
    const publication = publicationSchema.parse(await exchange.runSchedule('PublishAuditCheckpoint'));
    if (publication.published) return;
    await new Promise((settle) => setTimeout(settle, 300));
  }
  throw new Error('no checkpoint was published');
};

const brentIgLead = async () =>
  new PbxClient({
    url: exchange.url,
    clientId: 'lb-brent-system',
    key: await readPrivateKey(localKeyFile(exchange.keysDir, 'lb-brent-system')),
    audience: exchange.exchangeId,
    subject: 'lb-brent.ig-lead',
  });

const latestCheckpoint = async () => {
  const response = await (await brentIgLead()).auditCheckpoint();
  expect(response.status).toBe(200);
  return auditCheckpointSchema.parse(response.body);
};

const readState = async () =>
  stateSchema.parse(JSON.parse(await readFile(join(workDir, 'state.json'), 'utf8')));

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-audit-witness-'));
  exchange = await startExchange({
    schedules: false,
    checkpointMaxAgeSeconds: 1,
    dynamoDb: sharedDynamoDb(),
  });
  await pbx(['whoami', ...igLead]);
  await publishNewCheckpoint();
}, 120_000);

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('pbx audit witness', () => {
  let verifierKey = '';

  it('makes a cosignature key, and never overwrites one', async () => {
    const made = await pbx([
      'audit',
      'witness',
      '--init',
      '--key-out',
      'witness.key',
      '--name',
      'lb-brent-witness',
    ]);
    expect(made.code).toBe(0);
    verifierKey = /verifier key: (\S+)/.exec(made.stdout)?.[1] ?? '';
    expect(verifierKey).toMatch(/^lb-brent-witness\+[0-9a-f]{8}\+/);
    const again = await pbx([
      'audit',
      'witness',
      '--init',
      '--key-out',
      'witness.key',
      '--name',
      'lb-brent-witness',
    ]);
    expect(again.code).toBe(2);
  }, 60_000);

  it("cosigns only as a registered witness, registered by its own organisation's IG lead", async () => {
    // Not registered yet: refused, and nothing saved.
    const unregistered = await pbx(witness);
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toContain('WITNESS_NOT_REGISTERED');

    // Only an IG lead registers: a practitioner is refused.
    const practitioner = ['--as', 'lb-brent-system', '--sub', 'lb-brent.practitioner'];
    const register = ['audit', 'witness', '--register', '--witness-key', 'witness.key'];
    const notLead = await pbx([...register, ...practitioner]);
    expect(notLead.code).toBe(1);
    expect(notLead.stderr).toContain('NOT_PERMITTED');

    const registered = await pbx([...register, ...igLead]);
    expect(registered).toMatchObject({ code: 0 });
    expect(registered.stdout).toContain('registered witness lb-brent-witness');
    const again = await pbx([...register, ...igLead]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ALREADY_EXISTS');

    const listed = await (await brentIgLead()).listWitnesses();
    expect(listed.body.witnesses).toEqual([
      expect.objectContaining({ name: 'lb-brent-witness', verifierKey, organisationId: 'lb-brent' }),
    ]);

    // Harrow's IG lead holding Brent's witness key cannot cosign under Brent's witness name.
    const asHarrow = [
      'audit',
      'witness',
      '--witness-key',
      'witness.key',
      '--state',
      'harrow-state.json',
      '--as',
      'lb-harrow-system',
      '--sub',
      'lb-harrow.ig-lead',
    ];
    const harrow = await pbx(asHarrow);
    expect(harrow.code).toBe(1);
    expect(harrow.stderr).toContain('WITNESS_NOT_OF_ORGANISATION');

    // Each step is in the audit log: the registration allowed, each refusal with its code.
    const audit = new DynamoAuditLog(
      createDocumentClient(localDynamoClient(exchange)),
      exchange.tableName('audit'),
    );
    const steps = (await audit.readAll())
      .filter((e) => e.action === 'audit.witness.register' || e.action === 'audit.checkpoint.cosign')
      .map((e) => [e.action, e.actor.organisationId, e.outcome, e.reasonCodes]);
    expect(steps).toEqual([
      ['audit.checkpoint.cosign', 'lb-brent', 'refused', ['WITNESS_NOT_REGISTERED']],
      ['audit.witness.register', 'lb-brent', 'refused', ['NOT_PERMITTED']],
      ['audit.witness.register', 'lb-brent', 'allowed', []],
      ['audit.witness.register', 'lb-brent', 'refused', ['ALREADY_EXISTS']],
      ['audit.checkpoint.cosign', 'lb-harrow', 'refused', ['WITNESS_NOT_OF_ORGANISATION']],
    ]);
  }, 120_000);

  it('cosigns, checks consistency on the next run, and the checkpoint shows the verified cosignature', async () => {
    const first = await pbx(witness);
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain('no earlier checkpoint in the state file');
    const seen = await readState();

    // More audited traffic and a checkpoint of a larger tree in between.
    await Promise.all([pbx(['whoami', ...igLead]), pbx(['agreement', 'list', ...igLead])]);
    await publishNewCheckpoint();

    const second = await pbx(witness);
    expect(second).toMatchObject({ code: 0 });
    expect(second.stdout).toContain(`consistent with size ${seen.size} seen before`);
    const state = await readState();
    expect(state.size).toBeGreaterThan(seen.size);

    const latest = await latestCheckpoint();
    expect(latest.size).toBe(state.size);
    expect(latest.note).toContain('\n\u2014 lb-brent-witness ');
    expect(latest.cosignatures).toEqual([
      { name: 'lb-brent-witness', witnessKey: verifierKey, recordedAt: expect.any(String) },
    ]);
    const discovery = discoverySchema.parse(
      await (await fetch(`${exchange.url}/.well-known/pbx-exchange`)).json(),
    );
    const verified = verifyCheckpoint(latest.note, {
      origin: discovery.audit.origin,
      verifier: noteVerifierFromKey(discovery.audit.checkpointKey),
      witnesses: [noteVerifierFromKey(verifierKey)],
    });
    expect(verified.cosignatures.map(({ name, verified }) => ({ name, verified }))).toEqual([
      { name: 'lb-brent-witness', verified: true },
    ]);

    // Witnessing the same checkpoint again replaces the line rather than adding one.
    expect(await pbx(witness)).toMatchObject({ code: 0 });
    expect((await latestCheckpoint()).note.split('\u2014 lb-brent-witness ')).toHaveLength(2);
  }, 120_000);

  it('refuses a split view: another root the exchange signed for the size it shows, with the evidence', async () => {
    const state = await readState();
    const secret = exchange.env[checkpointKeySecretEnvVar] ?? '';
    const { origin, signer } = checkpointKeyFromSecret(exchange.exchangeId, secret);
    // What a log showing a split view would have shown this witness before: its key, this size, another root.
    const other = signNote(
      formatCheckpoint({ origin, size: state.size, rootHash: new Uint8Array(32).fill(1) }),
      [signer],
    );
    const tampered = { ...state, rootHash: Buffer.alloc(32, 1).toString('base64'), note: other };
    await writeFile(join(workDir, 'state.json'), `${JSON.stringify(tampered)}\n`);

    const refused = await pbx(witness);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('split view');
    const evidence = z
      .object({
        splitView: z.object({
          origin: z.string(),
          size: z.number(),
          notes: z.tuple([z.string(), z.string()]),
        }),
      })
      .parse(JSON.parse(refused.stdout)).splitView;
    const discovery = discoverySchema.parse(
      await (await fetch(`${exchange.url}/.well-known/pbx-exchange`)).json(),
    );
    expect(
      verifySplitViewEvidence(evidence, {
        origin: discovery.audit.origin,
        verifier: noteVerifierFromKey(discovery.audit.checkpointKey),
      }).size,
    ).toBe(state.size);
    // Nothing was cosigned or saved: the state file is as the test wrote it.
    expect((await readState()).note).toBe(other);
  }, 60_000);

  it('refuses a state file whose stated root was changed without its signed note', async () => {
    const latest = await latestCheckpoint();
    const state = {
      origin: latest.origin,
      size: latest.size,
      rootHash: Buffer.alloc(32, 2).toString('base64'),
      note: latest.note,
    };
    await writeFile(join(workDir, 'state.json'), `${JSON.stringify(state)}\n`);
    const refused = await pbx(witness);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('another size or root than its signed note');
  }, 60_000);
});
