import { ulid } from 'ulid';
import type { AgreementStore } from '../../ports/agreement-store.ts';
import type { AuditLog } from '../../ports/audit-log.ts';
import type { CaseStep, CaseStore, ReportAsk } from '../../ports/case-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { PayloadStore } from '../../ports/payload-store.ts';
import type { RegistryReader } from '../../ports/registry-store.ts';
import type { RequestStore, SignedCopy } from '../../ports/request-store.ts';
import { type AgreementRecord, standingOf } from '../agreements/agreement.ts';
import { type AgreementRefusal, refuseForAgreement } from '../agreements/agreement-in-force.ts';
import { consentFacts } from '../agreements/evaluate-request.ts';
import {
  type AuditActor,
  type AuditFacts,
  newAuditEntry,
  systemActor,
  textSha256,
} from '../audit/audit-entry.ts';
import { auditedAction, auditedOn, callerFacts } from '../audit/audited-action.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, ConflictError, NotFoundError } from '../errors.ts';
import { type ExchangeEvent, newExchangeEvent } from '../events/exchange-event.ts';
import { membersOf, type Registry } from '../registry/registry.ts';
import type { DataRequest } from '../requests/data-request.ts';
import { type IdempotentCall, idempotencyRecord, idempotently } from '../requests/idempotency.ts';
import { newRequestRecord, submissionStep } from '../requests/manage-requests.ts';
import { parseStrictJson } from '../strict-json.ts';
import { type AnalysisForm, parseAnalysis } from './analysis.ts';
import {
  assertCaseRunner,
  assertRunsCase,
  type CaseActor,
  type CaseAgency,
  type CasePack,
  type CdopCase,
  closeCase,
  endPendingAsks,
  openCase,
  recordAgencyRequests,
  recordPack,
} from './case.ts';
import {
  type CaseAgreementStanding,
  type CaseStepAction,
  caseAgreementOf,
  caseStandingReasonOf,
  pendingAskRule,
  standingFacts,
  standingRefusalFor,
} from './case-agreement.ts';
import {
  caseReviewPurpose,
  cdrAgreementOf,
  type PlannedRequest,
  planFanOut,
  suggestAgencies,
} from './fan-out.ts';
import { annualFigures, type FiguresCase, forPublication, learningThemesForNeighbour } from './figures.ts';
import { exportForNcmd, ncmdExportVersionList } from './ncmd-export.ts';
import { assemblePanelPack, type PanelPack, panelMayFetch } from './panel-pack.ts';
import { parseReport, type ReportingForm, reportingFormVersions, schemaVersionOf } from './reporting-form.ts';
import { agencyStatuses, caseTimeline, outstandingAcrossCases, trackCase } from './tracking.ts';

/**
 * The CDOP case workspace's use cases (issue 7; docs/CDOP.md): thin steps over the pure core in this folder. Each
 * step loads what it needs, lets the core decide, and commits the case, its audit entry, its events and the
 * idempotency record of the call together (ports/case-store.ts). Agencies answer through the data requests the
 * case sends them, so everything an agency does is a request step with its own record.
 */

export type CaseDeps = {
  readonly cases: CaseStore;
  readonly requests: Pick<RequestStore, 'getRequest' | 'create'>;
  readonly payloads: Pick<PayloadStore, 'read' | 'put'>;
  readonly agreements: Pick<AgreementStore, 'listAgreements'>;
  readonly registry: Pick<RegistryReader, 'loadRegistry'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
};

/** What the case tracker needs: no registry; the agreements, to judge each case's asks by its standing. */
export type TrackDeps = Pick<CaseDeps, 'cases' | 'requests' | 'agreements' | 'audit' | 'clock'>;

type Answer = { statusCode: 200 | 201; body: unknown };

/** Days an agency has to send its report when the CDOP's agreement sets no response time for case review. */
export const defaultReportDueDays = 28;

/** The largest report the exchange reads back to assemble a pack (a reporting form is a few tens of KiB). */
const maxReportBytes = 2 * 1024 * 1024;
/** The largest pack read back to answer a fetch: it goes back inline, and a Lambda answer is at most 6 MB. */
const maxPackBytes = 5 * 1024 * 1024;

const changedConcurrently = () =>
  new ConflictError('CONFLICT', 'the case changed while this step was taken; read it again and retry');

/** The case runner a principal stands for: a user of its organisation (a system client with no user is none). */
const actingUser = (principal: Principal): CaseActor => {
  if (principal.user === undefined) {
    throw new AuthorisationError('NOT_PERMITTED', 'a CDOP step is taken by a user', [
      'the signed request names no user (sub)',
    ]);
  }
  return { organisationId: principal.organisationId, userId: principal.user.id };
};

/** What every audit entry about a case says of it: never the notification's details, only its pseudonym. */
const caseFacts = (c: CdopCase) => ({
  target: { type: 'cdop-case', id: c.id },
  purpose: caseReviewPurpose,
  subjectRef: c.notification.subjectRef,
  parties: [c.cdopOrganisationId, ...c.agencies.map((a) => a.organisationId)],
});

/** The case as the API shows it: the record, each agency's report status, and the timeline. */
const caseView = (c: CdopCase, requests: readonly DataRequest[], now: Date) => ({
  case: c,
  agencies: agencyStatuses(c, requests, now),
  timeline: caseTimeline(c, requests, now),
});

