import { requestCdopReports } from '#shared/domain/cdop/manage-cases.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { caseIdOf, caseRoute } from '#shared/http/cdop.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { signedCopyOf } from '#shared/http/requests.ts';

/** Asks agencies for their reports; the signed call is kept as the record of what asked for each request. */
export const handler = caseRoute((deps, { event, principal, call }) =>
  requestCdopReports(deps, {
    principal,
    caseId: caseIdOf(event),
    agencies: parseJsonBody(event, apiOperations.RequestCdopReports.body).agencies,
    signed: signedCopyOf(event),
    call,
  }),
);
