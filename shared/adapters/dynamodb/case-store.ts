import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type CdopCase, cdopCaseSchema } from '../../domain/cdop/case.ts';
import { dataRequestBodySchema } from '../../domain/requests/data-request.ts';
import type { IdempotencyRecord } from '../../domain/requests/idempotency.ts';
import type { CaseStore, ReportAsk } from '../../ports/case-store.ts';
import type { StepRecord } from '../../ports/step-record.ts';
import { commitStepRecord, getIdempotencyRecord } from './step-records.ts';
import { getItem, queryAll, Transaction } from './transaction.ts';

/**
 * Item layout of the CDOP cases table:
 *   pk CASE#<id>                   sk CASE           the case, with its `revision`
 *   pk CASE#<id>                   sk ASK#<askId>    a signed call that asked agencies, with the requests it permits
 *   pk CDOP#<cdop org>             sk CASE#<id>      a copy of the case, for the CDOP's list
 *   pk OPEN                        sk CASE#<id>      a copy of each open case, for the case tracker
 *   pk OPEN#<cdop org>#<subject>   sk CHILD          the open case of a child: a CDOP opens one per child at a time
 *   pk IDEMPOTENCY#<client>#<key>  sk IDEMPOTENCY    the first answer to a call made with that key
 * Case ids are ULIDs, so a CDOP's list read in reverse is newest first. Every write of a case is conditional on
 * the revision the writer read; the copies follow it in the same transaction. A CDOP holds tens of cases a year,
 * so a copy per list is cheap and each list is one query.
 */
const caseKey = (id: string) => ({ pk: `CASE#${id}`, sk: 'CASE' });
const askKey = (caseId: string, askId: string) => ({ pk: `CASE#${caseId}`, sk: `ASK#${askId}` });
const listKey = (cdopOrganisationId: string, id: string) => ({
  pk: `CDOP#${cdopOrganisationId}`,
  sk: `CASE#${id}`,
});
const openKey = (id: string) => ({ pk: 'OPEN', sk: `CASE#${id}` });
const openChildKey = (c: CdopCase) => ({
  pk: `OPEN#${c.cdopOrganisationId}#${c.notification.subjectRef}`,
  sk: 'CHILD',
});

const reportAskSchema = z.object({
  askId: z.string().min(1),
  caseId: z.string().min(1),
  requester: z.object({ organisationId: z.string(), clientId: z.string(), userId: z.string() }),
  requestHash: z.string().min(1),
  signed: z.object({ token: z.string(), body: z.string() }),
  requests: z.array(
    z.object({
      requestId: z.string().length(26),
      agreement: z.object({ id: z.string(), version: z.number().int().positive() }),
      body: dataRequestBodySchema,
      dueAt: z.iso.datetime(),
    }),
  ),
});

export type CaseTables = { readonly cases: string; readonly audit: string; readonly events: string };

export class DynamoCaseStore implements CaseStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: CaseTables,
  ) {}

  async getCase(caseId: string): Promise<CdopCase | undefined> {
    return getItem(this.doc, this.tables.cases, caseKey(caseId), cdopCaseSchema);
  }

  async listCases(cdopOrganisationId: string): Promise<CdopCase[]> {
    return this.#query(listKey(cdopOrganisationId, '').pk);
  }

  async listOpenCases(): Promise<CdopCase[]> {
    return this.#query(openKey('').pk);
  }

  async getIdempotency(clientId: string, key: string): Promise<IdempotencyRecord | undefined> {
    return getIdempotencyRecord(this.doc, this.tables.cases, clientId, key);
  }

  async getAsk(caseId: string, askId: string): Promise<ReportAsk | undefined> {
    return getItem(this.doc, this.tables.cases, askKey(caseId, askId), reportAskSchema);
  }

  async create(cdopCase: CdopCase, step: StepRecord): Promise<boolean> {
    const record = cdopCaseSchema.parse(cdopCase);
    const tx = new Transaction()
      .put(this.tables.cases, { ...caseKey(record.id), ...record }, { ifAbsent: true })
      // Two notifications of one child opened at once: only one commits.
      .put(this.tables.cases, { ...openChildKey(record), caseId: record.id }, { ifAbsent: true });
    this.#putCopies(tx, record);
    return this.#commit(tx, step);
  }

  async update(previous: CdopCase, next: CdopCase, step: StepRecord, ask?: ReportAsk): Promise<boolean> {
    const record = cdopCaseSchema.parse(next);
    if (record.id !== previous.id || record.revision !== previous.revision + 1) {
      throw new TypeError('an update is the next revision of the same case');
    }
    const tx = new Transaction().replace(
      this.tables.cases,
      { ...caseKey(record.id), ...record },
      { attribute: 'revision', equals: previous.revision },
    );
    if (ask !== undefined) {
      const parsed = reportAskSchema.parse(ask);
      tx.put(this.tables.cases, { ...askKey(parsed.caseId, parsed.askId), ...parsed }, { ifAbsent: true });
    }
    this.#putCopies(tx, record);
    return this.#commit(tx, step);
  }

  async record(step: StepRecord): Promise<boolean> {
    return this.#commit(new Transaction(), step);
  }

  async #query(pk: string): Promise<CdopCase[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tables.cases,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    return items.map((item) => cdopCaseSchema.parse(item));
  }

  #putCopies(tx: Transaction, record: CdopCase): void {
    tx.put(this.tables.cases, { ...listKey(record.cdopOrganisationId, record.id), ...record });
    if (record.status === 'open') tx.put(this.tables.cases, { ...openKey(record.id), ...record });
    else tx.delete(this.tables.cases, openKey(record.id)).delete(this.tables.cases, openChildKey(record));
  }

  #commit(tx: Transaction, step: StepRecord): Promise<boolean> {
    const { cases: home, audit, events } = this.tables;
    return commitStepRecord(this.doc, { home, audit, events }, tx, step);
  }
}