/** The linked data requests of cases (each read once), for tracking. */
const requestsOf = async (deps: Pick<CaseDeps, 'requests'>, cases: readonly CdopCase[]) => {
  const ids = [...new Set(cases.flatMap((c) => c.agencies.flatMap((a) => a.requestId ?? [])))];
  const found = await Promise.all(ids.map((id) => deps.requests.getRequest(id)));
  return found.filter((r): r is DataRequest => r !== undefined);
};

/** A step the agreement's standing does not allow: recorded by `onCase` with the standing and the engine's code. */
class StandingRefusal extends Error {
  constructor(readonly reason: AgreementRefusal) {
    super(reason.code);
  }
}

/**
 * Refuses a step unless the standing of the case's agreement lets it go ahead now (case-agreement.ts
 * `standingNeeded`). Called by each step after it has checked who the caller is, so the standing is never told to
 * a caller the case does not concern.
 */
const assertStandingAllows = (action: CaseStepAction, s: CaseAgreementStanding): void => {
  const reason = standingRefusalFor(action, s);
  if (reason !== undefined) throw new StandingRefusal(reason);
};

/**
 * Runs a step on one case for a caller: loads it (404 if there is none) with the standing of its agreement at this
 * moment, and records a refusal with the coded reason if the step refuses. A refusal for the agreement's standing
 * is a 403 with the engine's code (`AGREEMENT_SUSPENDED`, …), as every request step's is, and its entry has the
 * code and the standing. A step that commits a refusal itself does so outside (requestCdopReports), so it is not
 * recorded twice.
 */
const onCase = async <T>(
  deps: CaseDeps,
  input: { principal: Principal; caseId: string; action: CaseStepAction },
  step: (c: CdopCase, s: CaseAgreementStanding) => Promise<T>,
): Promise<T> => {
  let found: { c: CdopCase; s: CaseAgreementStanding } | undefined;
  try {
    return await auditedOn(
      deps,
      {
        principal: input.principal,
        action: input.action,
        target: { type: 'cdop-case', id: input.caseId },
        load: async () => {
          const c = await deps.cases.getCase(input.caseId);
          if (c === undefined) return undefined;
          found = { c, s: caseAgreementOf(c, await deps.agreements.listAgreements(), deps.clock.now()) };
          return found;
        },
        factsOf: ({ c, s }) => ({ ...caseFacts(c), ...standingFacts(s) }),
      },
      ({ c, s }) => step(c, s),
    );
  } catch (error) {
    if (!(error instanceof StandingRefusal) || found === undefined) throw error;
    await deps.audit.record(
      newAuditEntry(
        {
          ...callerFacts(input.principal),
          action: input.action,
          outcome: 'refused',
          reasonCodes: [error.reason.code],
          ...caseFacts(found.c),
          ...standingFacts(found.s),
        },
        deps.clock.now(),
      ),
    );
    throw refuseForAgreement(error.reason, found.s.standing?.state);
  }
};

/** One step's record: its audit entry (allowed unless said), its events, and the idempotency record of `answer`. */
const caseStep = (input: {
  facts: Omit<AuditFacts, 'outcome'> & { outcome?: AuditFacts['outcome'] };
  events: readonly ExchangeEvent[];
  call: IdempotentCall | undefined;
  answer: Parameters<typeof idempotencyRecord>[1];
  now: Date;
}): CaseStep => ({
  audit: newAuditEntry({ outcome: 'allowed', ...input.facts }, input.now),
  events: input.events,
  ...(input.call === undefined
    ? {}
    : { idempotency: idempotencyRecord(input.call, input.answer, input.now) }),
});

/** The case changed between a step's read and its write (the tracker noted a report, say): the step runs again. */
class CaseChangedMeanwhile extends Error {}

/** Commits a step's next revision of a case with its record; a lost race throws CaseChangedMeanwhile. */
const commitCase = async (
  deps: Pick<CaseDeps, 'cases'>,
  previous: CdopCase,
  next: CdopCase,
  record: Parameters<typeof caseStep>[0],
  ask?: ReportAsk,
): Promise<void> => {
  if (!(await deps.cases.update(previous, next, caseStep(record), ask))) throw new CaseChangedMeanwhile();
};

/**
 * Runs a step again, from a fresh read of the case, when it lost a race for the case (the tracker writes to open
 * cases every minute); 409 CONFLICT after three tries. A lost race is not a refusal and records nothing, so the
 * answer still has exactly one entry. Runs inside `idempotently`: a step that lost to the same call made twice
 * ends as CONFLICT there, and is answered what the winner stored.
 */
const retryingLostRaces = async <T>(step: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof CaseChangedMeanwhile)) throw error;
      if (attempt >= 3) throw changedConcurrently();
    }
  }
};

/** The fields every case event starts with (events/cdop-case-parties.ts). */
const eventCase = (c: CdopCase) => ({ caseId: c.id, cdopOrganisationId: c.cdopOrganisationId });

// ---- Opening --------------------------------------------------------------------------------------------------

/**
 * `POST /v1/cdop/cases`: opens a case on notification of a death (201), or, for a child resident in another CDOP's
 * area, passes the notification on to that CDOP as an event without its subject reference (200, notify-instead).
 */
