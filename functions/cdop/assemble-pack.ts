import { assembleCasePack } from '#shared/domain/cdop/manage-cases.ts';
import { caseIdOf, caseRoute } from '#shared/http/cdop.ts';

export const handler = caseRoute((deps, { event, principal, call }) =>
  assembleCasePack(deps, { principal, caseId: caseIdOf(event), call }),
);
