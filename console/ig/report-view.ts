import { csvField } from '#client/audit-csv.ts';
import { quarterPattern } from '#shared/domain/ig/ig-terms.ts';
import type { IgReportAnswer } from '#shared/http/views/ig.ts';
import type { ShownCount } from '../charts.ts';
import { type FormFields, FormProblems, textOf } from '../forms.ts';
import { exemptionLabels, purposeLabel } from '../requests/labels.ts';
import type { AnswerSection } from './sections.ts';
import { type Cell, countCell, numericHead, rateText, reasonText, textCell, withinText } from './words.ts';

/**
 * The PQA quarterly report (docs/IG.md): the indicators of a footprint's quarter, every count under 5 suppressed
 * by the exchange, as tables to print and as CSV. One list of indicators makes both, so they cannot disagree.
 */

type Value = ShownCount | { readonly text: string };

/** One indicator: the part of the report it is in, what it is, and its value. */
export type Indicator = { readonly section: string; readonly indicator: string; readonly value: Value };

export const reportIndicators = (report: IgReportAnswer): Indicator[] => {
  const of = (section: string, rows: [string, Value][]): Indicator[] =>
    rows.map(([indicator, value]) => ({ section, indicator, value }));
  const text = (t: string) => ({ text: t });
  const r = report.requests;
  const o = report.outcomes;
  return [
    ...of('Requests', [
      ['Made', r.submitted],
      ['Refused by the exchange', r.refused],
      ['Approved', r.approved],
      ['Approved in part', r.partial],
      ['Declined', r.declined],
      ['Released', r.released],
      ['Withdrawn', r.withdrawn],
      ['Closed by the exchange', r.closed],
      ['Approval rate', text(rateText(r.approvalRate))],
      ['Median response time', text(withinText(r.responseTime.median))],
      ['90th percentile response time', text(withinText(r.responseTime.p90))],
    ]),
    ...of(
      'Requests by purpose',
      report.byPurpose.flatMap((p): [string, Value][] => [
        [`${purposeLabel(p.purpose)}: made`, p.submitted],
        [`${purposeLabel(p.purpose)}: approval rate`, text(rateText(p.approvalRate))],
      ]),
    ),
    ...of(
      'Refusals by reason',
      report.refusals.map((c): [string, Value] => [reasonText(c.reasonCode), c.count]),
    ),
    ...of(
      'Declines by reason',
      report.declines.map((c): [string, Value] => [reasonText(c.reasonCode), c.count]),
    ),
    ...of('Agreements past review', [
      ['Accepted while past review', report.pastReview.accepted],
      ['Refused as past review', report.pastReview.refused],
    ]),
    ...of(
      'Without an agreement in force',
      report.withoutAgreement.map((c): [string, Value] => [reasonText(c.reasonCode), c.count]),
    ),
    ...of(
      'Across footprints',
      report.crossFootprint.map((c): [string, Value] => [reasonText(c.reasonCode), c.count]),
    ),
    ...of(
      'Consent not sought',
      report.consentNotSought.map((c): [string, Value] => [exemptionLabels[c.exemption], c.count]),
    ),
    ...of('Children placed out of borough', [['Requests made', report.placements.submitted]]),
    ...of('Challenges of answers', [
      ['Raised', report.challenges.raised],
      ['Escalated', report.challenges.escalated],
      ['Upheld', report.challenges.upheld],
      ['Overturned', report.challenges.overturned],
      ['Resolved otherwise', report.challenges.resolvedOtherwise],
    ]),
    ...of('Outcomes', [
      ['Requests made', o.submitted],
      ['With an outcome', o.withOutcome],
      ['No outcome yet', o.open],
      ['Outcome rate', text(rateText(o.outcomeRate))],
      ['Median time to outcome', text(withinText(o.timeToOutcome.median))],
      ['90th percentile time to outcome', text(withinText(o.timeToOutcome.p90))],
    ]),
    ...of('Outstanding at the time of the report', [
      ['Open', report.outstanding.open],
      ['Overdue', report.outstanding.overdue],
    ]),
  ];
};

const valueCell = (value: Value): Cell =>
  typeof value === 'object' ? { text: value.text, format: 'numeric' } : countCell(value);

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The report as the page's tables: one a part of it, in the order of the indicators. */
export const reportSections = (report: IgReportAnswer): AnswerSection[] => {
  const sections = new Map<string, Indicator[]>();
  for (const i of reportIndicators(report)) sections.set(i.section, [...(sections.get(i.section) ?? []), i]);
  return [...sections].map(([section, indicators]) => ({
    heading: section,
    table: {
      id: `report-${slug(section)}`,
      caption: section,
      head: [textCell('Indicator'), numericHead('Value')],
      rows: indicators.map((i) => [textCell(i.indicator), valueCell(i.value)]),
    },
  }));
};

/** The report as CSV: the footprint and quarter on every line, so a file of several quarters still reads. */
export const reportCsv = (report: IgReportAnswer): string => {
  const line = (fields: readonly (string | number)[]) => `${fields.map(csvField).join(',')}\r\n`;
  return (
    line(['footprint', 'quarter', 'section', 'indicator', 'value']) +
    reportIndicators(report)
      .map((i) =>
        line([
          report.footprint,
          report.quarter,
          i.section,
          i.indicator,
          typeof i.value === 'object' ? i.value.text : i.value,
        ]),
      )
      .join('')
  );
};

/** The quarters a report can be asked for: the current one and the seven before it, latest first. */
export const quarterChoices = (now: Date): string[] => {
  const quarters: string[] = [];
  let year = now.getUTCFullYear();
  let q = Math.floor(now.getUTCMonth() / 3) + 1;
  for (let i = 0; i < 8; i += 1) {
    quarters.push(`${year}Q${q}`);
    q -= 1;
    if (q === 0) {
      q = 4;
      year -= 1;
    }
  }
  return quarters;
};

export type ReportForm = {
  readonly values: { readonly quarter: string; readonly footprint: string };
  readonly query: { quarter: string; footprint: string } | undefined;
  readonly problems: FormProblems;
};

/**
 * The report's form (a GET form: a quarter and a footprint are no one's personal data). The footprint may be left
 * out when the person's organisation is in one only; nothing asked yet is not a problem, only a form to fill in.
 */
export const reportFormOf = (fields: FormFields, footprints: readonly string[]): ReportForm => {
  const quarter = textOf(fields, 'quarter');
  const typedFootprint = textOf(fields, 'footprint');
  const footprint = typedFootprint === '' && footprints.length === 1 ? (footprints[0] ?? '') : typedFootprint;
  const values = { quarter, footprint };
  const problems = new FormProblems();
  if (quarter === '' && typedFootprint === '') return { values, query: undefined, problems };
  if (!quarterPattern.test(quarter)) problems.add('quarter', 'Select a quarter');
  if (!footprints.includes(footprint)) problems.add('footprint', 'Select the footprint the report is for');
  return { values, query: problems.any ? undefined : { quarter, footprint }, problems };
};
