import { getLatestCheckpoint } from '#shared/domain/audit/audit-proofs.ts';
import { auditReadsFromEnvironment } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = auditReadsFromEnvironment(auth);

/** The latest signed checkpoint; 404 NOT_FOUND until the first is published. */
export const handler = signedRoute(auth, async (_event, context) => ({
  statusCode: 200,
  body: await getLatestCheckpoint(deps, { principal: context.principal }),
}));