export const openCdopCase = (
  deps: CaseDeps,
  input: { principal: Principal; notification: unknown; call?: IdempotentCall | undefined },
): Promise<Answer> =>
  idempotently(deps.cases, input.call, async () => {
    const { principal, call } = input;
    const now = deps.clock.now();
    const facts = {
      ...callerFacts(principal),
      action: 'cdop.case.open',
      target: { type: 'organisation', id: principal.organisationId },
      purpose: caseReviewPurpose,
    };
    const { registry, result } = await auditedAction(deps, facts, async () => {
      const by = actingUser(principal);
      const registry = await deps.registry.loadRegistry();
      const cases = await deps.cases.listCases(principal.organisationId);
      return {
        registry,
        result: openCase(
          { id: ulid(now.getTime()), notification: input.notification },
          { ...registry, cases },
          by,
          now,
        ),
      };
    });

    if (result.outcome === 'notify-instead') {
      const n = result.notification;
      const answer: Answer = {
        statusCode: 200,
        body: { outcome: 'notify-instead', notifyInstead: result.notifyInstead, reason: result.reason },
      };
      const step = caseStep({
        facts: {
          ...facts,
          action: 'cdop.notification.forward',
          target: { type: 'organisation', id: result.notifyInstead.cdopOrganisationId },
          parties: [principal.organisationId, result.notifyInstead.cdopOrganisationId],
        },
        events: [
          newExchangeEvent(
            'DeathNotificationForwarded',
            {
              forwardedByOrganisationId: principal.organisationId,
              cdopOrganisationId: result.notifyInstead.cdopOrganisationId,
              footprintId: result.notifyInstead.footprintId,
              boroughOfResidence: n.boroughOfResidence,
              notifyingOrganisationId: n.notifyingOrganisationId,
              expected: n.expected,
            },
            [result.notifyInstead.cdopOrganisationId, principal.organisationId],
            now,
          ),
        ],
        call,
        answer,
        now,
      });
      if (!(await deps.cases.record(step))) throw changedConcurrently();
      return answer;
    }

    const opened = result.case;
    const standing = caseAgreementOf(opened, await deps.agreements.listAgreements(), now);
    const answer: Answer = {
      statusCode: 201,
      body: {
        outcome: 'opened',
        ...caseView(opened, [], now),
        suggestions: suggestAgencies(opened, registry, now),
      },
    };
    const step = caseStep({
      facts: { ...facts, ...caseFacts(opened), ...standingFacts(standing) },
      events: [
        newExchangeEvent(
          'CaseOpened',
          {
            ...eventCase(opened),
            footprintId: opened.footprintId,
            boroughOfResidence: opened.notification.boroughOfResidence,
            notifyingOrganisationId: opened.notification.notifyingOrganisationId,
            expected: opened.notification.expected,
            notificationSchemaVersion: opened.notification.schemaVersion,
          },
          [opened.cdopOrganisationId, opened.notification.notifyingOrganisationId],
          now,
        ),
      ],
      call,
      answer,
      now,
    });
    if (!(await deps.cases.create(opened, step))) throw changedConcurrently();
    return answer;
  });

// ---- Reading --------------------------------------------------------------------------------------------------

/**
 * `GET /v1/cdop/cases`: the caller's CDOP's cases, newest first (optionally by status), each with its report
 * counts, and who is outstanding across its open cases. For the CDOP's managers and coordinators; audited.
 */
export const listCdopCases = async (
  deps: CaseDeps,
  input: { principal: Principal; status?: 'open' | 'closed' | undefined },
): Promise<Answer> => {
  const { principal } = input;
  const now = deps.clock.now();
  const facts = {
    ...callerFacts(principal),
    action: 'cdop.case.list',
    target: { type: 'organisation', id: principal.organisationId },
  };
  return auditedAction(deps, facts, async () => {
    assertCaseRunner(await deps.registry.loadRegistry(), actingUser(principal), now);
    const all = await deps.cases.listCases(principal.organisationId);
    const cases = all.filter((c) => input.status === undefined || c.status === input.status);
    const requests = await requestsOf(deps, cases);
    const summaries = cases.map((c) => {
      const statuses = agencyStatuses(c, requests, now);
      const count = (status: string) => statuses.filter((s) => s.status === status).length;
      return {
        id: c.id,
        status: c.status,
        footprintId: c.footprintId,
        boroughOfResidence: c.notification.boroughOfResidence,
        dateOfDeath: c.notification.dateOfDeath,
        expected: c.notification.expected,
        createdAt: c.createdAt,
        agencies: statuses.length,
        answered: count('answered'),
        overdue: count('overdue'),
        declined: count('declined'),
        ...(c.closure === undefined ? {} : { closedAt: c.closure.closedAt }),
      };
    });
    await deps.audit.record(
      newAuditEntry(
        { ...facts, outcome: 'allowed', search: input.status === undefined ? {} : { status: input.status } },
        now,
      ),
    );
    return {
      statusCode: 200,
      body: { cases: summaries, outstanding: outstandingAcrossCases(cases, requests, now) },
    };
  });
};

/** `GET /v1/cdop/cases/{caseId}`: one case with its agencies' report statuses, timeline and suggestions; audited. */
export const showCdopCase = (deps: CaseDeps, input: { principal: Principal; caseId: string }) =>
  onCase(deps, { ...input, action: 'cdop.case.view' }, async (c, s): Promise<Answer> => {
    const now = deps.clock.now();
    const registry = await deps.registry.loadRegistry();
    assertRunsCase(registry, c, actingUser(input.principal), now);
    assertStandingAllows('cdop.case.view', s);
    const requests = await requestsOf(deps, [c]);
    await deps.audit.record(
      newAuditEntry(
        {
          ...callerFacts(input.principal),
          action: 'cdop.case.view',
          outcome: 'allowed',
          ...caseFacts(c),
          ...standingFacts(s),
        },
        now,
      ),
    );
    return {
      statusCode: 200,
      body: { ...caseView(c, requests, now), suggestions: suggestAgencies(c, registry, now) },
    };
  });

