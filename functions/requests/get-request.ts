import { showRequest } from '#shared/domain/requests/manage-requests.ts';
import { requestStepRoute } from '#shared/http/requests.ts';

export const handler = requestStepRoute((deps, { principal, requestId }) =>
  showRequest(deps, { principal, requestId }),
);
