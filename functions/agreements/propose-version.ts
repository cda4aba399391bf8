import { proposeVersion } from '#shared/domain/agreements/manage-agreements.ts';
import { agreementDependencies } from '#shared/http/agreements.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

export const handler = signedOperation(
  operations.ProposeAgreementVersion,
  agreementDependencies,
  async (deps, call) => {
    const { version, audited } = await proposeVersion(deps, {
      principal: call.principal,
      agreementId: call.pathId('agreementId', 'agreement'),
      content: call.body.content,
    });
    return { answer: { version }, audited };
  },
);