// ---- Asking agencies ------------------------------------------------------------------------------------------

/**
 * The CDOP's report due time, set per CDOP by its child death review agreement: the routine response time of its
 * case-review purpose, in whole days, else `defaultReportDueDays`.
 */
export const reportDueDaysOf = (
  c: CdopCase,
  agreements: Parameters<typeof cdrAgreementOf>[1],
  now: Date,
): { reportDueDays: number; agreementId?: string } => {
  const agreement = cdrAgreementOf(c, agreements, { reportDueDays: defaultReportDueDays }, now);
  const standing = agreement === undefined ? undefined : standingOf(agreement, now);
  const hours = standing?.version?.content.purposes.find((p) => p.code === caseReviewPurpose)?.responseHours
    ?.routine;
  return {
    reportDueDays: hours === undefined ? defaultReportDueDays : Math.max(1, Math.ceil(hours / 24)),
    ...(agreement === undefined ? {} : { agreementId: agreement.id }),
  };
};

/**
 * `POST /v1/cdop/cases/{caseId}/requests`: asks agencies for their reports. The decision engine judges each ask
 * under the CDOP's child death review agreement. The case records the permitted asks (each with the id its data
 * request will have) and the refused ones (with the agreement that would be needed); the case tracker then creates
 * the data requests from the signed call kept with them, so an ask is never half made. Every ask refused: 403
 * REQUEST_REFUSED, the refusals still recorded on the case.
 */
export const requestCdopReports = (
  deps: CaseDeps,
  input: {
    principal: Principal;
    caseId: string;
    agencies: readonly string[];
    signed: SignedCopy;
    call?: IdempotentCall | undefined;
  },
): Promise<Answer> =>
  idempotently(deps.cases, input.call, () =>
    retryingLostRaces(async () => {
      const { principal, call } = input;
      const now = deps.clock.now();
      const prepared = await onCase(deps, { ...input, action: 'cdop.report.request' }, async (c, s) => {
        const by = actingUser(principal);
        const registry = await deps.registry.loadRegistry();
        assertRunsCase(registry, c, by, now);
        assertStandingAllows('cdop.report.request', s);
        const agreements = await deps.agreements.listAgreements();
        const settings = reportDueDaysOf(c, agreements, now);
        const plan = planFanOut(c, input.agencies, { ...registry, agreements, settings }, by, now);
        return { c, s, by, registry, plan };
      });
      const { c, s, by, registry, plan } = prepared;
      const askId = ulid(now.getTime());
      const permitted = plan.items
        .filter((i): i is PlannedRequest => i.outcome === 'permitted')
        .map((i) => ({ ...i, requestId: ulid(now.getTime()) }));
      const refused = plan.items.flatMap((i) => (i.outcome === 'refused' ? [i] : []));
      const next = recordAgencyRequests(
        c,
        permitted.map((p) => ({
          organisationId: p.organisationId,
          requestId: p.requestId,
          askId,
          dueAt: p.dueAt,
        })),
        registry,
        by,
        now,
        refused.map(({ organisationId, reasons, agreementNeeded }) => ({
          organisationId,
          reasons: [...reasons],
          agreementNeeded: { ...agreementNeeded, coveredElsewhere: [...agreementNeeded.coveredElsewhere] },
        })),
      );
      // Each agency's request id: the new one of a permitted ask, the earlier one of an agency already asked.
      const requestIdOf = new Map([
        ...c.agencies.map((a) => [a.organisationId, a.requestId] as const),
        ...permitted.map((p) => [p.organisationId, p.requestId] as const),
      ]);
      const items = plan.items.map((i) =>
        i.outcome === 'refused'
          ? i
          : {
              outcome: i.outcome,
              organisationId: i.organisationId,
              requestId: requestIdOf.get(i.organisationId),
              ...(i.outcome === 'permitted' ? { dueAt: i.dueAt } : {}),
            },
      );
      const refusalCodes = [...new Set(refused.flatMap((r) => r.reasons.map((reason) => reason.code)))];
      const facts = {
        ...callerFacts(principal),
        action: 'cdop.report.request',
        ...caseFacts(next),
        parties: [c.cdopOrganisationId, ...plan.items.map((i) => i.organisationId)],
        reasonCodes: refusalCodes,
        ...(plan.agreementId === undefined ? {} : { agreement: permitted[0]?.agreement }),
        ...standingFacts(s),
      };
      const events = permitted.map((p) =>
        newExchangeEvent(
          'ReportRequested',
          {
            ...eventCase(c),
            agencyOrganisationId: p.organisationId,
            requestId: p.requestId,
            dueAt: p.dueAt,
            reportingFormVersion: reportingFormVersions.at(-1) ?? '2026',
          },
          [c.cdopOrganisationId, p.organisationId],
          now,
        ),
      );

      if (permitted.length === 0 && refused.length > 0) {
        const refusal = {
          code: 'REQUEST_REFUSED' as const,
          message: 'every agency asked was refused under the CDOP agreement',
          details: refused.map(
            (r) =>
              `${r.organisationId}: ${r.reasons.map((x) => x.code).join(', ')}; needs ${r.agreementNeeded.description}`,
          ),
        };
        await commitCase(deps, c, next, {
          facts: { ...facts, outcome: 'refused' },
          events: [],
          call,
          answer: { refused: refusal },
          now,
        });
        throw new AuthorisationError(refusal.code, refusal.message, refusal.details);
      }

      const answer: Answer = { statusCode: 200, body: { items, ...caseView(next, [], now) } };
      if (permitted.length === 0 && refused.length === 0) {
        // Every agency had been asked already: nothing changes, the call is still recorded.
        await deps.audit.record(newAuditEntry({ ...facts, ...caseFacts(c), outcome: 'allowed' }, now));
        return { statusCode: 200, body: { items, ...caseView(c, await requestsOf(deps, [c]), now) } };
      }
      // Some ask was permitted (none permitted was answered above): kept with the signed call that made them.
      const ask: ReportAsk = {
        askId,
        caseId: c.id,
        requester: { organisationId: by.organisationId, clientId: principal.clientId, userId: by.userId },
        requestHash: principal.requestHash,
        signed: input.signed,
        requests: permitted.map(({ requestId, agreement, body, dueAt }) => ({
          requestId,
          agreement,
          body,
          dueAt,
        })),
      };
      await commitCase(deps, c, next, { facts, events, call, answer, now }, ask);
      return answer;
    }),
  );

