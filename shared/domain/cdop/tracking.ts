import type { DataRequest } from '../requests/data-request.ts';
import type { CaseAgency, CdopCase, TimelineEntry } from './case.ts';

/**
 * Tracking a case's reports: each agency's status from its data request and the CDOP's due date, the case
 * timeline, who is outstanding across all open cases, and which reminders are due. Pure: requests and the time are
 * passed in; reminders come back as intents for the caller to send as events and record.
 */

export const agencyReportStatuses = [
  'requested',
  'overdue',
  'answered',
  'declined',
  'withdrawn',
  'ended',
] as const;
export type AgencyReportStatus = (typeof agencyReportStatuses)[number];

export type AgencyTracking = {
  readonly organisationId: string;
  readonly requestId: string | undefined;
  readonly requestedAt: string;
  readonly dueAt: string;
  readonly status: AgencyReportStatus;
  /** Whole days past the CDOP's due date (rounded up), when overdue. */
  readonly daysOverdue?: number;
  /** The responder's reasons, when declined. */
  readonly declinedReasons?: string;
  readonly answeredAt?: string;
  readonly withdrawnAt?: string;
  /** When the ask ended without a report because the agreement ended, and the engine's code for why. */
  readonly endedAt?: string;
  readonly endedReason?: string;
};

const day = 86_400_000;

/** Whole days (rounded up) that `now` is past `dueAt`; 0 if not past. */
export const daysPast = (dueAt: string, now: Date): number =>
  Math.max(0, Math.ceil((now.getTime() - Date.parse(dueAt)) / day));

const trackAgency = (
  agency: CaseAgency,
  requests: ReadonlyMap<string, DataRequest>,
  now: Date,
): AgencyTracking => {
  const request = agency.requestId === undefined ? undefined : requests.get(agency.requestId);
  const base = {
    organisationId: agency.organisationId,
    requestId: agency.requestId,
    requestedAt: agency.requestedAt,
    dueAt: agency.dueAt,
  };
  if (agency.endedAt !== undefined) {
    return {
      ...base,
      status: 'ended',
      endedAt: agency.endedAt,
      ...(agency.endedReason === undefined ? {} : { endedReason: agency.endedReason }),
    };
  }
  switch (request?.status) {
    case 'released':
    case 'expired': {
      const answeredAt = request.share?.releasedAt;
      return { ...base, status: 'answered', ...(answeredAt === undefined ? {} : { answeredAt }) };
    }
    case 'declined':
      return { ...base, status: 'declined', declinedReasons: request.decision?.reasons ?? '' };
    case 'withdrawn':
      return {
        ...base,
        status: 'withdrawn',
        ...(request.withdrawnAt === undefined ? {} : { withdrawnAt: request.withdrawnAt }),
      };
    case undefined:
    case 'submitted':
    case 'approved':
    case 'partially-approved': {
      // Not yet answered (submitted, approved but not released, or not made yet): judged by the CDOP's due date.
      const late = now.getTime() > Date.parse(agency.dueAt);
      return late
        ? { ...base, status: 'overdue', daysOverdue: daysPast(agency.dueAt, now) }
        : { ...base, status: 'requested' };
    }
    default:
      // A request that ended without a report in some other way (closed when its agreement was revoked): not
      // outstanding, no reminder.
      return { ...base, status: 'ended' };
  }
};

const byId = (requests: readonly DataRequest[]) => new Map(requests.map((r) => [r.id, r]));

/** Each agency asked on the case, with its report status at `now`. */
export const agencyStatuses = (
  cdopCase: CdopCase,
  requests: readonly DataRequest[],
  now: Date,
): AgencyTracking[] => {
  const index = byId(requests);
  return cdopCase.agencies.map((a) => trackAgency(a, index, now));
};

/**
 * The case's timeline: its own entries (opened, requested, reminded, closed) and what the linked requests record
 * (approved, received, declined with reasons, withdrawn), oldest first. With `now`, an overdue entry is added at
 * the due date of each report still outstanding past it.
 */
