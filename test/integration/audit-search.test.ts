import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { type AuditEntry, auditEntrySchema } from '#shared/domain/audit/audit-entry.ts';
import { concernsOrganisation } from '#shared/domain/audit/search.ts';
import { auditSearchAnswerSchema, errorBodySchema } from '#shared/http/api-contract.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { clientActingFor } from '../support/local-exchange-clients.ts';
import { runPbx } from '../support/pbx-cli.ts';

// One ephemeral exchange; the sequencer runs only when a test asks (runSchedule).
let exchange: RunningExchange;

beforeAll(async () => {
  exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  await exchange.runSchedule('SequenceAuditLog');
});

afterAll(async () => {
  await exchange?.stop();
});

/** A signed GET by `<org>-system` acting for `user` (`<org>.<name>`). */
const get = async (user: string, pathAndQuery: string) =>
  (await clientActingFor(exchange, user)).call('GET', pathAndQuery);

/** Every entry a user's search finds, following `next`. */
const searchAll = async (user: string, filter: string): Promise<AuditEntry[]> => {
  const found: AuditEntry[] = [];
  let cursor: number | undefined = 0;
  while (cursor !== undefined) {
    const answer = await get(user, `/v1/audit/search?${filter}&limit=500&cursor=${cursor}`);
    expect(answer.status).toBe(200);
    const page = auditSearchAnswerSchema.parse(answer.body);
    if (!('entries' in page)) throw new Error('expected entries');
    found.push(...page.entries.map((e) => e.entry));
    cursor = page.next;
  }
  return found;
};

const operator = 'pbx-operations.operator';

describe('GET /v1/audit/search', () => {
  it('shows an IG lead only entries concerning their organisation', async () => {
    const found = await searchAll('lb-brent.ig-lead', 'outcome=allowed');
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((entry) => concernsOrganisation(entry, 'lb-brent'))).toBe(true);
    expect(found.every((entry) => entry.outcome === 'allowed')).toBe(true);
  });

  it('shows the operator entries of other organisations', async () => {
    const brent = await searchAll(operator, 'organisation=lb-brent');
    expect(brent.length).toBeGreaterThan(0);
    expect(brent.every((entry) => concernsOrganisation(entry, 'lb-brent'))).toBe(true);
    const all = await searchAll(operator, '');
    expect(all.length).toBeGreaterThan(brent.length);
    expect(all.some((entry) => !concernsOrganisation(entry, 'pbx-operations'))).toBe(true);
  });

  it('refuses a practitioner (403 NOT_PERMITTED) and a bad query (400 INVALID_INPUT)', async () => {
    const refused = await get('lb-brent.practitioner', '/v1/audit/search');
    expect({ status: refused.status, error: errorBodySchema.parse(refused.body).error }).toEqual({
      status: 403,
      error: 'NOT_PERMITTED',
    });
    for (const query of ['limit=501', 'from=yesterday', 'outcome=maybe', 'cursor=-1', 'nonsense=1']) {
      const bad = await get(operator, `/v1/audit/search?${query}`);
      expect({ query, status: bad.status, error: errorBodySchema.parse(bad.body).error }).toEqual({
        query,
        status: 400,
        error: 'INVALID_INPUT',
      });
    }
  });

  it('audits each search without the subject reference itself', async () => {
    await get('lb-brent.ig-lead', '/v1/audit/search?subjectRef=child-secret-ref&purpose=CDR_CASE_REVIEW');
    await exchange.runSchedule('SequenceAuditLog');
    const searches = await searchAll(operator, 'action=audit.search');
    const mine = searches.find(
      (entry) => entry.actor.userId === 'lb-brent.ig-lead' && entry.search?.purpose === 'CDR_CASE_REVIEW',
    );
    expect(mine).toMatchObject({
      outcome: 'allowed',
      search: { purpose: 'CDR_CASE_REVIEW', subjectRef: 'given' },
    });
    expect(JSON.stringify(searches)).not.toContain('child-secret-ref');
    expect(searches.some((e) => e.outcome === 'refused' && e.actor.userId === 'lb-brent.practitioner')).toBe(
      true,
    );
    expect(auditEntrySchema.parse(mine)).toEqual(mine);
  });
});

describe('pbx audit search', () => {
  it('prints a CSV header and rows', async () => {
    const { code, stdout } = await runPbx({ url: exchange.url, keysDir: exchange.keysDir }, [
      'audit',
      'search',
      '--as',
      'lb-brent-system',
      '--sub',
      'lb-brent.ig-lead',
      '--outcome',
      'allowed',
      '--format',
      'csv',
    ]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'time,index,action,outcome,reasonCodes,actorClient,actorUser,actorOrganisation,target,agreement,purpose,subjectRef',
    );
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((line) => line.split(',')[3] === 'allowed')).toBe(true);
  });
});
