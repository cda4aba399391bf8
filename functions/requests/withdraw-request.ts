import { withdrawRequest } from '#shared/domain/requests/manage-requests.ts';
import { requestStepRoute } from '#shared/http/requests.ts';

export const handler = requestStepRoute((deps, { event: _event, ...input }) => withdrawRequest(deps, input));
