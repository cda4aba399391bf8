import { registerWitness } from '#shared/domain/registry/witnesses.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { witnessesFromEnvironment } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { parseJsonBody } from '#shared/http/json-body.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = witnessesFromEnvironment(auth);

/** An IG lead registers their organisation's witness of the audit log (audit.witness.register). */
export const handler = signedRoute(auth, async (event, context) => {
  const body = parseJsonBody(event, apiOperations.RegisterAuditWitness.body);
  return {
    statusCode: 201,
    body: { witness: await registerWitness(deps, { principal: context.principal, ...body }) },
  };
});
