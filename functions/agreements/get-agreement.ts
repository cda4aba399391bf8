import { agreementDependencies, showAgreement } from '#shared/http/agreements.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

export const handler = signedOperation(
  operations.GetAgreement,
  agreementDependencies,
  async (deps, call) => ({
    answer: { agreement: await showAgreement(deps, call.pathId('agreementId', 'agreement')) },
    audited: [],
  }),
);
