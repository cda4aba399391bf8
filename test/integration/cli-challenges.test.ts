import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PbxClient } from '#client/pbx-client.ts';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';
import { runPbx } from '../support/pbx-cli.ts';
import { mashReferral } from '../support/request-exchange.ts';

// `pbx challenge …` and `pbx ig challenges` run as a user runs them, against DynamoDB Local: Brent challenges
// Harrow's decline, Harrow's IG lead upholds it, Brent escalates, Harrow's Caldicott guardian overturns it.
let exchange: RunningExchange;
let workDir: string;
let brentClient: PbxClient;
let harrowClient: PbxClient;

const pbx = (args: readonly string[]) =>
  runPbx({ url: exchange.url, keysDir: exchange.keysDir, cwd: workDir }, args);

const actingFor = (user: string): string[] => ['--as', `${user.split('.')[0]}-system`, '--sub', user];
const brent = actingFor('lb-brent.practitioner');
const harrowIgLead = actingFor('lb-harrow.ig-lead');
const harrowGuardian = actingFor('lb-harrow.caldicott-guardian');

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-cli-challenges-'));
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  brentClient = await clientActingFor(exchange, 'lb-brent.practitioner');
  harrowClient = await clientActingFor(exchange, 'lb-harrow.practitioner');
});

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('pbx challenge, run as a user runs it', () => {
  it('raises, upholds, escalates and overturns; refuses with the code; pbx ig challenges counts them', async () => {
    const submitted = await brentClient.submitRequest(mashReferral('CLI challenge test'));
    const id = submitted.status === 201 ? submitted.body.request.id : '';
    expect(id).not.toBe('');
    await harrowClient.decideRequest(id, { outcome: 'decline', reasons: 'not proportionate' });

    const usage = await pbx(['challenge', 'raise', id, '--reason-codes', 'OTHER', ...brent]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--reasons');

    const raised = await pbx([
      'challenge',
      'raise',
      id,
      '--reasons',
      'the child is at risk',
      '--reason-codes',
      'NEEDED_TO_SAFEGUARD',
      ...brent,
    ]);
    expect(raised.code, raised.stderr).toBe(0);
    expect(raised.stdout).toContain('challenge 1: declined');
    expect(raised.stdout).toContain('stage 1: ig-lead');

    const wrongRole = await pbx([
      'challenge',
      'outcome',
      id,
      '1',
      '--outcome',
      'upheld',
      '--reasons',
      'it stands',
      '--reason-codes',
      'DECISION_CORRECT',
      ...harrowGuardian,
    ]);
    expect(wrongRole.code).toBe(1);
    expect(wrongRole.stderr).toContain('NOT_PERMITTED');

    const upheld = await pbx([
      'challenge',
      'outcome',
      id,
      '1',
      '--outcome',
      'upheld',
      '--reasons',
      'it stands',
      '--reason-codes',
      'DECISION_CORRECT',
      ...harrowIgLead,
    ]);
    expect(upheld.code, upheld.stderr).toBe(0);
    expect(upheld.stdout).toContain('upheld by lb-harrow.ig-lead');

    const escalated = await pbx([
      'challenge',
      'escalate',
      id,
      '1',
      '--reasons',
      'the risk was not weighed',
      '--reason-codes',
      'OUTCOME_NOT_ADDRESSED',
      ...brent,
    ]);
    expect(escalated.code, escalated.stderr).toBe(0);
    expect(escalated.stdout).toContain('stage 2: caldicott-guardian');

    const decision = join(workDir, 'decision.json');
    await writeFile(decision, JSON.stringify({ outcome: 'approve', reasons: 'share what is needed' }));
    const overturned = await pbx([
      'challenge',
      'outcome',
      id,
      '1',
      '--outcome',
      'overturned',
      '--reasons',
      'the risk outweighs the intrusion',
      '--reason-codes',
      'DECISION_WRONG',
      '--file',
      decision,
      ...harrowGuardian,
    ]);
    expect(overturned.code, overturned.stderr).toBe(0);
    expect(overturned.stdout).toContain(`request ${id} is now approved`);

    const listed = await pbx(['challenge', 'list', id, '--json', ...brent]);
    expect(listed.code, listed.stderr).toBe(0);
    const stages = (
      JSON.parse(listed.stdout) as { challenges: { stages: { outcome?: { outcome: string } }[] }[] }
    ).challenges[0]?.stages;
    expect(stages?.map((s) => s.outcome?.outcome)).toEqual(['upheld', 'overturned']);

    await exchange.runSchedule('SequenceAuditLog');
    await exchange.runSchedule('ProjectIgAnswers');
    const ig = await pbx(['ig', 'challenges', '--json', ...actingFor('lb-brent.ig-lead')]);
    expect(ig.code, ig.stderr).toBe(0);
    const rows = (JSON.parse(ig.stdout) as { rows: Record<string, unknown>[] }).rows;
    expect(rows).toEqual([
      expect.objectContaining({
        requester: 'lb-brent',
        responder: 'lb-harrow',
        raised: 1,
        escalated: 1,
        upheld: 1,
        overturned: 1,
        resolvedOtherwise: 0,
        overdue: 0,
      }),
    ]);
    const table = await pbx(['ig', 'challenges', ...actingFor('lb-harrow.ig-lead')]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/Raised\s+Escalated\s+Upheld\s+Overturned/);
  });
});
