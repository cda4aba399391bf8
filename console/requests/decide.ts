import type { DataRequestView, RequestDecisionInput } from '#client/pbx-client.ts';
import { type FormFields, FormProblems, listOf, textOf } from '../forms.ts';
import { categoryLabel } from './labels.ts';

/**
 * The responder's decision form: approve, approve in part (ticking the categories kept), or decline, always with
 * reasons (a decision not to share is a record too).
 */

export type DecisionValues = {
  readonly outcome: string;
  readonly reasons: string;
  readonly kept: readonly string[];
};

export const decisionValuesOf = (form: FormFields): DecisionValues => ({
  outcome: textOf(form, 'outcome'),
  reasons: textOf(form, 'reasons').trim(),
  kept: listOf(form, 'kept'),
});

export const checkDecision = (
  values: DecisionValues,
  request: Pick<DataRequestView, 'dataCategories'>,
): { problems: FormProblems; decision?: RequestDecisionInput } => {
  const problems = new FormProblems();
  if (!['approve', 'partial', 'decline'].includes(values.outcome)) {
    problems.add('outcome', 'Select your decision');
  }
  if (values.reasons === '') problems.add('reasons', 'Enter the reasons for your decision');
  else if (values.reasons.length > 4000) {
    problems.add('reasons', 'The reasons must be 4,000 characters or fewer');
  }
  const asked: readonly string[] = request.dataCategories;
  const kept = values.kept.filter((c) => asked.includes(c));
  const withheld = asked.filter((c) => !kept.includes(c));
  if (values.outcome === 'partial') {
    if (kept.length === 0) {
      problems.add('kept', 'Select the information you will share, or decline the request');
    } else if (withheld.length === 0) {
      problems.add('kept', 'Leave unticked the information you will not share, or approve the request');
    }
  }
  if (problems.any) return { problems };
  const outcome = values.outcome as RequestDecisionInput['outcome'];
  return {
    problems,
    decision: {
      outcome,
      reasons: values.reasons,
      ...(outcome === 'partial' ? { withheld: { dataCategories: withheld } } : {}),
    },
  };
};

export const keptItems = (request: Pick<DataRequestView, 'dataCategories'>, values: DecisionValues) =>
  request.dataCategories.map((c) => ({
    value: c,
    text: categoryLabel(c),
    checked: values.kept.length === 0 || values.kept.includes(c),
  }));