// ---- Reports, the panel pack and the NCMD export -------------------------------------------------------------

type ReadReports = {
  readonly requests: DataRequest[];
  readonly reports: ReportingForm[];
  readonly unreadable: { organisationId: string; problems: string[] }[];
};

/**
 * The reports received on a case: each released share read back and parsed as a reporting form of this case and
 * this agency. A share that is not one is listed as unreadable, with the problem (never a value from it).
 */
const readReports = async (deps: CaseDeps, c: CdopCase): Promise<ReadReports> => {
  const requests = await requestsOf(deps, [c]);
  const reports: ReportingForm[] = [];
  const unreadable: { organisationId: string; problems: string[] }[] = [];
  for (const agency of c.agencies) {
    const request = requests.find((r) => r.id === agency.requestId);
    const share = request?.share;
    if (request?.status !== 'released' || share === undefined || share.deletedAt !== undefined) continue;
    const bytes = await deps.payloads.read(share.objectKey, maxReportBytes);
    if (bytes === undefined) {
      unreadable.push({ organisationId: agency.organisationId, problems: ['the released bytes are gone'] });
      continue;
    }
    let value: unknown;
    try {
      // Another organisation's bytes: parsed as strictly as a signed body (no repeated member, bounded depth).
      value = parseStrictJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      unreadable.push({
        organisationId: agency.organisationId,
        problems: ['not UTF-8 JSON without repeats'],
      });
      continue;
    }
    try {
      const report = parseReport(schemaVersionOf(value), value);
      const problems = [
        ...(report.caseId === c.id ? [] : ['caseId: another case']),
        ...(report.agencyId === agency.organisationId ? [] : ['agencyId: another agency']),
      ];
      if (problems.length > 0) unreadable.push({ organisationId: agency.organisationId, problems });
      else reports.push(report);
    } catch (error) {
      const details = (error as { details?: string[] }).details ?? [];
      unreadable.push({
        organisationId: agency.organisationId,
        problems: details.length > 0 ? details : ['not a reporting form'],
      });
    }
  }
  return { requests, reports, unreadable };
};

const packObjectKey = (caseId: string, packHash: string) => `shares/cdop/${caseId}/pack-${packHash}.json`;

/**
 * `POST /v1/cdop/cases/{caseId}/pack`: assembles the panel pack from the reports received (identifying parts left
 * out, identifying values repeated in the text redacted), stores it, and announces PanelPackReady. For the case's
 * own CDOP managers and coordinators; 409 WRONG_STATE until a report has been received.
 */
export const assembleCasePack = (
  deps: CaseDeps,
  input: { principal: Principal; caseId: string; call?: IdempotentCall | undefined },
): Promise<Answer> =>
  idempotently(deps.cases, input.call, () =>
    retryingLostRaces(() =>
      onCase(deps, { ...input, action: 'cdop.pack.assemble' }, async (c, s) => {
        const now = deps.clock.now();
        const by = actingUser(input.principal);
        assertRunsCase(await deps.registry.loadRegistry(), c, by, now);
        assertStandingAllows('cdop.pack.assemble', s);
        if (c.status !== 'open') {
          throw new ConflictError('WRONG_STATE', 'the panel pack of a closed case stays as it was', [
            `status: ${c.status}`,
          ]);
        }
        const { requests, reports, unreadable } = await readReports(deps, c);
        const statuses = agencyStatuses(c, requests, now);
        const agenciesWith = (...status: string[]) =>
          statuses.filter((t) => status.includes(t.status)).map((t) => t.organisationId);
        const [first] = [...reports].sort((a, b) => a.agencyId.localeCompare(b.agencyId));
        if (first === undefined) {
          throw new ConflictError('WRONG_STATE', 'no report has been received on this case yet', [
            `agencies asked: ${c.agencies.length}`,
            ...unreadable.map((u) => `${u.organisationId}: ${u.problems.join('; ')}`),
          ]);
        }
        const pack = assemblePanelPack(
          {
            caseId: c.id,
            cdopFootprintId: c.footprintId,
            boroughOfResidence: c.notification.boroughOfResidence,
            dateOfBirth: first.partA.child.dateOfBirth,
            dateOfDeath: c.notification.dateOfDeath,
            expected: c.notification.expected,
            placeCategory: c.notification.placeCategory ?? 'unknown',
            diedInFootprint: c.notification.place.kind === 'in-footprint',
            agenciesRequested: c.agencies.map((a) => a.organisationId),
            agenciesDeclined: agenciesWith('declined'),
            agenciesEnded: agenciesWith('withdrawn', 'ended'),
          },
          reports,
        );
        const objectKey = packObjectKey(c.id, pack.packHash);
        await deps.payloads.put(
          objectKey,
          new TextEncoder().encode(JSON.stringify(pack)),
          'application/json',
        );
        const casePack: CasePack = {
          packHash: pack.packHash,
          objectKey,
          assembledAt: now.toISOString(),
          assembledBy: by.userId,
          reports: pack.reports.length,
          agenciesOutstanding: [...pack.agenciesOutstanding],
          agenciesDeclined: [...pack.agenciesDeclined],
          agenciesEnded: [...pack.agenciesEnded],
          unreadable,
        };
        const next = recordPack(c, casePack, now);
        const answer: Answer = { statusCode: 201, body: { pack: casePack } };
        await commitCase(deps, c, next, {
          facts: {
            ...callerFacts(input.principal),
            action: 'cdop.pack.assemble',
            ...caseFacts(c),
            ...standingFacts(s),
          },
          events: [
            newExchangeEvent(
              'PanelPackReady',
              {
                ...eventCase(c),
                packHash: pack.packHash,
                reports: pack.reports.length,
                agenciesOutstanding: pack.agenciesOutstanding.length,
              },
              [c.cdopOrganisationId],
              now,
            ),
          ],
          call: input.call,
          answer,
          now,
        });
        return answer;
      }),
    ),
  );

