import { getCheckpoint } from '#shared/domain/audit/audit-proofs.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { auditArchiveReadsFromEnvironment, parseQuery } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = auditArchiveReadsFromEnvironment(auth);

/** The latest signed checkpoint, or the archived one of `?size=N`; 404 NOT_FOUND when none was published. */
export const handler = signedRoute(auth, async (event, context) => ({
  statusCode: 200,
  body: await getCheckpoint(deps, {
    principal: context.principal,
    ...parseQuery(event, apiOperations.GetAuditCheckpoint.query),
  }),
}));
