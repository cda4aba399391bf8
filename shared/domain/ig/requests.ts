import type { PurposeCode } from '../agreements/catalogue.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { AuditSearchScope } from '../audit/search.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import type {
  RequestCounts,
  RequestGrouping,
  RequestPeriodKind,
  RequestsAnswer,
  RequestsRow,
} from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import { quarterOfMonth } from './ig-terms.ts';
import type { Aggregate, RollupKind } from './projection-items.ts';
import { fieldOf, groupBy, periodRows, publish, rateOf, type Totals, timingsOf, totalOf } from './read-ig.ts';

/** The request counts of a total, as the scope publishes them. */
export const requestCountsOf = (
  scope: AuditSearchScope | { readonly kind: 'report' },
  t: Totals,
): RequestCounts => {
  const n = (name: string) => publish(scope, t.counts[name] ?? 0);
  return {
    submitted: n('submitted'),
    refused: n('refused'),
    approved: n('approved'),
    partial: n('partial'),
    declined: n('declined'),
    released: n('released'),
    withdrawn: n('withdrawn'),
    closed: n('closed'),
  };
};

/** Approved or partly approved, of the requests decided. */
export const approvalRateOf = (scope: AuditSearchScope | { readonly kind: 'report' }, t: Totals) => {
  const granted = (t.counts.approved ?? 0) + (t.counts.partial ?? 0);
  return rateOf(scope, granted, granted + (t.counts.declined ?? 0));
};

type Grouped = Omit<RequestsRow, keyof RequestCounts | 'period' | 'approvalRate' | 'responseTime'>;

/** The rollup each grouping reads (projection-items.ts): one row per group and month. */
const rollupOfGrouping = {
  pair: 'pair',
  purpose: 'purpose',
  footprint: 'footprint',
  organisation: 'side',
} as const satisfies Record<RequestGrouping, RollupKind>;

/** The group of one rollup row. */
const groupOf = (row: Aggregate, group: RequestGrouping): Grouped => {
  switch (group) {
    case 'purpose': {
      const purpose = fieldOf(row, 'purpose') as PurposeCode | undefined;
      return { label: purpose ?? 'purpose not known', ...(purpose === undefined ? {} : { purpose }) };
    }
    case 'footprint': {
      const footprint = fieldOf(row, 'footprint');
      return { label: footprint ?? 'footprint not known', ...(footprint === undefined ? {} : { footprint }) };
    }
    case 'organisation': {
      const organisation = fieldOf(row, 'organisation') ?? '-';
      const side = row.fields.side === 'responder' ? 'responder' : 'requester';
      return { label: `${organisation} as ${side}`, organisation, side };
    }
    case 'pair': {
      const requester = fieldOf(row, 'requester') ?? '-';
      const responder = fieldOf(row, 'responder') ?? '-';
      return { label: `${requester} to ${responder}`, requester, responder };
    }
  }
};

/**
 * `GET /v1/ig/requests`: requests by month or quarter of submission and by purpose, footprint, organisation or
 * pair, with approval rate and response times read from the histograms.
 */
export const answerIgRequests = async (
  deps: IgDeps,
  input: {
    readonly principal: Principal;
    readonly from?: string | undefined;
    readonly to?: string | undefined;
    readonly by?: RequestPeriodKind | undefined;
    readonly group?: RequestGrouping | undefined;
  },
): Promise<{ readonly answer: RequestsAnswer } & Audited> => {
  const by = input.by ?? 'month';
  const group = input.group ?? 'pair';
  const { scope, header, rows } = await periodRows(deps, input, rollupOfGrouping[group]);
  const labelled = rows.map((row) => ({
    row,
    grouped: groupOf(row, group),
    period: by === 'month' ? row.month : quarterOfMonth(row.month),
  }));
  const answerRows = groupBy(labelled, (l) => `${l.period}#${l.grouped.label}`).map(([, members]) => {
    const first = members[0] as (typeof members)[number];
    const total = totalOf(members.map((m) => m.row));
    return {
      period: first.period,
      ...first.grouped,
      ...requestCountsOf(scope, total),
      approvalRate: approvalRateOf(scope, total),
      responseTime: timingsOf(scope, total.histograms.response),
    };
  });
  return { answer: { ...header, by, group, rows: answerRows }, audited: [] };
};
