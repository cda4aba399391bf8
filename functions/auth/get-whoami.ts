import { describePrincipal } from '#shared/domain/auth/describe-principal.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** Who the exchange takes the caller to be: client, organisation, user and key. */
export const handler = signedOperation(
  operations.GetWhoami,
  (runtime) => ({ registry: runtime.registry }),
  async (deps, call) => ({ answer: await describePrincipal(deps, call.principal), audited: [] }),
);
