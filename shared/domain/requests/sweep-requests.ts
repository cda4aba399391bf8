import { challengeOverdueEvent } from '#events/challenge-overdue.v1.ts';
import { requestClosedEvent } from '#events/request-closed.v1.ts';
import { requestOverdueEvent } from '#events/request-overdue.v1.ts';
import { shareExpiredEvent } from '#events/share-expired.v1.ts';
import { type StandingState, standingAt } from '../agreements/agreement-in-force.ts';
import type { AuditFacts } from '../audit/audit-entry.ts';
import { challengeFacts } from '../challenges/challenge-facts.ts';
import { challengeOverdueTransition } from '../challenges/challenge-rules.ts';
import type { ExchangeEvent } from '../events/exchange-event.ts';
import { runSystemStep } from '../steps/run-step.ts';
import type { DataRequest } from './data-request.ts';
import {
  awaitsPurge,
  closeTransition,
  expireTransition,
  isClosable,
  overdueTransition,
  purgedTransition,
  type WorkList,
} from './lifecycle.ts';
import type { SweepDeps } from './request-deps.ts';
import { requestStepFacts } from './request-step.ts';

/** The standing of each agreement a sweep meets, read once per run: every system step's entry records it. */
const standingsOf = (deps: Pick<SweepDeps, 'agreements'>, now: Date) => {
  const known = new Map<string, Promise<StandingState>>();
  return (request: DataRequest): Promise<StandingState> => {
    const id = request.agreement.id;
    let standing = known.get(id);
    if (standing === undefined) {
      standing = deps.agreements.getAgreement(id).then((agreement) => standingAt(agreement, now));
      known.set(id, standing);
      // A read that failed fails only the step that made it: the next step reads again.
      standing.catch(() => known.delete(id));
    }
    return standing;
  };
};
type Standings = ReturnType<typeof standingsOf>;

/**
 * What a system step does to a request, judged from the request and its agreement's standing: its next state, its
 * events and what must happen first (bytes deleted); undefined when there is nothing to do.
 */
type SystemChange = (
  request: DataRequest,
  standing: StandingState,
  now: Date,
) =>
  | {
      readonly next: DataRequest;
      readonly events: readonly ExchangeEvent[];
      readonly first?: () => Promise<void>;
      /** What the entry says beside the request's facts (a challenge's stage). */
      readonly facts?: Pick<AuditFacts, 'challenge'>;
    }
  | undefined;

/**
 * One system step on a request, through the step pipeline with the system actor: read it and its agreement's
 * standing, let `change` decide, commit the next revision with its entry and events. The request as the step
 * left it; undefined when it is gone or there was nothing to do. A lost race is a 409, left for the next run.
 */
const systemStep = async (
  deps: SweepDeps,
  standingOf: Standings,
  input: { readonly requestId: string; readonly action: string },
  change: SystemChange,
): Promise<DataRequest | undefined> => {
  const done = await runSystemStep(deps, {
    action: input.action,
    type: 'request',
    load: async () => {
      const request = await deps.requests.getRequest(input.requestId);
      if (request === undefined) return undefined;
      const standing = await standingOf(request);
      const changed = change(request, standing, deps.clock.now());
      return changed === undefined ? undefined : { request, standing, changed };
    },
    decide: async ({ standing, changed }) => {
      await changed.first?.();
      return {
        next: changed.next,
        facts: requestStepFacts(changed.next, standing, changed.facts),
        events: changed.events,
        result: { request: changed.next },
      };
    },
    commit: (record, plan, { request }) => deps.requests.update(request, plan.next, record),
  });
  return done?.request;
};

const changed = (request: DataRequest | undefined): boolean => request !== undefined;

const shareExpiredReasons = { withdrawn: 'withdrawn', expired: 'retention-ended' } as const;

/**
 * Deletes the bytes of an expired, withdrawn or closed share and records it; the request and its audit entries
 * remain. Safe to repeat: deleting an absent object succeeds, and a request already purged is left alone. The
 * parties of an expired or withdrawn share hear of it (ShareExpired); those of a closed one heard already when it
 * was closed (RequestClosed).
 */
