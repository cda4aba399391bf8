import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { DependencyError, PbxError } from '../errors.ts';
import { type AuditActor, type AuditFacts, newAuditEntry } from './audit-entry.ts';

/** The audit actor of an authenticated principal. */
export const actorOf = (principal: Principal): AuditActor => ({
  kind: 'client',
  clientId: principal.clientId,
  organisationId: principal.organisationId,
  ...(principal.user === undefined
    ? {}
    : {
        userId: principal.user.id,
        ...(principal.user.roles[0] ? { role: principal.user.roles.join(',') } : {}),
      }),
});

/** What a refusal's entry says; a function when the action learns more about its target as it runs. */
export type RefusalFacts = Omit<AuditFacts, 'outcome' | 'reasonCodes'>;

/**
 * Runs an action that commits its own audit entry with its state change, and records a refusal if it throws a
 * coded error: a decision not to act is a record too. A failing dependency is not a refusal (nothing was decided)
 * and is left to fail closed.
 */
export const auditedAction = async <T>(
  deps: { audit: AuditLog; clock: Clock },
  facts: RefusalFacts | (() => RefusalFacts),
  action: () => Promise<T>,
): Promise<T> => {
  try {
    return await action();
  } catch (error) {
    if (error instanceof PbxError && !(error instanceof DependencyError)) {
      const known = typeof facts === 'function' ? facts() : facts;
      await deps.audit.record(
        newAuditEntry({ ...known, outcome: 'refused', reasonCodes: [error.code] }, deps.clock.now()),
      );
    }
    throw error;
  }
};
