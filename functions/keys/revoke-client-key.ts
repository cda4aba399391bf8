import { revokeClientKey } from '#shared/domain/registry/manage-client-keys.ts';
import { keyManagementDependencies } from '#shared/http/key-management.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** Revokes a client's key at once: the next request signed with it is refused. */
export const handler = signedOperation(
  operations.RevokeClientKey,
  keyManagementDependencies,
  async (deps, call) => {
    const { key, audited } = await revokeClientKey(deps, {
      principal: call.principal,
      clientId: call.pathId('clientId', 'client'),
      kid: call.pathId('kid', 'client-key'),
      reason: call.query.reason,
    });
    return { answer: { key }, audited };
  },
);
