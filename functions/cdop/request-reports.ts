import { requestCdopReports } from '#shared/domain/cdop/request-reports.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { caseIdOf, caseRoute } from '#shared/http/cdop.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { signedCopyOf } from '#shared/http/requests.ts';
import { requestCdopReportsAnswerOf } from '#shared/http/views/cdop.ts';

/** Asks agencies for their reports; the signed call is kept as the record of what asked for each request. */
export const handler = caseRoute(async (deps, { event, principal, call }) => {
  const result = await requestCdopReports(deps, {
    principal,
    caseId: caseIdOf(event),
    agencies: parseJsonBody(event, apiOperations.RequestCdopReports.body).agencies,
    signed: signedCopyOf(event),
    call,
  });
  return { statusCode: 200, body: requestCdopReportsAnswerOf(result, deps.clock.now()) };
});
