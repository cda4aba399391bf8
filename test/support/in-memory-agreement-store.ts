import { isDeepStrictEqual } from 'node:util';
import type { Agreement, AgreementRecord, AgreementVersion } from '#shared/domain/agreements/agreement.ts';
import type { AuditEntry } from '#shared/domain/audit/audit-entry.ts';
import type { AgreementStore } from '#shared/ports/agreement-store.ts';

/** Only the agreement's own fields: a caller may hand over a whole record, versions included. */
const agreementOf = (agreement: Agreement): Agreement => ({
  id: agreement.id,
  latestVersion: agreement.latestVersion,
  ...(agreement.suspended === undefined ? {} : { suspended: agreement.suspended }),
  ...(agreement.revoked === undefined ? {} : { revoked: agreement.revoked }),
});

/**
 * An AgreementStore in memory, with the same conditional writes as the port describes: each write succeeds only if
 * the record is still as the caller read it, and a successful write keeps its audit entry (in `audit`), a refused
 * one keeps nothing. Records are copied in and out, so a caller cannot change what is stored by mutating a result.
 * Misuse the DynamoDB adapter rejects as a programmer error (a TypeError) is rejected the same way here.
 */
export class InMemoryAgreementStore implements AgreementStore {
  readonly agreements = new Map<string, Agreement>();
  readonly versions = new Map<string, Map<number, AgreementVersion>>();
  readonly audit: AuditEntry[] = [];
  /** The revocations work list: agreements whose open requests are still to be closed. */
  readonly revocations = new Set<string>();

  async getAgreement(agreementId: string): Promise<AgreementRecord | undefined> {
    const agreement = this.agreements.get(agreementId);
    if (agreement === undefined) return undefined;
    const versions = [...(this.versions.get(agreementId)?.values() ?? [])].sort(
      (a, b) => a.version - b.version,
    );
    return structuredClone({ ...agreement, versions });
  }

  async listAgreements(): Promise<AgreementRecord[]> {
    const records = await Promise.all([...this.agreements.keys()].map((id) => this.getAgreement(id)));
    return records.filter((r): r is AgreementRecord => r !== undefined);
  }

  async createAgreement(
    agreement: Agreement,
    version: AgreementVersion,
    audit: AuditEntry,
  ): Promise<boolean> {
    if (agreement.latestVersion !== version.version || version.agreementId !== agreement.id) {
      throw new TypeError('a new agreement is created with its latest version');
    }
    if (this.agreements.has(agreement.id)) return false;
    this.agreements.set(agreement.id, structuredClone(agreementOf(agreement)));
    this.versions.set(agreement.id, new Map([[version.version, structuredClone(version)]]));
    this.audit.push(audit);
    return true;
  }

  async addVersion(agreement: Agreement, version: AgreementVersion, audit: AuditEntry): Promise<boolean> {
    const stored = this.agreements.get(agreement.id);
    const versions = this.versions.get(agreement.id);
    if (agreement.latestVersion !== version.version || version.agreementId !== agreement.id) {
      throw new TypeError('a version is added as the agreement’s latest version');
    }
    if (stored === undefined || versions === undefined) return false;
    if (stored.latestVersion !== version.version - 1 || versions.has(version.version)) return false;
    // Only the version counter moves: a suspension or revocation written meanwhile is kept.
    this.agreements.set(agreement.id, { ...stored, latestVersion: version.version });
    versions.set(version.version, structuredClone(version));
    this.audit.push(audit);
    return true;
  }

  async updateVersion(
    version: AgreementVersion,
    expectedSignatures: number,
    audit: AuditEntry,
  ): Promise<boolean> {
    if (version.signatures.length <= expectedSignatures) {
      throw new TypeError('a version is updated only by adding signatures');
    }
    const versions = this.versions.get(version.agreementId);
    const stored = versions?.get(version.version);
    if (versions === undefined || stored === undefined) return false;
    if (stored.signatures.length !== expectedSignatures) return false;
    versions.set(version.version, structuredClone(version));
    this.audit.push(audit);
    return true;
  }

  async updateAgreement(expected: Agreement, next: Agreement, audit: AuditEntry): Promise<boolean> {
    if (expected.id !== next.id || expected.latestVersion !== next.latestVersion) {
      throw new TypeError('a standing change keeps the agreement and its versions');
    }
    const stored = this.agreements.get(expected.id);
    if (stored === undefined) return false;
    if (!isDeepStrictEqual(stored, agreementOf(expected))) return false;
    this.agreements.set(next.id, structuredClone(agreementOf(next)));
    if (next.revoked !== undefined && expected.revoked === undefined) this.revocations.add(next.id);
    this.audit.push(audit);
    return true;
  }

  async listRevocations(limit: number): Promise<string[]> {
    return [...this.revocations].sort().slice(0, limit);
  }

  async finishRevocation(agreementId: string): Promise<void> {
    this.revocations.delete(agreementId);
  }
}
