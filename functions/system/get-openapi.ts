import { routes } from '#functions/routes.ts';
import { answerAuditFromEnvironment } from '#shared/http/answer-audit.ts';
import { buildOpenApiDocument } from '#shared/http/openapi.ts';
import { publicRoute } from '#shared/http/route.ts';

// Built once per cold start: the document only changes with a deployment.
const document = buildOpenApiDocument(routes);

export const handler = publicRoute(answerAuditFromEnvironment(), async () => ({
  statusCode: 200,
  body: document,
}));
