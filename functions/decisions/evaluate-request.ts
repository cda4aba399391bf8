import { evaluateRequest } from '#shared/domain/agreements/evaluate-request.ts';
import { agreementDependencies } from '#shared/http/agreements.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** A dry run: judges the request as if it were made now, changes nothing, and audits the decision either way. */
export const handler = signedOperation(
  operations.EvaluateDecision,
  agreementDependencies,
  async (deps, call) => {
    const { decision, audited } = await evaluateRequest(deps, {
      principal: call.principal,
      request: call.body,
    });
    return { answer: decision, audited };
  },
);
