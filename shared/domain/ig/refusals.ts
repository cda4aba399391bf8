import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type { RefusalKind, RefusalRow, RefusalsAnswer } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import { crossFootprintCodes, withoutAgreementCodes } from './ig-terms.ts';
import type { Aggregate } from './projection-items.ts';
import { fieldOf, groupBy, periodRows, publish } from './read-ig.ts';

/** Which refusals: all, those for want of an agreement in force, or those across footprints. */
export type RefusalCodes = 'all' | 'without-agreement' | 'cross-footprint';

const codeGroups: Record<Exclude<RefusalCodes, 'all'>, ReadonlySet<string>> = {
  'without-agreement': new Set(withoutAgreementCodes),
  'cross-footprint': new Set(crossFootprintCodes),
};

/** The counters of a refusals row (`refusal:<code>`, `decline:<code>`) as kind and reason code. */
const kindPrefixes = [
  ['refusal', 'refusal:'],
  ['decline', 'decline:'],
] as const satisfies readonly (readonly [RefusalKind, string])[];

/** Every refusal and decline of the rows, by pair, step and reason code (over the months and footprints). */
export const refusalCounts = (rows: readonly Aggregate[], codes: RefusalCodes) => {
  const counted: {
    requester: string;
    responder?: string;
    kind: RefusalKind;
    action: string;
    reasonCode: string;
    n: number;
  }[] = [];
  for (const row of rows) {
    for (const [name, n] of Object.entries(row.counts)) {
      const kinded = kindPrefixes.find(([, prefix]) => name.startsWith(prefix));
      if (kinded === undefined || n === 0) continue;
      const [kind, prefix] = kinded;
      const reasonCode = name.slice(prefix.length);
      if (codes !== 'all' && (kind !== 'refusal' || !codeGroups[codes].has(reasonCode))) continue;
      const responder = fieldOf(row, 'responder');
      counted.push({
        requester: fieldOf(row, 'requester') ?? '-',
        ...(responder === undefined ? {} : { responder }),
        kind,
        action: row.fields.action ?? '-',
        reasonCode,
        n,
      });
    }
  }
  return counted;
};

const sum = <T extends { n: number }>(rows: readonly T[]) => rows.reduce((a, r) => a + r.n, 0);

/**
 * `GET /v1/ig/refusals`, `/v1/ig/without-agreement` and `/v1/ig/cross-footprint`: the decision engine's refusals
 * (and, for `refusals`, people's declines) in the months asked, by pair, step and reason code, with totals.
 */
export const answerIgRefusals = async (
  deps: IgDeps,
  input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
    readonly codes: RefusalCodes;
  },
): Promise<{ readonly answer: RefusalsAnswer } & Audited> => {
  const { scope, header, rows } = await periodRows(deps, input, 'refusals');
  const counted = refusalCounts(rows, input.codes);
  const answerRows: RefusalRow[] = groupBy(
    counted,
    (c) => `${c.requester}#${c.responder ?? ''}#${c.kind}#${c.action}#${c.reasonCode}`,
  ).map(([, members]) => {
    const { n: _n, ...first } = members[0] as (typeof members)[number];
    return { ...first, count: publish(scope, sum(members)) };
  });
  const totals = groupBy(counted, (c) => `${c.kind}#${c.reasonCode}`).map(([, members]) => {
    const first = members[0] as (typeof members)[number];
    return { kind: first.kind, reasonCode: first.reasonCode, count: publish(scope, sum(members)) };
  });
  return { answer: { ...header, rows: answerRows, totals }, audited: [] };
};
