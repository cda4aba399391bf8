import { cdopFigures } from '#shared/domain/cdop/case-figures.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { getCdopFiguresAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = signedOperation(operations.GetCdopFigures, caseDependencies, async (deps, call) => {
  const figures = await cdopFigures(deps, {
    principal: call.principal,
    year: Number(call.query.year),
    for: call.query.for,
  });
  return { answer: getCdopFiguresAnswerOf(figures), audited: figures.audited };
});
