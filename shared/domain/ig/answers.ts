import type { ConsentExemption, PurposeCode } from '../agreements/catalogue.ts';
import type { AuditEntry } from '../audit/audit-entry.ts';
import type { RequestStatus } from '../requests/data-request.ts';
import type { WithinHours } from './ig-terms.ts';
import type { ChildEntryItem } from './projection-items.ts';
import type { RestrictionReasonCode } from './restriction.ts';

/**
 * What the IG questions answer (docs/IG.md), as the use cases build it: rows of labelled numbers. The HTTP answer
 * schemas (shared/http/views/ig.ts) are checked against these by the compiler.
 */

/** A count: exact, or `<5` for 1 to 4 under the counts scope and in the PQA report. */
export type IgCount = number | '<5';

/** How fresh an answer is: the log's leaves below `leaves` are folded in, as the projection ran at `time`. */
export type AsOf = { readonly leaves: number; readonly time: string | null };

export type IgScopeKind = 'all' | 'organisation' | 'counts';

/** What every answer says of itself. */
export type AnswerHeader = {
  readonly asOf: AsOf;
  readonly scope: IgScopeKind;
  readonly organisationId?: string;
};

export type Period = { readonly from: string; readonly to: string };

export type PeriodAnswer = AnswerHeader & { readonly period: Period };

export type Timings = { readonly median: WithinHours | null; readonly p90: WithinHours | null };

/** One entry of the child, as the projection indexed it, with the restriction in force on it, if any. */
export type ChildEntry = ChildEntryItem & {
  readonly restriction?: {
    readonly id: string;
    readonly organisationId: string;
    readonly reasonCode: RestrictionReasonCode;
    readonly until: string;
  };
};

export type ChildCount = {
  readonly action: string;
  readonly outcome: AuditEntry['outcome'];
  readonly count: IgCount;
};

export type ChildAnswer = AnswerHeader & {
  readonly references: number;
  readonly entries?: readonly ChildEntry[];
  readonly truncated: boolean;
  readonly counts: readonly ChildCount[];
};

/**
 * The subject access report: the child's entries the asker's scope sees, less those restricted at `at`; how many
 * were withheld, never which or why.
 */
export type DisclosureAnswer = AnswerHeader & {
  readonly references: number;
  readonly at: string;
  readonly entries: readonly ChildEntryItem[];
  readonly withheld: number;
  readonly truncated: boolean;
  readonly counts: readonly ChildCount[];
};

export type RequestCounts = {
  readonly submitted: IgCount;
  readonly refused: IgCount;
  readonly approved: IgCount;
  readonly partial: IgCount;
  readonly declined: IgCount;
  readonly released: IgCount;
  readonly withdrawn: IgCount;
  readonly closed: IgCount;
};

export type RequestGrouping = 'purpose' | 'footprint' | 'organisation' | 'pair';
export type RequestPeriodKind = 'month' | 'quarter';

export type RequestsRow = RequestCounts & {
  readonly period: string;
  readonly label: string;
  readonly purpose?: PurposeCode;
  readonly footprint?: string;
  readonly organisation?: string;
  readonly side?: 'requester' | 'responder';
  readonly requester?: string;
  readonly responder?: string;
  readonly approvalRate: number | null;
  readonly responseTime: Timings;
};

export type RequestsAnswer = PeriodAnswer & {
  readonly by: RequestPeriodKind;
  readonly group: RequestGrouping;
  readonly rows: readonly RequestsRow[];
};

export type RefusalKind = 'refusal' | 'decline';

export type RefusalRow = {
  readonly requester: string;
  readonly responder?: string;
  readonly kind: RefusalKind;
  readonly action: string;
  readonly reasonCode: string;
  readonly count: IgCount;
};

export type RefusalsAnswer = PeriodAnswer & {
  readonly rows: readonly RefusalRow[];
  readonly totals: readonly {
    readonly kind: RefusalKind;
    readonly reasonCode: string;
    readonly count: IgCount;
  }[];
};

export type PastReviewRow = {
  readonly agreementId: string;
  readonly version: number;
  readonly requester: string;
  readonly responder: string;
  readonly accepted: IgCount;
  readonly refused: IgCount;
};