/**
 * `GET /v1/cdop/cases/{caseId}/pack`: the latest panel pack, for the panel of the case's CDOP only; every fetch is
 * recorded with the pack's hash, so who read which pack can be shown.
 */
export const fetchCasePack = (deps: CaseDeps, input: { principal: Principal; caseId: string }) =>
  onCase(deps, { ...input, action: 'cdop.pack.fetch' }, async (c, s): Promise<Answer> => {
    const now = deps.clock.now();
    const roles = input.principal.user?.roles ?? [];
    if (
      !panelMayFetch(
        { organisationId: input.principal.organisationId, roles },
        { footprintId: c.footprintId, secretariatOrganisationId: c.cdopOrganisationId },
      )
    ) {
      throw new AuthorisationError('NOT_PERMITTED', "only the panel of the case's CDOP may read its pack", [
        `panel of ${c.cdopOrganisationId}: CDOP manager or coordinator`,
      ]);
    }
    assertStandingAllows('cdop.pack.fetch', s);
    if (c.pack === undefined) throw new NotFoundError('NOT_FOUND', 'no panel pack has been assembled yet');
    const bytes = await deps.payloads.read(c.pack.objectKey, maxPackBytes);
    if (bytes === undefined) throw new NotFoundError('NOT_FOUND', 'the panel pack is gone');
    const pack = JSON.parse(new TextDecoder().decode(bytes)) as PanelPack;
    await deps.audit.record(
      newAuditEntry(
        {
          ...callerFacts(input.principal),
          action: 'cdop.pack.fetch',
          outcome: 'allowed',
          ...caseFacts(c),
          ...standingFacts(s),
          target: { type: 'cdop-panel-pack', id: `${c.id}/${c.pack.packHash}` },
        },
        now,
      ),
    );
    return { statusCode: 200, body: { pack } };
  });

// ---- Closing, exporting, figures ------------------------------------------------------------------------------

/** `POST /v1/cdop/cases/{caseId}/close`: closes a case with the panel's analysis; announces CaseClosed. */
export const closeCdopCase = (
  deps: CaseDeps,
  input: {
    principal: Principal;
    caseId: string;
    analysis: Record<string, unknown>;
    call?: IdempotentCall | undefined;
  },
): Promise<Answer> =>
  idempotently(deps.cases, input.call, () =>
    retryingLostRaces(() =>
      onCase(deps, { ...input, action: 'cdop.case.close' }, async (c, s) => {
        const now = deps.clock.now();
        const registry = await deps.registry.loadRegistry();
        const by = actingUser(input.principal);
        assertRunsCase(registry, c, by, now);
        const analysis: AnalysisForm = parseAnalysis(schemaVersionOf(input.analysis), input.analysis);
        assertStandingAllows('cdop.case.close', s);
        const next = closeCase(c, analysis, registry, by, now);
        const answer: Answer = { statusCode: 200, body: caseView(next, await requestsOf(deps, [next]), now) };
        await commitCase(deps, c, next, {
          facts: {
            ...callerFacts(input.principal),
            action: 'cdop.case.close',
            ...caseFacts(next),
            ...standingFacts(s),
          },
          events: [
            newExchangeEvent(
              'CaseClosed',
              {
                ...eventCase(c),
                closedAt: now.toISOString(),
                analysisFormVersion: analysis.schemaVersion,
              },
              [c.cdopOrganisationId, ...c.agencies.map((a) => a.organisationId)],
              now,
            ),
          ],
          call: input.call,
          answer,
          now,
        });
        return answer;
      }),
    ),
  );

/**
 * `GET /v1/cdop/cases/{caseId}/ncmd-export`: a closed case in the national child mortality database's shape, with
 * every report whole (part A included: this export goes to the NCMD alone). Case runners only; audited.
 */
