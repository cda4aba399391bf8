import { createAgreement } from '#shared/domain/agreements/manage-agreements.ts';
import { agreementDependencies, agreementView } from '#shared/http/agreements.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** Drafts an agreement as its version 1, awaiting every party's signature. */
export const handler = signedOperation(
  operations.CreateAgreement,
  agreementDependencies,
  async (deps, call) => {
    const { agreement, audited } = await createAgreement(deps, {
      principal: call.principal,
      ...(call.body.id === undefined ? {} : { id: call.body.id }),
      content: call.body.content,
    });
    return { answer: { agreement: agreementView(agreement, deps.clock.now()) }, audited };
  },
);
