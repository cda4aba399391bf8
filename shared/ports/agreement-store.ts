import type { Agreement, AgreementRecord, AgreementVersion } from '../domain/agreements/agreement.ts';
import type { AuditEntry } from '../domain/audit/audit-entry.ts';

/**
 * Agreements and their versions. Versions are never changed once every party has signed; until then only
 * signatures are added. Every write takes its audit entry and commits with it, conditional on the record still
 * being as the caller read it (false otherwise: someone else changed it first).
 */
export type AgreementStore = {
  getAgreement(agreementId: string): Promise<AgreementRecord | undefined>;
  listAgreements(): Promise<AgreementRecord[]>;
  /** A new agreement with its first version; false if the id is taken. */
  createAgreement(agreement: Agreement, version: AgreementVersion, audit: AuditEntry): Promise<boolean>;
  /** A new version; `agreement.latestVersion` is the version's number, and the stored one must be one less. */
  addVersion(agreement: Agreement, version: AgreementVersion, audit: AuditEntry): Promise<boolean>;
  /** Adds signatures (and activation) to a version, if it still holds `expectedSignatures` signatures. */
  updateVersion(version: AgreementVersion, expectedSignatures: number, audit: AuditEntry): Promise<boolean>;
  /**
   * Suspends, resumes or revokes, if the agreement is still as `expected`. A revocation also puts the agreement on
   * the revocations work list in the same write, so that its open requests are closed (`listRevocations`) even if
   * nothing else happens after the answer.
   */
  updateAgreement(expected: Agreement, next: Agreement, audit: AuditEntry): Promise<boolean>;
  /** Revoked agreements whose open requests may still have to be closed (by agreement id). */
  listRevocations(limit: number): Promise<string[]>;
  /** Takes an agreement off the revocations work list once none of its requests is open. */
  finishRevocation(agreementId: string): Promise<void>;
};