export type PastReviewAnswer = PeriodAnswer & { readonly rows: readonly PastReviewRow[] };

export type ConsentRow = {
  readonly requester: string;
  readonly responder: string;
  readonly purpose: PurposeCode;
  readonly footprint: string;
  readonly exemption: ConsentExemption;
  readonly count: IgCount;
};

export type ConsentNotSoughtAnswer = PeriodAnswer & {
  readonly rows: readonly ConsentRow[];
  readonly totals: readonly { readonly exemption: ConsentExemption; readonly count: IgCount }[];
};

export type PlacementRow = {
  readonly placingAuthority: string;
  readonly hostAuthority: string;
  readonly requester: string;
  readonly responder: string;
  readonly purpose: PurposeCode;
  readonly submitted: IgCount;
  readonly approved: IgCount;
  readonly partial: IgCount;
  readonly declined: IgCount;
  readonly released: IgCount;
};

export type PlacementsAnswer = PeriodAnswer & { readonly rows: readonly PlacementRow[] };

export type ChallengesRow = {
  readonly month: string;
  readonly requester: string;
  readonly responder: string;
  readonly raised: IgCount;
  readonly escalated: IgCount;
  readonly upheld: IgCount;
  readonly overturned: IgCount;
  readonly resolvedOtherwise: IgCount;
  readonly overdue: IgCount;
};

export type ChallengesAnswer = PeriodAnswer & { readonly rows: readonly ChallengesRow[] };

export type OutcomesRow = {
  readonly requester: string;
  readonly responder: string;
  readonly submitted: IgCount;
  readonly withOutcome: IgCount;
  readonly open: IgCount;
  readonly approved: IgCount;
  readonly partial: IgCount;
  readonly declined: IgCount;
  readonly withdrawn: IgCount;
  readonly closed: IgCount;
  readonly outcomeRate: number | null;
  readonly timeToOutcome: Timings;
};

export type OutcomesAnswer = PeriodAnswer & { readonly rows: readonly OutcomesRow[] };

export type OpenRequestRow = {
  readonly requestId: string;
  readonly requester: string;
  readonly purpose: PurposeCode;
  readonly status: RequestStatus;
  readonly dueAt: string;
  readonly overdue: boolean;
  readonly daysOverdue: number;
};

export type OutstandingRow = {
  readonly responder: string;
  readonly open: IgCount;
  readonly overdue: IgCount;
  readonly maxDaysOverdue: number | null;
  readonly requests?: readonly OpenRequestRow[];
};

export type OutstandingAnswer = AnswerHeader & {
  readonly period?: { readonly from?: string; readonly to?: string };
  readonly now: string;
  readonly rows: readonly OutstandingRow[];
};

type CodeCounts = readonly { readonly reasonCode: string; readonly count: IgCount }[];

export type ReportAnswer = {
  readonly asOf: AsOf;
  readonly quarter: string;
  readonly footprint: string;
  readonly period: Period;
  readonly requests: RequestCounts & { readonly approvalRate: number | null; readonly responseTime: Timings };
  readonly byPurpose: readonly {
    readonly purpose: PurposeCode;
    readonly submitted: IgCount;
    readonly approvalRate: number | null;
  }[];
  readonly refusals: CodeCounts;
  readonly declines: CodeCounts;
  readonly pastReview: { readonly accepted: IgCount; readonly refused: IgCount };
  readonly withoutAgreement: CodeCounts;
  readonly crossFootprint: CodeCounts;
  readonly consentNotSought: readonly { readonly exemption: ConsentExemption; readonly count: IgCount }[];
  readonly placements: { readonly submitted: IgCount };
  readonly challenges: {
    readonly raised: IgCount;
    readonly escalated: IgCount;
    readonly upheld: IgCount;
    readonly overturned: IgCount;
    readonly resolvedOtherwise: IgCount;
  };
  readonly outcomes: {
    readonly submitted: IgCount;
    readonly withOutcome: IgCount;
    readonly open: IgCount;
    readonly outcomeRate: number | null;
    readonly timeToOutcome: Timings;
  };
  readonly outstanding: { readonly open: IgCount; readonly overdue: IgCount };
};