export const exportCdopCase = (
  deps: CaseDeps,
  input: { principal: Principal; caseId: string; version?: string | undefined },
) =>
  onCase(deps, { ...input, action: 'cdop.case.export' }, async (c, s): Promise<Answer> => {
    const now = deps.clock.now();
    assertRunsCase(await deps.registry.loadRegistry(), c, actingUser(input.principal), now);
    assertStandingAllows('cdop.case.export', s);
    if (c.closure === undefined) {
      throw new ConflictError('WRONG_STATE', 'only a closed case is exported to the NCMD', [
        `status: ${c.status}`,
      ]);
    }
    const { reports } = await readReports(deps, c);
    const exported = exportForNcmd(
      {
        caseId: c.id,
        cdopFootprintId: c.footprintId,
        status: c.status,
        closedOn: c.closure.closedAt.slice(0, 10),
        notification: c.notification,
      },
      reports,
      c.closure.analysis,
      input.version ?? ncmdExportVersionList.at(-1) ?? '2026',
    );
    await deps.audit.record(
      newAuditEntry(
        {
          ...callerFacts(input.principal),
          action: 'cdop.case.export',
          outcome: 'allowed',
          ...caseFacts(c),
          ...standingFacts(s),
        },
        now,
      ),
    );
    return { statusCode: 200, body: { export: exported } };
  });

/** The councils (boroughs of residence) of a CDOP's footprints, so a borough with no deaths still shows. */
const boroughsOf = (registry: Registry, cdopOrganisationId: string, now: Date): string[] =>
  registry.footprints
    .filter((f) => f.kind === 'cdop' && membersOf(f, now).includes(cdopOrganisationId))
    .flatMap((f) => membersOf(f, now))
    .filter((id) => registry.organisations.find((o) => o.id === id)?.kind === 'local-authority');

/**
 * `GET /v1/cdop/figures?year=…&for=publication|internal`: the CDOP's figures for a financial year and its quarters
 * by borough of residence, small numbers suppressed unless asked for internal use, and the de-identified learning
 * themes a neighbouring CDOP may be given. The CDOP's managers and coordinators; audited.
 */
export const cdopFigures = async (
  deps: CaseDeps,
  input: { principal: Principal; year: number; for: 'publication' | 'internal' },
): Promise<Answer> => {
  const { principal } = input;
  const now = deps.clock.now();
  const facts = {
    ...callerFacts(principal),
    action: 'cdop.figures',
    target: { type: 'organisation', id: principal.organisationId },
    search: { year: String(input.year), for: input.for },
  };
  return auditedAction(deps, facts, async () => {
    const registry = await deps.registry.loadRegistry();
    assertCaseRunner(registry, actingUser(principal), now);
    const cases = await deps.cases.listCases(principal.organisationId);
    const figuresCases: FiguresCase[] = cases.map((c) => ({
      caseId: c.id,
      boroughOfResidence: c.notification.boroughOfResidence,
      notifiedOn: c.createdAt.slice(0, 10),
      reviewedOn: c.closure?.analysis.panelDate,
      closedOn: c.closure?.closedAt.slice(0, 10),
      categoryOfDeath: c.closure?.analysis.categoryOfDeath,
      modifiableFactors: c.closure?.analysis.modifiableFactors.identified,
    }));
    const exact = annualFigures(
      figuresCases,
      input.year,
      boroughsOf(registry, principal.organisationId, now),
    );
    const learningThemes = learningThemesForNeighbour(
      cases.map((c) => ({
        closedOn: c.closure?.closedAt.slice(0, 10),
        learningThemes: c.closure?.analysis.learningThemes ?? [],
      })),
    );
    await deps.audit.record(newAuditEntry({ ...facts, outcome: 'allowed' }, now));
    return {
      statusCode: 200,
      body: {
        for: input.for,
        figures: input.for === 'publication' ? forPublication(exact) : exact,
        learningThemes,
      },
    };
  });
};

// ---- The case tracker -----------------------------------------------------------------------------------------

export type TrackSummary = {
  readonly cases: number;
  readonly created: number;
  readonly changed: number;
  /** Cases whose pass failed (a store not answering): left for the next run, the others tracked meanwhile. */
  readonly failed: number;
};

/**
 * The case tracker (functions/cdop/track-cases.ts, on a schedule): for every open case, judged by the standing of
 * its agreement at this run (case-agreement.ts `pendingAskRule`), creates the data requests its recorded asks
 * permit and that do not exist yet (each with its own `request.submit` entry, as the user who asked, and the signed
 * call kept with the ask) while the agreement is in force; leaves them pending while it is suspended; ends them on
 * the case (`cdop.report.end`) once it is revoked or expired. Then notes each agency's report status, announcing
 * each report received (ReportReceived) and, under an agreement in force, each reminder due (ReportReminder),
 * recorded on the case as a system action.
 */
export const trackCases = async (deps: TrackDeps): Promise<TrackSummary> => {
  const now = deps.clock.now();
  const cases = await deps.cases.listOpenCases();
  const agreements = cases.length === 0 ? [] : await deps.agreements.listAgreements();
  let created = 0;
  let changed = 0;
  let failed = 0;
  for (const c of cases) {
    try {
      const pass = await trackOne(deps, c, agreements, now);
      created += pass.created;
      if (pass.changed) changed += 1;
    } catch {
      // The handler logs the count; the case is tracked again on the next run.
      failed += 1;
    }
  }
  return { cases: cases.length, created, changed, failed };
};

