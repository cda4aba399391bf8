import { requestCdopReports } from '#shared/domain/cdop/request-reports.ts';
import { caseDependencies } from '#shared/http/cdop.ts';
import { signedOperation } from '#shared/http/operation-handler.ts';
import { operations } from '#shared/http/operations.ts';
import { requestCdopReportsAnswerOf } from '#shared/http/views/cdop.ts';

/** Asks agencies for their reports; the signed call is kept as the record of what asked for each request. */
export const handler = signedOperation(
  operations.RequestCdopReports,
  caseDependencies,
  async (deps, call) => {
    const asked = await requestCdopReports(deps, {
      principal: call.principal,
      caseId: call.pathId('caseId', 'cdop-case'),
      agencies: call.body.agencies,
      signed: call.signedCopy,
      call: call.idempotentCall,
    });
    return { answer: requestCdopReportsAnswerOf(asked, deps.clock.now()), audited: asked.audited };
  },
);
