import { getAuditEvidence } from '#shared/domain/audit/audit-proofs.ts';
import { auditArchiveReadDependencies } from '#shared/http/audit.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** One page of evidence against a published checkpoint, audited as one export. */
export const handler = signedOperation(
  operations.GetAuditEvidence,
  auditArchiveReadDependencies,
  async (deps, call) => {
    const { page, audited } = await getAuditEvidence(deps, { principal: call.principal, ...call.query });
    return { answer: page, audited };
  },
);
