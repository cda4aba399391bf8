import { agreementsFromEnvironment, showAgreement } from '#shared/http/agreements.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { pathId } from '#shared/http/path-ids.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = agreementsFromEnvironment(auth);

export const handler = signedRoute(auth, async (event) => ({
  statusCode: 200,
  body: { agreement: await showAgreement(deps, pathId(event.pathParameters, 'agreementId', 'agreement')) },
}));
