import { answerIgReport } from '#shared/domain/ig/report.ts';
import { igDependencies } from '#shared/http/ig.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { igReportAnswerOf } from '#shared/http/views/ig.ts';

/** The PQA quarterly report of a footprint, small numbers suppressed. */
export const handler = signedOperation(operations.GetIgReport, igDependencies, async (deps, call) => {
  const { answer, audited } = await answerIgReport(deps, { principal: call.principal, ...call.query });
  return { answer: igReportAnswerOf(answer), audited };
});
