import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { ChallengesAnswer } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import { groupBy, periodRows, publish, totalOf } from './read-ig.ts';

/**
 * `GET /v1/ig/challenges`: the challenges of requests' answers in the months asked (docs/REQUESTS.md "Challenge and
 * escalation"), by month and requester and responder pair: raised, escalated, each stage's outcome, and stages
 * flagged overdue, each counted in the month of its step.
 */
export const answerIgChallenges = async (
  deps: IgDeps,
  input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
  },
): Promise<{ readonly answer: ChallengesAnswer } & Audited> => {
  const { scope, header, rows } = await periodRows(deps, input, 'challenges');
  const f = (row: (typeof rows)[number], name: string) => row.fields[name] ?? '-';
  const answerRows = groupBy(rows, (r) => [r.month, f(r, 'requester'), f(r, 'responder')].join('#')).map(
    ([, members]) => {
      const first = members[0] as (typeof members)[number];
      const { counts } = totalOf(members);
      const n = (name: string) => publish(scope, counts[name] ?? 0);
      return {
        month: first.month,
        requester: f(first, 'requester'),
        responder: f(first, 'responder'),
        raised: n('raised'),
        escalated: n('escalated'),
        upheld: n('outcome:upheld'),
        overturned: n('outcome:overturned'),
        resolvedOtherwise: n('outcome:resolved-otherwise'),
        overdue: n('overdue'),
      };
    },
  );
  return { answer: { ...header, rows: answerRows }, audited: [] };
};
