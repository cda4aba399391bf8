import type { ChallengeInput, ChallengeOutcomeInput, DataRequestView } from '#client/pbx-client.ts';
import { currentStage } from '#shared/domain/challenges/challenge.ts';
import {
  challengerRoles,
  isChallengeable,
  isStageOverdue,
} from '#shared/domain/challenges/challenge-rules.ts';
import { type FormFields, FormProblems, listOf, textOf } from '../forms.ts';
import { checkDecision, type DecisionValues } from './decide.ts';

/**
 * The challenge pages' view code (docs/REQUESTS.md "Challenge and escalation"): what the person may do with a
 * request's challenges, the forms' checks (GOV.UK error pattern) and the words for codes. The exchange judges
 * every step again: these only decide which buttons a page shows and catch what a form left out.
 */

export const challengeReasonLabels: Readonly<Record<string, string>> = {
  NEEDED_TO_SAFEGUARD: 'The information is needed to protect the child',
  NECESSITY_MISJUDGED: 'The decision misjudged what is necessary',
  PROPORTIONALITY_MISJUDGED: 'The decision misjudged what is proportionate',
  WITHHELD_TOO_MUCH: 'More was withheld than had to be',
  EXEMPTION_NOT_APPLICABLE: 'The exemption relied on does not apply',
  NO_ANSWER_IN_TIME: 'No answer in time',
  OUTCOME_NOT_ADDRESSED: 'The outcome did not address the challenge',
  OTHER: 'Another reason (say in the reasons)',
};

export const outcomeReasonLabels: Readonly<Record<string, string>> = {
  DECISION_CORRECT: 'The decision was right',
  NEW_INFORMATION: 'New information changes the decision',
  DECISION_WRONG: 'The decision was wrong',
  ANSWER_GIVEN: 'An answer has now been given',
  AGREED_WITH_REQUESTER: 'Agreed with the requester another way',
  OTHER: 'Another reason (say in the reasons)',
};

export const challengeOutcomeLabels: Readonly<Record<string, string>> = {
  upheld: 'Upheld: the decision stands',
  overturned: 'Overturned with a new decision',
  'resolved-otherwise': 'Resolved otherwise',
};

export const groundLabels: Readonly<Record<string, string>> = {
  declined: 'the decline',
  'partially-approved': 'the partial approval',
  overdue: 'the late answer',
};

type Person = { readonly organisationId: string; readonly userId: string; readonly roles: readonly string[] };

/** The request's latest challenge, if any. */
export const latestChallenge = (request: DataRequestView) => request.challenges?.at(-1);

/** What the person may do with the request's challenges now, by their side, role and the challenge's stage. */
export const challengeActionsFor = (request: DataRequestView, person: Person, now: Date) => {
  const requester =
    request.requester.organisationId === person.organisationId &&
    (request.requester.userId === person.userId ||
      person.roles.some((r) => challengerRoles.includes(r as never)));
  const latest = latestChallenge(request);
  const stage = latest === undefined ? undefined : currentStage(latest);
  const responderRole =
    request.responderOrganisationId === person.organisationId &&
    stage !== undefined &&
    person.roles.includes(stage.role);
  return {
    raise: requester && isChallengeable(request, now),
    escalate:
      requester &&
      stage !== undefined &&
      (stage.outcome === undefined ? isStageOverdue(stage, now) : stage.outcome.outcome !== 'overturned'),
    outcome: responderRole && stage?.outcome === undefined,
  };
};

export type ChallengeValues = { readonly reasons: string; readonly reasonCodes: readonly string[] };

export const challengeValuesOf = (form: FormFields): ChallengeValues => ({
  reasons: textOf(form, 'reasons'),
  reasonCodes: listOf(form, 'reasonCodes'),
});

const checkText = (
  values: ChallengeValues,
  problems: FormProblems,
  known: Readonly<Record<string, string>>,
) => {
  if (values.reasonCodes.filter((c) => c in known).length === 0) {
    problems.add('reasonCodes', 'Select at least one reason', 'reasonCodes');
  }
  if (values.reasons === '') problems.add('reasons', 'Enter your reasons');
  else if (values.reasons.length > 4000)
    problems.add('reasons', 'The reasons must be 4,000 characters or fewer');
};

/** The challenge (or escalation) form's problems, or what to send. */
export const checkChallenge = (
  values: ChallengeValues,
): { problems: FormProblems; body?: ChallengeInput } => {
  const problems = new FormProblems();
  checkText(values, problems, challengeReasonLabels);
  if (problems.any) return { problems };
  const reasonCodes = values.reasonCodes.filter((c) => c in challengeReasonLabels);
  return { problems, body: { reasons: values.reasons, reasonCodes } };
};

export type OutcomeValues = ChallengeValues & { readonly outcome: string; readonly decision: DecisionValues };

export const outcomeValuesOf = (form: FormFields): OutcomeValues => ({
  ...challengeValuesOf(form),
  outcome: textOf(form, 'outcome'),
  decision: {
    outcome: textOf(form, 'decision'),
    reasons: textOf(form, 'decisionReasons'),
    kept: listOf(form, 'kept'),
  },
});

/** The decide form's fields, as the outcome form names them. */
const decisionFields: Readonly<Record<string, string>> = {
  outcome: 'decision',
  reasons: 'decisionReasons',
  kept: 'kept',
};

/**
 * The outcome form's problems, or what to send. An overturn's new decision is checked by the decide form's own
 * check (decide.ts), its problems shown on this form's fields.
 */
export const checkOutcome = (
  values: OutcomeValues,
  request: Pick<DataRequestView, 'dataCategories'>,
): { problems: FormProblems; body?: ChallengeOutcomeInput } => {
  const problems = new FormProblems();
  if (!(values.outcome in challengeOutcomeLabels)) problems.add('outcome', 'Select the outcome');
  checkText(values, problems, outcomeReasonLabels);
  const decided = values.outcome === 'overturned' ? checkDecision(values.decision, request) : undefined;
  for (const [field, text] of Object.entries(decided?.problems.fieldErrors ?? {})) {
    problems.add(decisionFields[field] ?? field, text);
  }
  if (problems.any) return { problems };
  return {
    problems,
    body: {
      outcome: values.outcome as ChallengeOutcomeInput['outcome'],
      reasons: values.reasons,
      reasonCodes: values.reasonCodes.filter((c) => c in outcomeReasonLabels),
      ...(decided?.decision === undefined ? {} : { decision: decided.decision }),
    },
  };
};
