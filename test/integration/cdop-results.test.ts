import { createHash, randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { localTableName } from '#local/provision.ts';
import { exampleAnalysis, exampleNotification } from '#local/seed/example-cdop.ts';
import type { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { DynamoCaseStore } from '#shared/adapters/dynamodb/case-store.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import type { CaseDeps } from '#shared/domain/cdop/case-deps.ts';
import { cdopFigures } from '#shared/domain/cdop/case-figures.ts';
import { closeCdopCase } from '#shared/domain/cdop/close-case.ts';
import { exportCdopCase } from '#shared/domain/cdop/export-case.ts';
import { listCdopCases } from '#shared/domain/cdop/list-cases.ts';
import { openCdopCase } from '#shared/domain/cdop/open-case.ts';
import { requestCdopReports } from '#shared/domain/cdop/request-reports.ts';
import { showCdopCase } from '#shared/domain/cdop/show-case.ts';
import { AuthorisationError } from '#shared/domain/errors.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { systemClock } from '#shared/ports/clock.ts';
import { principalOf, requestStoresOf } from '../support/request-exchange.ts';

// Issue 14: the CDOP use cases return typed domain results, each with the audit entries it committed, and nothing
// else counts them. Against DynamoDB Local: every result's `audited` is exactly what the log holds for that step;
// a replay under the same key is the same result with no entry; a refusal carries its committed entry on the
// error, the refusal of every ask (which changes the case) included.

let exchange: RunningExchange;
let audit: DynamoAuditLog;
let s3: S3Client;
let deps: CaseDeps;

beforeAll(async () => {
  exchange = await startExchange({ schedules: false });
  const stores = requestStoresOf(exchange);
  ({ audit, s3 } = stores);
  deps = {
    ...stores.deps(systemClock),
    agreements: stores.agreements,
    cases: new DynamoCaseStore(stores.doc, {
      cases: localTableName('cdopCases'),
      audit: localTableName('audit'),
      events: localTableName('events'),
    }),
  };
});

afterAll(async () => {
  s3?.destroy();
  await exchange?.stop();
});

const coordinator = () => principalOf('bhr-cdop.coordinator', ['cdop-coordinator']);

/** A child of the BHR footprint of its own, so each case is another child's. */
const childRef = (footprintId = 'bhr-cdop-area') =>
  deriveSubjectReference(
    { footprintId, key: createHash('sha256').update(randomBytes(16)).digest() },
    { kind: 'nhs-number', nhsNumber: '9434765919' },
  );

const newCall = () => {
  const key = `cdop-results-${randomBytes(8).toString('hex')}`;
  return { clientId: 'bhr-cdop-system', key, fingerprint: `fingerprint-of-${key}` };
};

/** The one entry a result names, as the audit table holds it. */
const expectCommitted = async (
  audited: readonly AuditEntry[],
  action: string,
  outcome: AuditEntry['outcome'] = 'allowed',
): Promise<AuditEntry> => {
  expect(audited).toHaveLength(1);
  const [entry] = audited;
  if (entry === undefined) throw new Error('no entry');
  expect(entry).toMatchObject({ action, outcome });
  expect((await audit.readAll()).find((e) => e.id === entry.id)).toEqual(entry);
  return entry;
};

const opened = async (call?: ReturnType<typeof newCall>, subjectRef = childRef()) => {
  const result = await openCdopCase(deps, {
    principal: coordinator(),
    notification: exampleNotification(subjectRef),
    call,
  });
  if (result.kind !== 'opened') throw new Error('a BHR child opens a BHR case');
  return result;
};

const ask = (caseId: string, agencies: readonly string[], call?: ReturnType<typeof newCall>) =>
  requestCdopReports(deps, {
    principal: coordinator(),
    caseId,
    agencies,
    signed: { token: 'results.token.signature', body: JSON.stringify({ agencies }) },
    call,
  });

describe('a CDOP use case result names exactly the entries it committed', () => {
  it('for every step of a case and for the reads', async () => {
    const open = await opened();
    const caseId = open.case.id;
    await expectCommitted(open.audited, 'cdop.case.open');

    const shown = await showCdopCase(deps, { principal: coordinator(), caseId });
    expect(shown.case.id).toBe(caseId);
    await expectCommitted(shown.audited, 'cdop.case.view');

    const asked = await ask(caseId, ['lb-havering', 'lb-barnet']);
    expect(asked.items.map((i) => [i.organisationId, i.outcome])).toEqual([
      ['lb-havering', 'permitted'],
      ['lb-barnet', 'refused'],
    ]);
    await expectCommitted(asked.audited, 'cdop.report.request');

    const again = await ask(caseId, ['lb-havering']);
    expect(again.items.map((i) => i.outcome)).toEqual(['already-requested']);
    await expectCommitted(again.audited, 'cdop.report.request');

    const listed = await listCdopCases(deps, { principal: coordinator(), status: 'open' });
    expect(listed.cases.map((c) => c.id)).toContain(caseId);
    await expectCommitted(listed.audited, 'cdop.case.list');

    const today = new Date().toISOString().slice(0, 10);
    const closed = await closeCdopCase(deps, {
      principal: coordinator(),
      caseId,
      analysis: exampleAnalysis(caseId, today),
    });
    expect(closed.case.status).toBe('closed');
    await expectCommitted(closed.audited, 'cdop.case.close');

    const exported = await exportCdopCase(deps, { principal: coordinator(), caseId });
    expect(exported.export.caseId).toBe(caseId);
    await expectCommitted(exported.audited, 'cdop.case.export');

    const year = Number(today.slice(0, 4)) - (today.slice(5) < '04-01' ? 1 : 0);
    const figures = await cdopFigures(deps, { principal: coordinator(), year, for: 'internal' });
    expect(figures.for).toBe('internal');
    await expectCommitted(figures.audited, 'cdop.figures');

    const forwardedChild = childRef('brent-harrow-cdop-area');
    const forwarded = await openCdopCase(deps, {
      principal: coordinator(),
      notification: exampleNotification(forwardedChild, { boroughOfResidence: 'lb-brent' }),
    });
    expect(forwarded.kind).toBe('notify-instead');
    // Passing the notification on touched the child's data: the entry carries their pseudonym, for `ig child`.
    expect(await expectCommitted(forwarded.audited, 'cdop.notification.forward')).toMatchObject({
      subjectRef: forwardedChild,
    });
  });
});

describe('a keyed call made again', () => {
  it('is the same typed result, with no entry, and commits nothing', async () => {
    const call = newCall();
    const subjectRef = childRef();
    const first = await opened(call, subjectRef);
    const entries = (await audit.readAll()).length;
    const replayed = await opened(call, subjectRef);
    const { audited: committed, ...result } = first;
    expect(committed).toHaveLength(1);
    expect(replayed).toEqual({ ...result, audited: [] });
    expect((await audit.readAll()).length).toBe(entries);
  });
});

describe('a refusal', () => {
  it('of every ask is REQUEST_REFUSED carrying the entry it committed with the refusals kept on the case', async () => {
    const { case: c } = await opened();
    const call = newCall();
    const refused = await ask(c.id, ['lb-barnet'], call).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AuthorisationError);
    if (!(refused instanceof AuthorisationError)) return;
    expect(refused.code).toBe('REQUEST_REFUSED');
    const entry = await expectCommitted(
      refused.audited === undefined ? [] : [refused.audited],
      'cdop.report.request',
      'refused',
    );
    expect(entry.target).toEqual({ type: 'cdop-case', id: c.id });
    expect((await deps.cases.getCase(c.id))?.refusals.map((r) => r.organisationId)).toEqual(['lb-barnet']);

    // Made again under its key: the same refusal, and nothing more committed.
    const entries = (await audit.readAll()).length;
    const replayed = await ask(c.id, ['lb-barnet'], call).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(replayed).toMatchObject({ code: 'REQUEST_REFUSED' });
    expect((await audit.readAll()).length).toBe(entries);
  });

  it('by the pipeline carries its entry: an agency may not read a case', async () => {
    const { case: c } = await opened();
    const refused = await showCdopCase(deps, {
      principal: principalOf('lb-havering.practitioner'),
      caseId: c.id,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: 'NOT_PERMITTED' });
    if (!(refused instanceof AuthorisationError)) throw new Error('a coded refusal');
    await expectCommitted(
      refused.audited === undefined ? [] : [refused.audited],
      'cdop.case.view',
      'refused',
    );
  });
});
