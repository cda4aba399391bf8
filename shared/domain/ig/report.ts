import { consentExemptions, type PurposeCode, purposeCodes } from '../agreements/catalogue.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { AuthorisationError, NotFoundError } from '../errors.ts';
import { membersOf } from '../registry/registry.ts';
import type { ReportAnswer } from './answers.ts';
import type { IgDeps } from './ig-deps.ts';
import { crossFootprintCodes, monthsBetween, monthsOfQuarter, withoutAgreementCodes } from './ig-terms.ts';
import { outcomeFiguresOf } from './outcomes.ts';
import { owedSeen } from './outstanding.ts';
import type { Aggregate } from './projection-items.ts';
import { answerHeader, countsWithPrefix, igScopeOf, publish, timingsOf, totalOf } from './read-ig.ts';
import { refusalCounts } from './refusals.ts';
import { approvalRateOf, requestCountsOf } from './requests.ts';

/** Every count of the report is published suppressed, whoever asks: it is the partnership's dataset. */
const report = { kind: 'report' } as const;

const codeCountsOf = (pairs: readonly [string, number][]) =>
  pairs.map(([reasonCode, n]) => ({ reasonCode, count: publish(report, n) }));

const byCode = (counted: readonly { reasonCode: string; n: number }[]): [string, number][] => {
  const sums = new Map<string, number>();
  for (const c of counted) sums.set(c.reasonCode, (sums.get(c.reasonCode) ?? 0) + c.n);
  return [...sums].sort(([a], [b]) => (a < b ? -1 : 1));
};

/**
 * `GET /v1/ig/report?quarter=2026Q3&footprint=…`: the PQA group's quarterly dataset for one footprint (rows whose
 * child's subject reference is of that footprint): the indicators of the other questions added up, every count
 * under 5 suppressed. The operator and scrutineers for any footprint; an IG lead, Caldicott guardian or DPO for a
 * footprint their organisation belongs to (403 NOT_PERMITTED otherwise).
 */
export const answerIgReport = async (
  deps: IgDeps,
  input: { readonly principal: Principal; readonly quarter: string; readonly footprint: string },
): Promise<{ readonly answer: ReportAnswer } & Audited> => {
  const scope = igScopeOf(input.principal);
  const now = deps.clock.now();
  const registry = await deps.registry.loadRegistry();
  const footprint = registry.footprints.find((f) => f.id === input.footprint);
  if (footprint === undefined) throw new NotFoundError('NOT_FOUND', 'there is no such footprint');
  if (scope.kind === 'organisation' && !membersOf(footprint, now).includes(scope.organisationId)) {
    throw new AuthorisationError('NOT_PERMITTED', "the report of a footprint is for its members' IG roles", [
      `${scope.organisationId} is not a member of ${footprint.id}`,
    ]);
  }
  const period = monthsOfQuarter(input.quarter);
  const months = monthsBetween(period.from, period.to);
  const ofFootprint = (rows: readonly Aggregate[]) => rows.filter((r) => r.fields.footprint === footprint.id);
  const [header, monthRows, refusalRows, reviewRows, placementRows, challengeRows, open] = await Promise.all([
    answerHeader(deps.ig, { kind: 'all' }),
    deps.ig.readAggregates('report', months).then(ofFootprint),
    deps.ig.readAggregates('refusals', months).then(ofFootprint),
    deps.ig.readAggregates('review', months).then(ofFootprint),
    deps.ig.readAggregates('placement', months).then(ofFootprint),
    deps.ig.readAggregates('challenges', months).then(ofFootprint),
    owedSeen(deps, { kind: 'all' }, { now: now.toISOString(), limit: 0, footprint: footprint.id }),
  ]);
  const total = totalOf(monthRows);
  const refusals = refusalCounts(refusalRows, 'all');
  const engine = refusals.filter((r) => r.kind === 'refusal');
  const withoutAgreement = new Set<string>(withoutAgreementCodes);
  const crossFootprint = new Set<string>(crossFootprintCodes);
  const reviews = totalOf(reviewRows);
  const byPurpose = purposeCodes
    .map((purpose: PurposeCode) => {
      const t = totalOf(monthRows.filter((r) => r.fields.purpose === purpose));
      return {
        purpose,
        submitted: publish(report, t.counts.submitted ?? 0),
        approvalRate: approvalRateOf(report, t),
      };
    })
    .filter((p) => p.submitted !== 0);
  const exemptions = countsWithPrefix(total.counts, 'exemption:');
  const {
    withOutcome,
    submitted,
    open: withoutOutcome,
    outcomeRate,
    timeToOutcome,
  } = outcomeFiguresOf(report, total);
  return {
    answer: {
      asOf: header.asOf,
      quarter: input.quarter,
      footprint: footprint.id,
      period,
      requests: {
        ...requestCountsOf(report, total),
        approvalRate: approvalRateOf(report, total),
        responseTime: timingsOf(report, total.histograms.response),
      },
      byPurpose,
      refusals: codeCountsOf(byCode(engine)),
      declines: codeCountsOf(byCode(refusals.filter((r) => r.kind === 'decline'))),
      pastReview: {
        accepted: publish(report, reviews.counts.accepted ?? 0),
        refused: publish(report, reviews.counts.refused ?? 0),
      },
      withoutAgreement: codeCountsOf(byCode(engine.filter((r) => withoutAgreement.has(r.reasonCode)))),
      crossFootprint: codeCountsOf(byCode(engine.filter((r) => crossFootprint.has(r.reasonCode)))),
      consentNotSought: consentExemptions
        .map((exemption) => ({
          exemption,
          count: publish(report, exemptions.find(([e]) => e === exemption)?.[1] ?? 0),
        }))
        .filter((c) => c.count !== 0),
      placements: { submitted: publish(report, totalOf(placementRows).counts.submitted ?? 0) },
      challenges: challengeTotalsOf(totalOf(challengeRows).counts),
      outcomes: { submitted, withOutcome, open: withoutOutcome, outcomeRate, timeToOutcome },
      outstanding: {
        open: publish(
          report,
          open.reduce((n, o) => n + o.owed.open, 0),
        ),
        overdue: publish(
          report,
          open.reduce((n, o) => n + o.owed.overdue, 0),
        ),
      },
    },
    audited: [],
  };
};

/** The quarter's challenges and their stages' outcomes, suppressed as every count of the report is. */
const challengeTotalsOf = (counts: Readonly<Record<string, number>>) => {
  const n = (name: string) => publish(report, counts[name] ?? 0);
  return {
    raised: n('raised'),
    escalated: n('escalated'),
    upheld: n('outcome:upheld'),
    overturned: n('outcome:overturned'),
    resolvedOtherwise: n('outcome:resolved-otherwise'),
  };
};
