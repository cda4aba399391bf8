import { signVersion } from '#shared/domain/agreements/manage-agreements.ts';
import { agreementDependencies, versionNumberOf } from '#shared/http/agreements.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

export const handler = signedOperation(
  operations.SignAgreementVersion,
  agreementDependencies,
  async (deps, call) => {
    const { version, audited } = await signVersion(deps, {
      principal: call.principal,
      agreementId: call.pathId('agreementId', 'agreement'),
      version: versionNumberOf(call.pathParameter('version')),
      contentHash: call.body.contentHash,
    });
    return { answer: { version }, audited };
  },
);
