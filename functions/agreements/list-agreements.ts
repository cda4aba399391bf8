import { agreementsFromEnvironment, agreementView } from '#shared/http/agreements.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();
const deps = agreementsFromEnvironment(auth);

export const handler = signedRoute(auth, async () => {
  const agreements = await deps.agreements.listAgreements();
  const now = deps.clock.now();
  return { statusCode: 200, body: { agreements: agreements.map((a) => agreementView(a, now)) } };
});
