import { startUpload } from '#shared/domain/requests/manage-requests.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { requestStepRoute } from '#shared/http/requests.ts';

export const handler = requestStepRoute((deps, { event, ...input }) =>
  startUpload(deps, { ...input, declared: parseJsonBody(event, apiOperations.StartShareUpload.body) }),
);