export const caseTimeline = (
  cdopCase: CdopCase,
  requests: readonly DataRequest[],
  now?: Date,
): TimelineEntry[] => {
  const index = byId(requests);
  const derived: TimelineEntry[] = cdopCase.agencies.flatMap((agency) => {
    const request = agency.requestId === undefined ? undefined : index.get(agency.requestId);
    const entries: TimelineEntry[] = [];
    const about = {
      organisationId: agency.organisationId,
      ...(agency.requestId === undefined ? {} : { requestId: agency.requestId }),
    };
    const decision = request?.decision;
    if (decision !== undefined && decision.outcome !== 'decline') {
      entries.push({ at: decision.decidedAt, kind: 'report-approved', by: decision.decidedBy, ...about });
    }
    if (decision?.outcome === 'decline') {
      entries.push({
        at: decision.decidedAt,
        kind: 'report-declined',
        by: decision.decidedBy,
        ...about,
        detail: decision.reasons,
      });
    }
    if (request?.share !== undefined) {
      entries.push({
        at: request.share.releasedAt,
        kind: 'report-received',
        by: request.share.releasedBy,
        ...about,
      });
    }
    if (request?.withdrawnAt !== undefined) {
      entries.push({
        at: request.withdrawnAt,
        kind: 'report-withdrawn',
        ...(request.withdrawnBy === undefined ? {} : { by: request.withdrawnBy }),
        ...about,
      });
    }
    if (now !== undefined && trackAgency(agency, index, now).status === 'overdue') {
      entries.push({ at: agency.dueAt, kind: 'report-overdue', ...about });
    }
    return entries;
  });
  return [...cdopCase.timeline, ...derived]
    .map((entry, i) => ({ entry, i }))
    .sort((a, b) => Date.parse(a.entry.at) - Date.parse(b.entry.at) || a.i - b.i)
    .map(({ entry }) => entry);
};

export type OutstandingReport = {
  readonly caseId: string;
  readonly cdopOrganisationId: string;
  readonly requestId: string | undefined;
  readonly dueAt: string;
  readonly status: 'requested' | 'overdue';
  readonly daysOverdue: number;
};

export type OutstandingByAgency = {
  readonly organisationId: string;
  readonly reports: readonly OutstandingReport[];
  readonly overdue: number;
  readonly maxDaysOverdue: number;
};

/**
 * Who still owes a report, across every open case: by agency, the most overdue agency first, each agency's
 * reports oldest due first. Closed cases owe nothing.
 */
export const outstandingAcrossCases = (
  cases: readonly CdopCase[],
  requests: readonly DataRequest[],
  now: Date,
): OutstandingByAgency[] => {
  const index = byId(requests);
  const byAgency = new Map<string, OutstandingReport[]>();
  for (const c of cases) {
    if (c.status !== 'open') continue;
    for (const agency of c.agencies) {
      const t = trackAgency(agency, index, now);
      if (t.status !== 'requested' && t.status !== 'overdue') continue;
      const reports = byAgency.get(t.organisationId) ?? [];
      reports.push({
        caseId: c.id,
        cdopOrganisationId: c.cdopOrganisationId,
        requestId: t.requestId,
        dueAt: t.dueAt,
        status: t.status,
        daysOverdue: t.daysOverdue ?? 0,
      });
      byAgency.set(t.organisationId, reports);
    }
  }
  return [...byAgency.entries()]
    .map(([organisationId, reports]) => ({
      organisationId,
      reports: reports.sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt)),
      overdue: reports.filter((r) => r.status === 'overdue').length,
      maxDaysOverdue: Math.max(0, ...reports.map((r) => r.daysOverdue)),
    }))
    .sort((a, b) => b.maxDaysOverdue - a.maxDaysOverdue || a.organisationId.localeCompare(b.organisationId));
};

/** When reminders go: once some days before the due date, then every so many days while overdue. */
export type ReminderPolicy = { readonly dueSoonDays: number; readonly overdueEveryDays: number };
export const defaultReminderPolicy: ReminderPolicy = { dueSoonDays: 3, overdueEveryDays: 7 };

/** The key `lastReminded` is kept by: one agency's report on one case. */
export const reminderKey = (caseId: string, organisationId: string): string => `${caseId}/${organisationId}`;

export type ReminderIntent = {
  readonly kind: 'report-due-soon' | 'report-overdue';
  readonly key: string;
  readonly caseId: string;
  readonly cdopOrganisationId: string;
  readonly organisationId: string;
  readonly requestId: string | undefined;
  readonly dueAt: string;
  readonly daysOverdue: number;
};

