import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  type Agreement,
  type AgreementRecord,
  type AgreementVersion,
  agreementSchema,
  agreementVersionSchema,
} from '../../domain/agreements/agreement.ts';
import type { AuditEntry } from '../../domain/audit/audit-entry.ts';
import { canonicalJson } from '../../domain/canonical-json.ts';
import type { AgreementStore } from '../../ports/agreement-store.ts';
import { appendAudit } from './audit-log.ts';
import { callDynamo, queryAll, scanAll, Transaction } from './transaction.ts';

/**
 * Item layout: one partition per agreement, read whole by one query.
 *   pk ISA#<agreementId>  sk AGREEMENT   the agreement (latest version number, suspension, revocation) and its
 *                                        `revision`, a hash of exactly that state
 *   pk ISA#<agreementId>  sk V#000001    one item per version, with `signatureCount`
 *   pk REVOCATIONS        sk <agreementId> a revoked agreement whose open requests the request sweeper has still
 *                                        to close (written with the revocation, deleted when none is left)
 * Conditions compare `revision` or `signatureCount` with what the caller read, so a write made on a stale read
 * fails instead of overwriting someone else's change (a suspension, a signature).
 */
const partitionOf = (agreementId: string) => `ISA#${agreementId}`;
const agreementSk = 'AGREEMENT';
const versionSk = (version: number) => `V#${String(version).padStart(6, '0')}`;
const revocationsPk = 'REVOCATIONS';
const revocationSchema = z.object({ agreementId: z.string() });

/** The stored state of an agreement as one value: equal revisions mean nothing changed in between. */
const revisionOf = (agreement: Agreement): string =>
  createHash('sha256')
    .update(canonicalJson(agreementSchema.parse(agreement)))
    .digest('base64url');

const agreementItem = (agreement: Agreement) => {
  const record = agreementSchema.parse(agreement);
  return { ...record, pk: partitionOf(record.id), sk: agreementSk, revision: revisionOf(record) };
};

const versionItem = (version: AgreementVersion) => {
  const record = agreementVersionSchema.parse(version);
  return {
    ...record,
    pk: partitionOf(record.agreementId),
    sk: versionSk(record.version),
    signatureCount: record.signatures.length,
  };
};

/** Parses one agreement's items at the trust boundary; undefined when it has no agreement item. */
const recordOf = (items: readonly Record<string, unknown>[]): AgreementRecord | undefined => {
  const head = items.find((item) => item.sk === agreementSk);
  if (head === undefined) return undefined;
  const agreement = agreementSchema.parse(head);
  const versions = items
    .filter((item) => item.sk !== agreementSk)
    .map((item) => agreementVersionSchema.parse(item))
    .sort((a, b) => a.version - b.version);
  return { ...agreement, versions };
};

export type AgreementTables = { readonly agreements: string; readonly audit: string };

export class DynamoAgreementStore implements AgreementStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: AgreementTables,
  ) {}

  async getAgreement(agreementId: string): Promise<AgreementRecord | undefined> {
    const items = await queryAll(this.doc, {
      TableName: this.tables.agreements,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': partitionOf(agreementId) },
      ConsistentRead: true,
    });
    return recordOf(items);
  }

  /**
   * Every agreement with its versions, by id. The table holds agreements only, a few dozen per exchange, and a
   * list needs every item of it: one consistent scan reads them all.
   */
  async listAgreements(): Promise<AgreementRecord[]> {
    const items = await scanAll(this.doc, { TableName: this.tables.agreements, ConsistentRead: true });
    const byPartition = new Map<unknown, Record<string, unknown>[]>();
    for (const item of items) {
      const partition = byPartition.get(item.pk);
      if (partition === undefined) byPartition.set(item.pk, [item]);
      else partition.push(item);
    }
    return [...byPartition.values()]
      .map(recordOf)
      .filter((record) => record !== undefined)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async createAgreement(
    agreement: Agreement,
    version: AgreementVersion,
    audit: AuditEntry,
  ): Promise<boolean> {
    if (agreement.latestVersion !== version.version || version.agreementId !== agreement.id) {
      throw new TypeError('a new agreement is created with its latest version');
    }
    const tx = new Transaction()
      .put(this.tables.agreements, agreementItem(agreement), { ifAbsent: true })
      .put(this.tables.agreements, versionItem(version), { ifAbsent: true });
    return this.#commit(tx, audit);
  }

  async addVersion(agreement: Agreement, version: AgreementVersion, audit: AuditEntry): Promise<boolean> {
    if (agreement.latestVersion !== version.version || version.agreementId !== agreement.id) {
      throw new TypeError('a version is added as the agreement’s latest version');
    }
    const previous = { ...agreementSchema.parse(agreement), latestVersion: version.version - 1 };
    const tx = new Transaction()
      .replace(this.tables.agreements, agreementItem(agreement), {
        attribute: 'revision',
        equals: revisionOf(previous),
      })
      .put(this.tables.agreements, versionItem(version), { ifAbsent: true });
    return this.#commit(tx, audit);
  }

  async updateVersion(
    version: AgreementVersion,
    expectedSignatures: number,
    audit: AuditEntry,
  ): Promise<boolean> {
    if (version.signatures.length <= expectedSignatures) {
      throw new TypeError('a version is updated only by adding signatures');
    }
    const tx = new Transaction().replace(this.tables.agreements, versionItem(version), {
      attribute: 'signatureCount',
      equals: expectedSignatures,
    });
    return this.#commit(tx, audit);
  }

  async updateAgreement(expected: Agreement, next: Agreement, audit: AuditEntry): Promise<boolean> {
    if (expected.id !== next.id || expected.latestVersion !== next.latestVersion) {
      throw new TypeError('a standing change keeps the agreement and its versions');
    }
    const tx = new Transaction().replace(this.tables.agreements, agreementItem(next), {
      attribute: 'revision',
      equals: revisionOf(expected),
    });
    if (next.revoked !== undefined && expected.revoked === undefined) {
      tx.put(this.tables.agreements, {
        pk: revocationsPk,
        sk: next.id,
        agreementId: next.id,
        revokedAt: next.revoked.at,
      });
    }
    return this.#commit(tx, audit);
  }

  async listRevocations(limit: number): Promise<string[]> {
    const result = await callDynamo('Query', () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.agreements,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': revocationsPk },
          Limit: limit,
          ConsistentRead: true,
        }),
      ),
    );
    return (result.Items ?? []).map((item) => revocationSchema.parse(item).agreementId);
  }

  async finishRevocation(agreementId: string): Promise<void> {
    await new Transaction()
      .delete(this.tables.agreements, { pk: revocationsPk, sk: agreementId })
      .commit(this.doc);
  }

  async #commit(tx: Transaction, audit: AuditEntry): Promise<boolean> {
    appendAudit(tx, this.tables.audit, audit);
    return (await tx.commit(this.doc)) === 'committed';
  }
}