/** One case's tracker pass: its pending asks created or ended, then its statuses noted and announced. */
const trackOne = async (
  deps: TrackDeps,
  c: CdopCase,
  agreements: readonly AgreementRecord[],
  now: Date,
): Promise<{ created: number; changed: boolean }> => {
  const s = caseAgreementOf(c, agreements, now);
  const { created, next: afterAsks } = await settlePendingAsks(deps, c, agreements, now);
  // Ending the asks lost a race for the case: the next run looks again.
  if (afterAsks === undefined) return { created, changed: false };
  const requests = await requestsOf(deps, [afterAsks]);
  // No agency is pressed to share under an agreement that is not in force.
  const remind = pendingAskRule(s) === 'create';
  const change = trackCase(afterAsks, requests, now, undefined, { remind });
  if (change === undefined) return { created, changed: afterAsks !== c };
  const events = [
    ...change.received.map((r) =>
      newExchangeEvent(
        'ReportReceived',
        {
          ...eventCase(c),
          agencyOrganisationId: r.organisationId,
          requestId: r.requestId ?? '',
          receivedAt: r.answeredAt ?? now.toISOString(),
        },
        [c.cdopOrganisationId, r.organisationId],
        now,
      ),
    ),
    ...change.reminders.map((r) =>
      newExchangeEvent(
        'ReportReminder',
        {
          ...eventCase(c),
          agencyOrganisationId: r.organisationId,
          ...(r.requestId === undefined ? {} : { requestId: r.requestId }),
          dueAt: r.dueAt,
          kind: r.kind,
          daysOverdue: r.daysOverdue,
        },
        [c.cdopOrganisationId, r.organisationId],
        now,
      ),
    ),
  ];
  const step: CaseStep = {
    audit: newAuditEntry(
      {
        actor: systemActor,
        action: 'cdop.case.track',
        outcome: 'allowed',
        ...caseFacts(c),
        ...standingFacts(s),
        reasonCodes: change.reminders.map((r) => r.kind),
      },
      now,
    ),
    events,
  };
  // A lost race means someone changed the case meanwhile: the next run looks again.
  return { created, changed: (await deps.cases.update(afterAsks, change.next, step)) || afterAsks !== c };
};

/** The asks of a case whose data request has not been made yet (and that have not ended). */
const pendingAsks = async (deps: TrackDeps, c: CdopCase) => {
  const pending: (CaseAgency & { requestId: string; askId: string })[] = [];
  for (const agency of c.agencies) {
    const { requestId, askId } = agency;
    if (requestId === undefined || askId === undefined || agency.endedAt !== undefined) continue;
    if ((await deps.requests.getRequest(requestId)) === undefined)
      pending.push({ ...agency, requestId, askId });
  }
  return pending;
};

/** The standing at `now` of the agreement an ask was made under (its `ReportAsk` request's agreement). */
const askStandingOf = (
  agreements: readonly AgreementRecord[],
  agreementId: string,
  now: Date,
): CaseAgreementStanding => {
  const agreement = agreements.find((a) => a.id === agreementId);
  return { agreement, standing: agreement === undefined ? undefined : standingOf(agreement, now) };
};

/**
 * Settles the asks of a case whose data request has not been made yet, each by the standing of the agreement it
 * was asked under (case-agreement.ts `pendingAskRule`): creates those under an agreement in force, leaves those
 * under a suspended one pending, and ends those under one revoked or expired, once, in one `cdop.report.end` entry.
 * Returns how many requests it created and the case as it now is (undefined if ending lost a race for the case).
 */
const settlePendingAsks = async (
  deps: TrackDeps,
  c: CdopCase,
  agreements: readonly AgreementRecord[],
  now: Date,
): Promise<{ created: number; next: CdopCase | undefined }> => {
  const asks = new Map<string, ReportAsk | undefined>();
  const ending: { organisationId: string; reasonCode: string; s: CaseAgreementStanding }[] = [];
  let created = 0;
  for (const agency of await pendingAsks(deps, c)) {
    if (!asks.has(agency.askId)) asks.set(agency.askId, await deps.cases.getAsk(c.id, agency.askId));
    const ask = asks.get(agency.askId);
    const asked = ask?.requests.find((r) => r.requestId === agency.requestId);
    if (ask === undefined || asked === undefined) continue;
    const s = askStandingOf(agreements, asked.agreement.id, now);
    const rule = pendingAskRule(s);
    const reasonCode = caseStandingReasonOf(s)?.code;
    if (rule === 'end' && reasonCode !== undefined) {
      ending.push({ organisationId: agency.organisationId, reasonCode, s });
      continue;
    }
    if (rule !== 'create') continue;
    const request = newRequestRecord({
      id: asked.requestId,
      requester: ask.requester,
      body: asked.body,
      agreement: asked.agreement,
      requestHash: ask.requestHash,
      dueAt: asked.dueAt,
      reviewOverdue: standingFacts(s).reviewOverdue === true,
      now,
    });
    const actor: AuditActor = { kind: 'client', ...ask.requester };
    const consent = consentFacts(asked.body.consent);
    const step = submissionStep(
      request,
      {
        actor,
        action: 'request.submit',
        outcome: 'allowed',
        requestHash: ask.requestHash,
        ...standingFacts(s),
        ...consent,
        textSha256: {
          ...('textSha256' in consent ? consent.textSha256 : {}),
          justification: textSha256(asked.body.justification),
        },
      },
      now,
    );
    if (await deps.requests.create(request, ask.signed, step)) created += 1;
  }
  const [first] = ending;
  if (first === undefined) return { created, next: c };
  const next = endPendingAsks(c, ending, now);
  const step: CaseStep = {
    audit: newAuditEntry(
      {
        actor: systemActor,
        action: 'cdop.report.end',
        outcome: 'allowed',
        reasonCodes: [...new Set(ending.map((e) => e.reasonCode))],
        ...caseFacts(c),
        parties: [c.cdopOrganisationId, ...ending.map((e) => e.organisationId)],
        ...standingFacts(first.s),
      },
      now,
    ),
    events: [],
  };
  return { created, next: (await deps.cases.update(c, next, step)) ? next : undefined };
};
