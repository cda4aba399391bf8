import type { PbxClient, PbxResponse } from '#client/pbx-client.ts';
import type { igScopes } from '#shared/http/views/ig.ts';
import type { PublishedRegistry } from '../cdop/exchange-answers.ts';
import {
  consentNotSoughtView,
  pastReviewView,
  placementsView,
  refusalsView,
  requestsView,
} from './answer-views.ts';
import { challengesView } from './challenge-views.ts';
import type { IgQuery } from './filters.ts';
import { outcomesView, outstandingView } from './outcome-views.ts';
import type { IgQuestionName } from './questions.ts';
import type { AnswerSection } from './sections.ts';
import { freshnessText, monthText, type Names } from './words.ts';

/**
 * The nine questions of a period, each asked of the exchange by its operation and its answer turned into the page's
 * sections, and the words every answer page shows above its tables.
 */

/** What an answer page shows above its tables: how fresh, whose rows, which months. */
export type Header = {
  readonly asOf: { readonly leaves: number; readonly time: string | null };
  readonly scope?: (typeof igScopes)[number];
  readonly period?: { readonly from?: string | undefined; readonly to?: string | undefined } | undefined;
};

type Shown = { readonly header: Header; readonly sections: AnswerSection[]; readonly empty: boolean };

/** Asks the exchange one question and turns its answer into the page's sections; a refusal comes back as it is. */
type Ask = (
  exchange: PbxClient,
  query: IgQuery,
  names: Names,
) => Promise<{ readonly shown: Shown } | { readonly refused: PbxResponse<unknown> }>;

const shownOf = <A extends Header>(
  answer: PbxResponse<A>,
  view: (answer: A) => AnswerSection[],
  rowsOf: (answer: A) => readonly unknown[],
): { shown: Shown } | { refused: PbxResponse<unknown> } =>
  answer.status === 200
    ? { shown: { header: answer.body, sections: view(answer.body), empty: rowsOf(answer.body).length === 0 } }
    : { refused: answer };

/** The nine questions of a period (child and the report have pages of their own). */
export const askers: Readonly<Record<Exclude<IgQuestionName, 'child'>, Ask>> = {
  requests: async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgRequests', { query }),
      (a) => requestsView(a, names),
      (a) => a.rows,
    ),
  refusals: async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgRefusals', { query }),
      (a) => refusalsView(a, names, 'refusals'),
      (a) => a.rows,
    ),
  'past-review': async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgPastReview', { query }),
      (a) => pastReviewView(a, names),
      (a) => a.rows,
    ),
  'without-agreement': async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgWithoutAgreement', { query }),
      (a) => refusalsView(a, names, 'without-agreement'),
      (a) => a.rows,
    ),
  'cross-footprint': async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgCrossFootprint', { query }),
      (a) => refusalsView(a, names, 'cross-footprint'),
      (a) => a.rows,
    ),
  'consent-not-sought': async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgConsentNotSought', { query }),
      (a) => consentNotSoughtView(a, names),
      (a) => a.rows,
    ),
  placements: async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgPlacements', { query }),
      (a) => placementsView(a, names),
      (a) => a.rows,
    ),
  outcomes: async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgOutcomes', { query }),
      (a) => outcomesView(a, names),
      (a) => a.rows,
    ),
  challenges: async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgChallenges', { query }),
      (a) => challengesView(a, names),
      (a) => a.rows,
    ),
  outstanding: async (exchange, query, names) =>
    shownOf(
      await exchange.invoke('GetIgOutstanding', { query }),
      (a) => outstandingView(a, names),
      (a) => a.rows,
    ),
};

/** Organisation and footprint names, from the published registry. */
export const namesIn = (registry: PublishedRegistry): Names =>
  new Map([...registry.organisations, ...registry.footprints].map((o) => [o.id, o.name]));

/** The words above an answer's tables: its freshness, whose rows they are, and the months covered. */
export const headerContext = (header: Header, organisationName: string) => ({
  freshness: freshnessText(header.asOf),
  scopeText:
    header.scope === 'counts'
      ? 'You see counts only. A count of 1 to 4 is shown as "fewer than 5", so that no child can be picked out.'
      : header.scope === 'organisation'
        ? `These figures are of ${organisationName}: requests it made or was asked, and steps it took or was the subject of.`
        : header.scope === 'all'
          ? 'These figures are of every organisation on the exchange.'
          : undefined,
});

/** The months an answer covers in words; `outstanding` covers every open request unless months were asked for. */
export const periodText = (period: Header['period'], outstanding: boolean): string | undefined => {
  const { from, to } = period ?? {};
  if (from !== undefined && to !== undefined)
    return `From ${monthText(from)} to ${monthText(to)}, by the month each request was made in (months in UTC).`;
  if (from !== undefined) return `Requests made in ${monthText(from)} or later.`;
  if (to !== undefined) return `Requests made in ${monthText(to)} or earlier.`;
  return outstanding ? 'Every open request, whenever it was made.' : undefined;
};
