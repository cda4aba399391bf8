import { evaluateRequest } from '#shared/domain/agreements/evaluate-request.ts';
import { agreementsFromEnvironment } from '#shared/http/agreements.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = agreementsFromEnvironment(auth);

/** A dry run: judges the request as if it were made now, changes nothing, and audits the decision either way. */
export const handler = signedRoute(auth, async (event, context) => ({
  statusCode: 200,
  body: await evaluateRequest(deps, {
    principal: context.principal,
    request: parseJsonBody(event, apiOperations.EvaluateDecision.body),
  }),
}));
