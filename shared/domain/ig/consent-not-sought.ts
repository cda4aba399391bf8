import { type ConsentExemption, consentExemptions, type PurposeCode } from '../agreements/catalogue.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { ConsentNotSoughtAnswer, ConsentRow } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import { groupBy, periodRows, publish } from './read-ig.ts';

/**
 * `GET /v1/ig/consent-not-sought`: accepted requests submitted in the months asked whose consent was not sought,
 * by pair, purpose, footprint and the DPA 2018 Sch 1 para 18(2) reason given.
 */
export const answerIgConsentNotSought = async (
  deps: IgDeps,
  input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
  },
): Promise<{ readonly answer: ConsentNotSoughtAnswer } & Audited> => {
  const { scope, header, rows } = await periodRows(deps, input, 'consent');
  const counted = rows.flatMap((row) =>
    consentExemptions
      .map((exemption) => ({ exemption, n: row.counts[`exemption:${exemption}`] ?? 0 }))
      .filter(({ n }) => n > 0)
      .map(({ exemption, n }) => ({
        requester: row.fields.requester ?? '-',
        responder: row.fields.responder ?? '-',
        purpose: (row.fields.purpose ?? '-') as PurposeCode,
        footprint: row.fields.footprint ?? '-',
        exemption,
        n,
      })),
  );
  const sum = (members: readonly { n: number }[]) => members.reduce((a, m) => a + m.n, 0);
  const answerRows: ConsentRow[] = groupBy(
    counted,
    (c) => `${c.requester}#${c.responder}#${c.purpose}#${c.footprint}#${c.exemption}`,
  ).map(([, members]) => {
    const { n: _n, ...first } = members[0] as (typeof members)[number];
    return { ...first, count: publish(scope, sum(members)) };
  });
  const totals = consentExemptions
    .map((exemption: ConsentExemption) => ({
      exemption,
      count: publish(scope, sum(counted.filter((c) => c.exemption === exemption))),
    }))
    .filter((t) => t.count !== 0);
  return { answer: { ...header, rows: answerRows, totals }, audited: [] };
};
