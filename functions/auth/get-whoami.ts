import { describePrincipal } from '#shared/domain/auth/describe-principal.ts';
import { authenticationFromEnvironment } from '#shared/http/authentication.ts';
import { signedRoute } from '#shared/http/signed-route.ts';

const auth = authenticationFromEnvironment();

export const handler = signedRoute(auth, async (_event, context) => ({
  statusCode: 200,
  body: await describePrincipal(auth, context.principal),
}));
