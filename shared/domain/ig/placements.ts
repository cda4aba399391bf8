import type { PurposeCode } from '../agreements/catalogue.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { PlacementsAnswer } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import { groupBy, periodRows, publish, totalOf } from './read-ig.ts';

/**
 * `GET /v1/ig/placements`: requests submitted in the months asked about children placed out of borough, by placing
 * and host authority, pair and purpose, with what became of them.
 */
export const answerIgPlacements = async (
  deps: IgDeps,
  input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
  },
): Promise<{ readonly answer: PlacementsAnswer } & Audited> => {
  const { scope, header, rows } = await periodRows(deps, input, 'placement');
  const f = (row: (typeof rows)[number], name: string) => row.fields[name] ?? '-';
  const names = ['placingAuthority', 'hostAuthority', 'requester', 'responder', 'purpose'] as const;
  const answerRows = groupBy(rows, (r) => names.map((n) => f(r, n)).join('#')).map(([, members]) => {
    const first = members[0] as (typeof members)[number];
    const { counts } = totalOf(members);
    const n = (name: string) => publish(scope, counts[name] ?? 0);
    return {
      placingAuthority: f(first, 'placingAuthority'),
      hostAuthority: f(first, 'hostAuthority'),
      requester: f(first, 'requester'),
      responder: f(first, 'responder'),
      purpose: f(first, 'purpose') as PurposeCode,
      submitted: n('submitted'),
      approved: n('approved'),
      partial: n('partial'),
      declined: n('declined'),
      released: n('released'),
    };
  });
  return { answer: { ...header, rows: answerRows }, audited: [] };
};
