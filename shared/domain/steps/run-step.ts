import type { AuditLog } from '../../ports/audit-log.ts';
import type { Clock } from '../../ports/clock.ts';
import type { StepRecord } from '../../ports/step-record.ts';
import { type Audited, type AuditFacts, newAuditEntry, systemActor } from '../audit/audit-entry.ts';
import { auditedOn, callerFacts, type RefusalFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { ConflictError } from '../errors.ts';
import type { ExchangeEvent } from '../events/exchange-event.ts';
import {
  type Idempotent,
  type IdempotentCall,
  idempotencyRecord,
  idempotently,
  refusalError,
  type StoredRefusal,
} from '../requests/idempotency.ts';

/**
 * The one step pipeline (docs/ARCHITECTURE.md): a step on one stored thing (a data request, a CDOP case) is
 *
 *   load       the thing and what judges it (its agreement's standing); none is 404 NOT_FOUND
 *   authorise  who may take the step, from which side, under the agreement in force: a coded refusal, recorded
 *              with its reason (what the entry says of the thing only when the thing concerns the caller)
 *   decide     the next state, the entry's facts, the events and the typed result
 *   commit     one transaction: the next state, the `allowed` entry, the events and the idempotency record of the
 *              result; a lost race is tried again from `load` (`attempts`), then is 409 CONFLICT, or under an
 *              Idempotency-Key the result the winning call stored
 *
 * and returns the result with the entries it committed (`audited`); a replayed result has none. Nothing is counted
 * behind the scenes: the entries are values. A scheduled step (`runSystemStep`) is the same pipeline with the
 * system actor; a step that creates its thing, or changes none, is the commit stage alone (`commitStep`).
 *
 * A case step, for example (shared/domain/cdop):
 *
 *   closeCdopCase = (deps, input) => runStep(deps, {
 *     by: input.principal, action: 'cdop.case.close', target: { type: 'cdop-case', id: input.caseId },
 *     load: () => loadCase(deps, input.caseId),              // { c, s } with the agreement's standing
 *     factsOf: ({ c, s }) => ({ ...caseFacts(c), ...standingFacts(s) }),
 *     authorise: ({ c, s }) => { assertRunsCase(...); assertStandingAllows('close', s); return by },
 *     decide: ({ c, s }, by, now) => { const next = closeCase(c, ...); return {
 *       next, facts: { ...caseFacts(next), ...standingFacts(s) }, events: [caseClosedEvent(next, now)],
 *       result: { kind: 'closed', case: next } } },
 *     commit: (record, plan, { c }) => deps.cases.update(c, plan.next, record),
 *     attempts: 3,                                            // the tracker writes open cases every minute
 *     idempotent: { records: deps.cases, call: input.call, result: closedCaseSchema },
 *   })
 */

export type StepDeps = { readonly audit: AuditLog; readonly clock: Clock };

/** What an entry says of the thing a step is on: everything but who acted, the action and the outcome. */
export type StepFacts = Omit<AuditFacts, 'actor' | 'action' | 'outcome' | 'requestHash' | 'requestId'>;

/** What a step decided: the thing's next state, what its entry says, its events and its typed result. */
export type StepPlan<Next, R> = {
  readonly next: Next;
  readonly facts: StepFacts;
  readonly events: readonly ExchangeEvent[];
  readonly result: R;
  /**
   * A refusal that still changes the thing (every agency a CDOP asked was refused: the refusals stay on the case).
   * The next state commits with a `refused` entry and, under a key, the refusal to replay; then the refusal is
   * thrown, carrying that entry.
   */
  readonly refused?: StoredRefusal;
};

/** Commits a step's record with the thing's next state in one transaction; false when a condition failed. */
export type StepCommit<Found, Next, R> = (
  record: StepRecord,
  plan: StepPlan<Next, R>,
  found: Found,
) => Promise<boolean>;

/**
 * The commit of a step that changes nothing stored (a read worth auditing): its entry alone, through the audit
 * log. It has no events and no idempotency record (reads are not replayed).
 */
export const recordAlone =
  (log: AuditLog) =>
  async (record: StepRecord): Promise<boolean> => {
    if (record.events.length > 0 || record.idempotency !== undefined) {
      throw new TypeError('a step recorded alone has no events and no idempotency record');
    }
    await log.record(record.audit);
    return true;
  };

export type Step<Found, Authorised, Next, R> = {
  /** A signed caller. */
  readonly by: Principal;
  /** The audit action, `request.decide`. */
  readonly action: string;
  /** The thing as the caller named it (its id parsed at the boundary). */
  readonly target: { readonly type: string; readonly id: string };
  /** Reads the thing and what judges it; undefined when there is none (404 NOT_FOUND). */
  readonly load: () => Promise<Found | undefined>;
  /** What a refusal's entry says of the thing, when the caller's organisation is one of its parties. */
  readonly factsOf: (found: Found) => Omit<RefusalFacts, 'actor' | 'action'>;
  /** Who may take the step and whether the agreement allows it: throws a coded refusal, else what decide needs. */
  readonly authorise: (found: Found) => Authorised;
  /** The step itself. */
  readonly decide: (
    found: Found,
    authorised: Authorised,
    now: Date,
  ) => StepPlan<Next, R> | Promise<StepPlan<Next, R>>;
  readonly commit: StepCommit<Found, Next, R>;
  /** Under the caller's Idempotency-Key, with the use case's result schema. */
  readonly idempotent?: Idempotent<R>;
  /** How many times a step that lost a race runs from a fresh load; 1 (no retry) unless said. */
  readonly attempts?: number;
};

/** The thing changed between the step's load and its commit: not a refusal (nothing was decided), never recorded. */
class LostRace extends Error {}

const changedConcurrently = (type: string) =>
  new ConflictError('CONFLICT', `the ${type} changed while this step was taken; read it again and retry`);

/** Who an entry says acted: a caller's facts (`callerFacts`), or the system actor. */
export type ActorFacts = Pick<AuditFacts, 'actor' | 'requestHash' | 'requestId'>;

/**
 * The record a plan commits: its entry (the actor's and the plan's facts; `allowed`, or `refused` for a plan that
 * refuses), its events, and under an Idempotency-Key the record of its result or of its refusal.
 */
export const stepRecord = <R extends object>(
  input: {
    readonly actor: ActorFacts;
    readonly action: string;
    readonly plan: StepPlan<unknown, R>;
    readonly call?: IdempotentCall | undefined;
  },
  now: Date,
): StepRecord => ({
  audit: newAuditEntry(
    {
      ...input.plan.facts,
      ...input.actor,
      action: input.action,
      outcome: input.plan.refused === undefined ? 'allowed' : 'refused',
    },
    now,
  ),
  events: input.plan.events,
  ...(input.call === undefined
    ? {}
    : {
        idempotency: idempotencyRecord(
          input.call,
          input.plan.refused === undefined ? { result: input.plan.result } : { refused: input.plan.refused },
          now,
        ),
      }),
});

/** The commit stage: commits the plan's record; the result with its entry, the plan's refusal, or LostRace. */
const commitOnce = async <Found, Next, R extends object>(
  input: {
    readonly actor: ActorFacts;
    readonly action: string;
    readonly found: Found;
    readonly plan: StepPlan<Next, R>;
    readonly commit: StepCommit<Found, Next, R>;
    readonly idempotent?: Idempotent<R> | undefined;
  },
  now: Date,
): Promise<R & Audited> => {
  const record = stepRecord({ ...input, call: input.idempotent?.call }, now);
  if (!(await input.commit(record, input.plan, input.found))) throw new LostRace();
  if (input.plan.refused !== undefined) {
    const refusal = refusalError(input.plan.refused);
    refusal.audited = record.audit;
    throw refusal;
  }
  return { ...input.plan.result, audited: [record.audit] };
};

/** Runs `once` up to `attempts` times while it loses races; then 409 CONFLICT. */
const retrying = async <T>(attempts: number, type: string, once: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await once();
    } catch (error) {
      if (!(error instanceof LostRace)) throw error;
      if (attempt >= attempts) throw changedConcurrently(type);
    }
  }
};

