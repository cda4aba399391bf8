import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { PastReviewAnswer } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import { groupBy, periodRows, publish, totalOf } from './read-ig.ts';

/**
 * `GET /v1/ig/past-review`: requests made under an agreement version past its review date in the months asked:
 * accepted (flagged) and refused AGREEMENT_REVIEW_OVERDUE, by agreement version and pair.
 */
export const answerIgPastReview = async (
  deps: IgDeps,
  input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
  },
): Promise<{ readonly answer: PastReviewAnswer } & Audited> => {
  const { scope, header, rows } = await periodRows(deps, input, 'review');
  const f = (row: (typeof rows)[number], name: string) => row.fields[name] ?? '-';
  const answerRows = groupBy(
    rows,
    (r) =>
      `${f(r, 'agreementId')}#${f(r, 'version').padStart(6, '0')}#${f(r, 'requester')}#${f(r, 'responder')}`,
  ).map(([, members]) => {
    const first = members[0] as (typeof members)[number];
    const total = totalOf(members);
    return {
      agreementId: f(first, 'agreementId'),
      version: Number(f(first, 'version')),
      requester: f(first, 'requester'),
      responder: f(first, 'responder'),
      accepted: publish(scope, total.counts.accepted ?? 0),
      refused: publish(scope, total.counts.refused ?? 0),
    };
  });
  return { answer: { ...header, rows: answerRows }, audited: [] };
};
