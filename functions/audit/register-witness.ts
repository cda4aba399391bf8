import { registerWitness } from '#shared/domain/registry/witnesses.ts';
import { witnessDependencies } from '#shared/http/audit.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';

/** An IG lead registers their organisation's witness of the audit log (audit.witness.register). */
export const handler = signedOperation(
  operations.RegisterAuditWitness,
  witnessDependencies,
  async (deps, call) => {
    const { witness, audited } = await registerWitness(deps, { principal: call.principal, ...call.body });
    return { answer: { witness }, audited };
  },
);