const underKey = <R>(idempotent: Idempotent<R> | undefined, run: () => Promise<R & Audited>) =>
  idempotent === undefined ? run() : idempotently(idempotent, run);

/**
 * A signed caller's step on one stored thing: load, authorise, decide, commit (above). A refusal is recorded by
 * `auditedOn` (shared/domain/audit/audited-action.ts), which sets the committed entry on the error it rethrows.
 */
export const runStep = <Found, Authorised, Next, R extends object>(
  deps: StepDeps,
  step: Step<Found, Authorised, Next, R>,
): Promise<R & Audited> =>
  underKey(step.idempotent, () =>
    retrying(step.attempts ?? 1, step.target.type, () =>
      auditedOn(
        deps,
        {
          principal: step.by,
          action: step.action,
          target: step.target,
          load: step.load,
          factsOf: step.factsOf,
        },
        async (found) => {
          const authorised = step.authorise(found);
          const now = deps.clock.now();
          const plan = await step.decide(found, authorised, now);
          return commitOnce(
            {
              actor: callerFacts(step.by),
              action: step.action,
              found,
              plan,
              commit: step.commit,
              idempotent: step.idempotent,
            },
            now,
          );
        },
      ),
    ),
  );

/**
 * A step the exchange takes itself (a schedule: the request sweeper, the case tracker), with the system actor.
 * There is no caller to refuse: `load` answers undefined when there is nothing to do (the thing is gone, or not in
 * the state the step is for), and so does the step. A lost race is tried again as `attempts` says, then 409.
 */
