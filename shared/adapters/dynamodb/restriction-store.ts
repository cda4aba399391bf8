import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Restriction, restrictionSchema } from '../../domain/ig/restriction.ts';
import type { RestrictionStore } from '../../ports/restriction-store.ts';
import type { StepRecord } from '../../ports/step-record.ts';
import { appendAudit } from './audit-log.ts';
import { getItem, queryAll, Transaction } from './transaction.ts';

/**
 * Item layout of the `igRestrictions` table:
 *   pk ORG#<organisation>   sk RESTRICTION#<id>        a restriction, for its organisation's list and its lifting
 *   pk CHILD#<subject ref>  sk <leaf index, 12 digits>#<id>  a copy under each subject reference of the entry
 * Ids are ULIDs, so an organisation's list read in reverse is newest first. The copies follow the restriction in
 * the transaction that writes it, with its audit entry; a lift is conditional on the restriction being in force as
 * read, so two lifts cannot both commit.
 */
const restrictionKey = (organisationId: string, id: string) => ({
  pk: `ORG#${organisationId}`,
  sk: `RESTRICTION#${id}`,
});
const childKey = (subjectRef: string, r: Pick<Restriction, 'index' | 'id'>) => ({
  pk: `CHILD#${subjectRef}`,
  sk: `${String(r.index).padStart(12, '0')}#${r.id}`,
});

export type RestrictionTables = { readonly restrictions: string; readonly audit: string };

export class DynamoRestrictionStore implements RestrictionStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: RestrictionTables,
  ) {}

  getRestriction(organisationId: string, id: string): Promise<Restriction | undefined> {
    return getItem(this.doc, this.tables.restrictions, restrictionKey(organisationId, id), restrictionSchema);
  }

  async listRestrictions(organisationId: string): Promise<Restriction[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tables.restrictions,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `ORG#${organisationId}`, ':prefix': 'RESTRICTION#' },
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    return items.map((item) => restrictionSchema.parse(item));
  }

  async readChildRestrictions(subjectRef: string): Promise<Restriction[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tables.restrictions,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CHILD#${subjectRef}` },
      ConsistentRead: true,
    });
    return items.map((item) => restrictionSchema.parse(item));
  }

  create(restriction: Restriction, record: StepRecord): Promise<boolean> {
    const tx = new Transaction();
    tx.put(
      this.tables.restrictions,
      { ...restrictionKey(restriction.organisationId, restriction.id), ...restriction },
      { ifAbsent: true },
    );
    for (const ref of restriction.subjectRefs) {
      tx.put(this.tables.restrictions, { ...childKey(ref, restriction), ...restriction }, { ifAbsent: true });
    }
    return this.#commit(tx, record);
  }

  lift(next: Restriction, record: StepRecord): Promise<boolean> {
    const tx = new Transaction();
    const expected = { attribute: 'state', equals: 'restricted' };
    tx.replace(
      this.tables.restrictions,
      { ...restrictionKey(next.organisationId, next.id), ...next },
      expected,
    );
    for (const ref of next.subjectRefs) {
      tx.replace(this.tables.restrictions, { ...childKey(ref, next), ...next }, expected);
    }
    return this.#commit(tx, record);
  }

  /** A restriction's step has its audit entry and nothing else: no events, and no idempotency record. */
  async #commit(tx: Transaction, record: StepRecord): Promise<boolean> {
    if (record.events.length > 0 || record.idempotency !== undefined) {
      throw new TypeError('a restriction step commits its audit entry alone');
    }
    appendAudit(tx, this.tables.audit, record.audit);
    return (await tx.commit(this.doc)) === 'committed';
  }
}
