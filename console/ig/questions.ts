import type { OperationId } from '#shared/http/operations.ts';

/**
 * The IG questions the console answers (docs/IG.md), one page each under /ig/<name>, in the order the IG answers
 * page lists them: what the page is called, the question in one plain line, and the exchange's operation.
 */
export const igQuestions = [
  {
    name: 'child',
    title: "One child's records",
    question:
      'Every request, share, download, case step and listing that touched one child, from their NHS number',
    operation: 'GetIgChild',
  },
  {
    name: 'requests',
    title: 'Requests',
    question:
      'How many requests were made, by purpose, footprint, organisation or pair, how many were approved and how fast',
    operation: 'GetIgRequests',
  },
  {
    name: 'refusals',
    title: 'Refusals and declines',
    question: 'Which requests the exchange refused and people declined, and why, by pair of organisations',
    operation: 'GetIgRefusals',
  },
  {
    name: 'past-review',
    title: 'Agreements past review',
    question: 'Which requests were made under agreements past their review date',
    operation: 'GetIgPastReview',
  },
  {
    name: 'without-agreement',
    title: 'Without an agreement in force',
    question:
      'Who tried to share without an agreement in force: none, not signed, suspended, revoked, ended or not started',
    operation: 'GetIgWithoutAgreement',
  },
  {
    name: 'cross-footprint',
    title: 'Across footprints',
    question: "Who tried to share outside an agreement's footprint",
    operation: 'GetIgCrossFootprint',
  },
  {
    name: 'consent-not-sought',
    title: 'Consent not sought',
    question: 'Requests where consent was not sought, and the Schedule 1 paragraph 18(2) reason given',
    operation: 'GetIgConsentNotSought',
  },
  {
    name: 'placements',
    title: 'Children placed out of borough',
    question: 'Requests about children placed out of borough, by placing and host authority',
    operation: 'GetIgPlacements',
  },
  {
    name: 'outcomes',
    title: 'Outcomes',
    question: 'Whether each requester got an answer, how long it took, and what is still open',
    operation: 'GetIgOutcomes',
  },
  {
    name: 'challenges',
    title: 'Challenges',
    question: 'Which answers requesters challenged, how far they were escalated, and each outcome',
    operation: 'GetIgChallenges',
  },
  {
    name: 'outstanding',
    title: 'Outstanding',
    question: 'Who owes an answer now: open requests by responder, due and overdue',
    operation: 'GetIgOutstanding',
  },
] as const satisfies readonly {
  name: string;
  title: string;
  question: string;
  operation: OperationId;
}[];

export type IgQuestion = (typeof igQuestions)[number];
export type IgQuestionName = IgQuestion['name'];

/** The PQA quarterly report: not one of the ten questions but their indicators for a whole footprint. */
export const igReport = {
  name: 'report',
  title: 'PQA quarterly report',
  question:
    "The quarter's indicators for a whole partnership, small numbers suppressed, to print or download",
} as const;