/**
 * The reminders due at `now` for reports still outstanding on open cases: one `report-due-soon` when the due date
 * is within `dueSoonDays` and none was sent; a `report-overdue` once past due if none was sent since the due date,
 * then again every `overdueEveryDays`. `lastReminded` maps `reminderKey(case, agency)` to the last reminder's
 * instant. The caller sends each intent (as an event) and records it in `lastReminded` and the case timeline.
 */
export const remindersDue = (
  cases: readonly CdopCase[],
  requests: readonly DataRequest[],
  now: Date,
  lastReminded: ReadonlyMap<string, string>,
  policy: ReminderPolicy = defaultReminderPolicy,
): ReminderIntent[] => {
  const index = byId(requests);
  const intents: ReminderIntent[] = [];
  for (const c of cases) {
    if (c.status !== 'open') continue;
    for (const agency of c.agencies) {
      const t = trackAgency(agency, index, now);
      const key = reminderKey(c.id, agency.organisationId);
      const last = lastReminded.get(key);
      const lastAt = last === undefined ? undefined : Date.parse(last);
      const due = Date.parse(agency.dueAt);
      const intent = {
        key,
        caseId: c.id,
        cdopOrganisationId: c.cdopOrganisationId,
        organisationId: agency.organisationId,
        requestId: agency.requestId,
        dueAt: agency.dueAt,
      };
      if (t.status === 'overdue') {
        const remind =
          lastAt === undefined || lastAt <= due || now.getTime() - lastAt >= policy.overdueEveryDays * day;
        if (remind) intents.push({ kind: 'report-overdue', ...intent, daysOverdue: t.daysOverdue ?? 0 });
      } else if (t.status === 'requested') {
        const soon = due - now.getTime() <= policy.dueSoonDays * day;
        if (soon && lastAt === undefined)
          intents.push({ kind: 'report-due-soon', ...intent, daysOverdue: 0 });
      }
    }
  }
  return intents;
};

/** What one run of the case tracker changes on a case, and what it announces. */
export type CaseTrackingChange = {
  readonly next: CdopCase;
  /** Agencies whose report arrived since the tracker last looked. */
  readonly received: readonly AgencyTracking[];
  readonly reminders: readonly ReminderIntent[];
};

/**
 * One tracker pass over an open case (functions/cdop/track-cases.ts): notes each agency's status, picks out the
 * reports that arrived since the last pass, and the reminders due, each recorded on the agency and the timeline.
 * With `remind: false` (the agreement is not in force: no agency is pressed to share) no reminder goes. Undefined
 * when nothing changed, so the tracker writes nothing.
 */
export const trackCase = (
  cdopCase: CdopCase,
  requests: readonly DataRequest[],
  now: Date,
  policy: ReminderPolicy = defaultReminderPolicy,
  options: { readonly remind: boolean } = { remind: true },
): CaseTrackingChange | undefined => {
  if (cdopCase.status !== 'open') return undefined;
  const lastReminded = new Map(
    cdopCase.agencies.flatMap((a) =>
      a.lastRemindedAt === undefined ? [] : [[reminderKey(cdopCase.id, a.organisationId), a.lastRemindedAt]],
    ),
  ) as ReadonlyMap<string, string>;
  const reminders = options.remind ? remindersDue([cdopCase], requests, now, lastReminded, policy) : [];
  const reminded = new Set(reminders.map((r) => r.organisationId));
  const statuses = agencyStatuses(cdopCase, requests, now);
  const received = statuses.filter(
    (t, i) => t.status === 'answered' && cdopCase.agencies[i]?.lastSeenStatus !== 'answered',
  );
  const changed = statuses.some((t, i) => cdopCase.agencies[i]?.lastSeenStatus !== t.status);
  if (!changed && reminders.length === 0) return undefined;
  const at = now.toISOString();
  const agencies = cdopCase.agencies.map((a, i) => ({
    ...a,
    lastSeenStatus: statuses[i]?.status ?? a.lastSeenStatus,
    ...(reminded.has(a.organisationId) ? { lastRemindedAt: at } : {}),
  }));
  const entries: TimelineEntry[] = reminders.map((r) => ({
    at,
    kind: 'reminder-sent',
    organisationId: r.organisationId,
    ...(r.requestId === undefined ? {} : { requestId: r.requestId }),
    detail: r.kind,
  }));
  return {
    next: {
      ...cdopCase,
      agencies,
      timeline: [...cdopCase.timeline, ...entries],
      revision: cdopCase.revision + 1,
    },
    received,
    reminders,
  };
};
