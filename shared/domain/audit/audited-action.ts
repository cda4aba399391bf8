import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { DependencyError, NotFoundError, PbxError } from '../errors.ts';
import { type AuditActor, type AuditFacts, newAuditEntry } from './audit-entry.ts';

/** The audit actor of an authenticated principal. */
export const actorOf = (principal: Principal): AuditActor => {
  const actor = {
    kind: 'client' as const,
    clientId: principal.clientId,
    organisationId: principal.organisationId,
  };
  const { user } = principal;
  if (user === undefined) return actor;
  return user.roles[0] === undefined
    ? Object.assign(actor, { userId: user.id })
    : Object.assign(actor, { userId: user.id, role: user.roles.join(',') });
};

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
    // A refusal the action committed itself (with the state it kept) is recorded already.
    if (error instanceof PbxError && !(error instanceof DependencyError) && error.audited === undefined) {
      const known = typeof facts === 'function' ? facts() : facts;
      const entry = newAuditEntry(
        { ...known, outcome: 'refused', reasonCodes: [error.code] },
        deps.clock.now(),
      );
      await deps.audit.record(entry);
      error.audited = entry;
    }
    throw error;
  }
};

/**
 * What every entry of a signed caller's action says of the caller: who, the hash of what they signed, and the id
 * of the call being answered, which binds each answer's entries together.
 */
export const callerFacts = (
  principal: Principal,
): { actor: AuditActor; requestHash: string; requestId?: string } => {
  // Without object spread: every answer's entry starts here (verify-signed-request.ts says why).
  const facts = { actor: actorOf(principal), requestHash: principal.requestHash };
  return principal.callId === undefined ? facts : Object.assign(facts, { requestId: principal.callId });
};

/**
 * Whether a stored thing concerns the caller's organisation: it is one of the thing's parties, as its facts name
 * them. A thing with no parties concerns nobody but its actors, so a caller is never presumed to be one.
 */
const concernsCaller = (principal: Principal, facts: Pick<AuditFacts, 'parties'>): boolean =>
  facts.parties?.includes(principal.organisationId) ?? false;

/**
 * Runs a caller's action on one stored thing (a request, a case): loads it, 404 NOT_FOUND when there is none, and
 * records a refusal with the coded reason if the action refuses. The action commits its own entry.
 *
 * What the refusal says of the thing depends on whom it concerns. When the
 * caller's organisation is one of the thing's parties, the entry has the thing's facts (its agreement, purpose,
 * subject, parties) like every other entry on it. A refused access to someone else's thing concerns only the
 * caller: its entry has the caller, the action and the target id as the caller sent it, nothing learnt from the
 * store, so neither the entry nor a search that finds it tells the caller anything of the thing.
 */
export const auditedOn = <E, T>(
  deps: { audit: AuditLog; clock: Clock },
  input: {
    readonly principal: Principal;
    readonly action: string;
    readonly target: { readonly type: string; readonly id: string };
    readonly load: () => Promise<E | undefined>;
    readonly factsOf: (found: E) => Omit<RefusalFacts, 'actor' | 'action'>;
  },
  action: (found: E) => Promise<T>,
): Promise<T> => {
  let facts: RefusalFacts = { ...callerFacts(input.principal), action: input.action, target: input.target };
  return auditedAction(
    deps,
    () => facts,
    async () => {
      const found = await input.load();
      if (found === undefined) {
        throw new NotFoundError('NOT_FOUND', `no ${input.target.type} ${input.target.id}`);
      }
      const known = input.factsOf(found);
      if (concernsCaller(input.principal, known)) facts = { ...facts, ...known };
      return action(found);
    },
  );
};