export const purgeShare = (
  deps: SweepDeps,
  requestId: string,
  standingOf: Standings = standingsOf(deps, deps.clock.now()),
): Promise<boolean> =>
  systemStep(deps, standingOf, { requestId, action: 'share.delete' }, (request, _standing, now) => {
    const share = request.share;
    if (!awaitsPurge(request) || share === undefined) return undefined;
    const next = purgedTransition(request, now);
    const reason =
      request.status === 'withdrawn' || request.status === 'expired'
        ? shareExpiredReasons[request.status]
        : undefined;
    return {
      next,
      events: reason === undefined ? [] : [shareExpiredEvent(next, reason, now)],
      first: () => deps.payloads.delete(share.objectKey),
    };
  }).then(changed);

export type SweepReport = {
  overdue: number;
  /** Challenge stages flagged past their due date (ChallengeOverdue). */
  challengesOverdue: number;
  expired: number;
  purged: number;
  closed: number;
  failed: number;
};

const sweepBatch = 100;
/** Revoked agreements whose requests a sweep closes per run (each up to `sweepBatch` requests). */
const revocationBatch = 10;

/**
 * The scheduled sweep: closes the open requests of revoked agreements (RequestClosed, and a released share's bytes
 * deleted at once), flags requests the responder still owes past their due date (RequestOverdue, once), expires
 * shares whose retention ended, flags challenge stages the responder has not answered by their due date
 * (ChallengeOverdue, once a stage), and deletes the bytes of expired, withdrawn and closed shares. Each request is its
 * own step with its own entry: one that fails is counted and retried on the next run, and does not hold up the
 * others. A revoked agreement leaves the work list once none of its requests is open.
 */
export const sweepRequests = async (deps: SweepDeps): Promise<SweepReport> => {
  const report: SweepReport = {
    overdue: 0,
    challengesOverdue: 0,
    expired: 0,
    purged: 0,
    closed: 0,
    failed: 0,
  };
  const now = deps.clock.now();
  const standingOf = standingsOf(deps, now);
  const attempt = async (done: Exclude<keyof SweepReport, 'failed'>, step: () => Promise<boolean>) => {
    try {
      if (await step()) report[done] += 1;
    } catch {
      report.failed += 1;
    }
  };
  const sweep = async (
    list: WorkList,
    done: Exclude<keyof SweepReport, 'failed'>,
    step: (requestId: string) => Promise<boolean>,
  ) => {
    for (const id of await deps.requests.listWork(list, now, sweepBatch)) {
      await attempt(done, () => step(id));
    }
  };
  const closeRevoked: SystemChange = (request, standing) => {
    const status = request.status;
    if (standing !== 'revoked' || !isClosable(status)) return undefined;
    const next = closeTransition(request, 'agreement-revoked', now);
    return next === undefined
      ? undefined
      : { next, events: [requestClosedEvent({ ...request, status }, 'agreement-revoked', now)] };
  };

  for (const agreementId of await deps.agreements.listRevocations(revocationBatch)) {
    const open = await deps.requests.listOpenUnder(agreementId, sweepBatch);
    if (open.length === 0) {
      await deps.agreements.finishRevocation(agreementId);
      continue;
    }
    for (const id of open) {
      await attempt('closed', async () => {
        const closed = await systemStep(
          deps,
          standingOf,
          { requestId: id, action: 'request.close' },
          closeRevoked,
        );
        if (closed?.share !== undefined) await attempt('purged', () => purgeShare(deps, id, standingOf));
        return changed(closed);
      });
    }
  }
  await sweep('due', 'overdue', (id) =>
    systemStep(deps, standingOf, { requestId: id, action: 'request.overdue' }, (request) => {
      const next = overdueTransition(request, now);
      return next === undefined ? undefined : { next, events: [requestOverdueEvent(request, now)] };
    }).then(changed),
  );
  await sweep('challenge', 'challengesOverdue', (id) =>
    systemStep(deps, standingOf, { requestId: id, action: 'challenge.overdue' }, (request) => {
      const flagged = challengeOverdueTransition(request, now);
      return flagged === undefined
        ? undefined
        : {
            next: flagged.next,
            events: [challengeOverdueEvent(flagged.next, flagged.challenge, now)],
            facts: { challenge: challengeFacts(flagged.challenge).challenge },
          };
    }).then(changed),
  );
  await sweep('retention', 'expired', (id) =>
    systemStep(deps, standingOf, { requestId: id, action: 'share.expire' }, (request) => {
      const next = expireTransition(request, now);
      return next === undefined ? undefined : { next, events: [] };
    }).then(changed),
  );
  await sweep('purge', 'purged', (id) => purgeShare(deps, id, standingOf));
  return report;
};
