import { listWitnesses } from '#shared/domain/registry/witnesses.ts';
import { witnessesFromEnvironment } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = witnessesFromEnvironment(auth);

/** The registered witnesses of the audit log, for audit readers. */
export const handler = signedRoute(auth, async (_event, context) => ({
  statusCode: 200,
  body: { witnesses: await listWitnesses(deps, context.principal) },
}));
