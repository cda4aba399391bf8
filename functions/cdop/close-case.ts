import { closeCdopCase } from '#shared/domain/cdop/manage-cases.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { caseIdOf, caseRoute } from '#shared/http/cdop.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';

export const handler = caseRoute((deps, { event, principal, call }) =>
  closeCdopCase(deps, {
    principal,
    caseId: caseIdOf(event),
    analysis: parseJsonBody(event, apiOperations.CloseCdopCase.body).analysis,
    call,
  }),
);
