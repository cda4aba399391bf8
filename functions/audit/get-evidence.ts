import { getAuditEvidence } from '#shared/domain/audit/audit-proofs.ts';
import { apiOperations } from '#shared/http/api-contract.ts';
import { auditArchiveReadsFromEnvironment, parseQuery } from '#shared/http/audit.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = auditArchiveReadsFromEnvironment(auth);

/** One page of evidence against a published checkpoint, audited as one export. */
export const handler = signedRoute(auth, async (event, context) => ({
  statusCode: 200,
  body: await getAuditEvidence(deps, {
    principal: context.principal,
    ...parseQuery(event, apiOperations.GetAuditEvidence.query),
  }),
}));
