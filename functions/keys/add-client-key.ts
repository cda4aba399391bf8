import { addClientKey } from '#shared/domain/registry/manage-client-keys.ts';
import { keyManagementDependencies } from '#shared/http/key-management.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** Registers a public key for a client (rotation is adding the new key, then revoking the old one). */
export const handler = signedOperation(
  operations.AddClientKey,
  keyManagementDependencies,
  async (deps, call) => {
    const { jwk, notBefore, notAfter } = call.body;
    const { key, audited } = await addClientKey(deps, {
      principal: call.principal,
      clientId: call.pathId('clientId', 'client'),
      jwk,
      ...(notBefore === undefined ? {} : { notBefore }),
      ...(notAfter === undefined ? {} : { notAfter }),
    });
    return { answer: { key }, audited };
  },
);
