import { cosignPublishedCheckpoint } from '#shared/domain/audit/cosign-checkpoint.ts';
import { cosignDependencies, treeSizeOf } from '#shared/http/audit.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** A witness's cosignature of the published checkpoint of `{size}`, stored beside it (audit.checkpoint.cosign). */
export const handler = signedOperation(
  operations.CosignAuditCheckpoint,
  cosignDependencies,
  async (deps, call) => {
    const { cosigned, audited } = await cosignPublishedCheckpoint(deps, {
      principal: call.principal,
      size: treeSizeOf(call.pathParameter('size')),
      note: call.body.note,
      witnessKey: call.body.witnessKey,
    });
    return { answer: cosigned, audited };
  },
);
