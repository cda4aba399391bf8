import { buildOpenApiDocument } from '#shared/http/openapi.ts';
import { publicOperation } from '#shared/http/operation-handler.ts';
import { operationList, operations } from '#shared/http/operations.ts';

// Built once per cold start: the document only changes with a deployment.
const document = buildOpenApiDocument(operationList);

export const handler = publicOperation(
  operations.GetOpenApi,
  () => ({}),
  async () => ({ answer: document, audited: [] }),
);
