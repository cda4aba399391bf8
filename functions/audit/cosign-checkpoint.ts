import { cosignPublishedCheckpoint } from '#shared/domain/audit/cosign-checkpoint.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { cosignFromEnvironment, sizeParameter } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = cosignFromEnvironment(auth);

/** A witness's cosignature of the published checkpoint of `{size}`, stored beside it (audit.checkpoint.cosign). */
export const handler = signedRoute(auth, async (event, context) => {
  const body = parseJsonBody(event, apiOperations.CosignAuditCheckpoint.body);
  return {
    statusCode: 201,
    body: await cosignPublishedCheckpoint(deps, {
      principal: context.principal,
      size: sizeParameter(event.pathParameters),
      note: body.note,
      witnessKey: body.witnessKey,
    }),
  };
});
