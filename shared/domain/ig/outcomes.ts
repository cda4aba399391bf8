import type { Audited } from '../audit/audit-entry.ts';
import type { AuditSearchScope } from '../audit/search.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { OutcomesAnswer, OutcomesRow } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import { groupBy, periodRows, publish, rateOf, type Totals, timingsOf, totalOf } from './read-ig.ts';

/** The outcome figures of a total: how many got one, how many are open, how long the first took. */
export const outcomeFiguresOf = (scope: AuditSearchScope | { readonly kind: 'report' }, t: Totals) => {
  const submitted = t.counts.submitted ?? 0;
  const withOutcome = t.counts.withOutcome ?? 0;
  return {
    submitted: publish(scope, submitted),
    withOutcome: publish(scope, withOutcome),
    open: publish(scope, submitted - withOutcome),
    outcomeRate: rateOf(scope, withOutcome, submitted),
    timeToOutcome: timingsOf(scope, t.histograms.outcome),
  };
};

/**
 * `GET /v1/ig/outcomes`: for the requests submitted in the months asked, by pair: how many got an outcome (a
 * decision, a withdrawal or a closure), which, how long the first took, and how many have none yet.
 */
export const answerIgOutcomes = async (
  deps: IgDeps,
  input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
  },
): Promise<{ readonly answer: OutcomesAnswer } & Audited> => {
  const { scope, header, rows } = await periodRows(deps, input, 'pair');
  const answerRows: OutcomesRow[] = groupBy(
    rows.filter((r) => (r.counts.submitted ?? 0) > 0),
    (r) => `${r.fields.requester}#${r.fields.responder}`,
  ).map(([, members]) => {
    const first = members[0] as (typeof members)[number];
    const total = totalOf(members);
    const n = (name: string) => publish(scope, total.counts[name] ?? 0);
    const { submitted, withOutcome, open, outcomeRate, timeToOutcome } = outcomeFiguresOf(scope, total);
    return {
      requester: first.fields.requester ?? '-',
      responder: first.fields.responder ?? '-',
      submitted,
      withOutcome,
      open,
      approved: n('approved'),
      partial: n('partial'),
      declined: n('declined'),
      withdrawn: n('withdrawn'),
      closed: n('closed'),
      outcomeRate,
      timeToOutcome,
    };
  });
  return { answer: { ...header, rows: answerRows }, audited: [] };
};
