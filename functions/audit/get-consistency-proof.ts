import { getConsistencyProof } from '#shared/domain/audit/audit-proofs.ts';
import { auditReadDependencies } from '#shared/http/audit.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

export const handler = signedOperation(
  operations.GetConsistencyProof,
  auditReadDependencies,
  async (deps, call) => ({
    answer: await getConsistencyProof(deps, { principal: call.principal, ...call.query }),
    audited: [],
  }),
);