export const runSystemStep = async <Found, Next, R extends object>(
  deps: Pick<StepDeps, 'clock'>,
  step: {
    readonly action: string;
    readonly type: string;
    readonly load: () => Promise<Found | undefined>;
    readonly decide: (found: Found, now: Date) => StepPlan<Next, R> | Promise<StepPlan<Next, R>>;
    readonly commit: StepCommit<Found, Next, R>;
    readonly attempts?: number;
  },
): Promise<(R & Audited) | undefined> =>
  retrying(step.attempts ?? 1, step.type, async () => {
    const found = await step.load();
    if (found === undefined) return undefined;
    const now = deps.clock.now();
    const plan = await step.decide(found, now);
    return commitOnce(
      { actor: { actor: systemActor }, action: step.action, found, plan, commit: step.commit },
      now,
    );
  });

/**
 * The commit stage alone, for a step with no stored thing to load: one that creates its thing (a submission, a case
 * opened) or changes none (a notification passed on). A lost commit is 409 CONFLICT, never retried; run it inside
 * `idempotently` (shared/domain/requests/idempotency.ts) with the same `idempotent`, so that a call made again, or
 * one that lost to the same call, gets the stored result.
 */
export const commitStep = <Next, R extends object>(
  deps: Pick<StepDeps, 'clock'>,
  input: {
    /** A signed caller, or the actor's facts (the case tracker submits the requests a case asked for). */
    readonly by: Principal | ActorFacts;
    readonly action: string;
    /** The kind of thing, as a 409 names it. */
    readonly type: string;
    readonly plan: StepPlan<Next, R>;
    readonly commit: (record: StepRecord, plan: StepPlan<Next, R>) => Promise<boolean>;
    readonly idempotent?: Idempotent<R> | undefined;
    /** The instant the step was decided at, when it decided before (a submission's due date); now otherwise. */
    readonly now?: Date;
  },
): Promise<R & Audited> =>
  retrying(1, input.type, () =>
    commitOnce(
      {
        actor: 'clientId' in input.by ? callerFacts(input.by) : input.by,
        action: input.action,
        found: undefined,
        plan: input.plan,
        commit: (record, plan) => input.commit(record, plan),
        idempotent: input.idempotent,
      },
      input.now ?? deps.clock.now(),
    ),
  );
