import { openCdopCase } from '#shared/domain/cdop/manage-cases.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { caseRoute } from '#shared/http/cdop.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';

/** Opens a CDOP case on notification of a death, or passes it on to the CDOP of the child's residence. */
export const handler = caseRoute((deps, { event, principal, call }) =>
  openCdopCase(deps, {
    principal,
    notification: parseJsonBody(event, apiOperations.OpenCdopCase.body).notification,
    call,
  }),
);
