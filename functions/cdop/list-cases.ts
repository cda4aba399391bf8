import { listCdopCases } from '#shared/domain/cdop/list-cases.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { listCdopCasesAnswerOf } from '#shared/http/views/cdop.ts';

export const handler = signedOperation(operations.ListCdopCases, caseDependencies, async (deps, call) => {
  const listed = await listCdopCases(deps, { principal: call.principal, status: call.query.status });
  return { answer: listCdopCasesAnswerOf(listed, deps.clock.now()), audited: listed.audited };
});
