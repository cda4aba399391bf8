import * as z from 'zod';
import { registryId } from '#shared/domain/registry/registry.ts';

/**
 * The organisations' own identity providers the console's user pool federates to, from CDK context
 * `pbxConsoleFederation` (cdk.json, or `-c pbxConsoleFederation='[...]'`). Each names the organisation whose people
 * it signs in, and the claim (OIDC) or attribute (SAML) that carries the person's pbx user id
 * (`<organisation>.<name>`), mapped to the pool's `custom:pbx_user`. None is valid: then only the pool's own users
 * (created by an administrator, with MFA) can sign in. docs/DEPLOY.md, "Federating an organisation's IdP".
 *
 * An OIDC provider's client secret is not in the context: CloudFormation reads it from the Secrets Manager secret
 * `pbx/<stage>/console/idp-client-secrets/<organisationId>`, which the operator creates before deploying.
 */
const common = {
  organisationId: registryId.max(32, 'a Cognito provider name has at most 32 characters'),
  attributeMapping: z.strictObject({ pbx_user: z.string().min(1).max(256) }),
};

export const federationSchema = z
  .array(
    z.discriminatedUnion('type', [
      z.strictObject({
        ...common,
        type: z.literal('oidc'),
        issuer: z.url({ protocol: /^https$/ }),
        clientId: z.string().min(1).max(256),
        scopes: z.array(z.string().regex(/^[\x21-\x7e]+$/)).optional(),
      }),
      z.strictObject({
        ...common,
        type: z.literal('saml'),
        metadataUrl: z.url({ protocol: /^https$/ }),
      }),
    ]),
  )
  .refine(
    (providers) => new Set(providers.map((p) => p.organisationId)).size === providers.length,
    'one identity provider per organisation',
  );

export type FederatedIdentityProvider = z.infer<typeof federationSchema>[number];

/** The context's list (a JSON string when given with `-c`), or an error naming what is wrong. */
export const federationFromContext = (value: unknown): FederatedIdentityProvider[] => {
  if (value === undefined) return [];
  let json: unknown = value;
  if (typeof value === 'string') {
    try {
      json = JSON.parse(value);
    } catch {
      throw new Error('pbxConsoleFederation must be a JSON list');
    }
  }
  const parsed = federationSchema.safeParse(json);
  if (!parsed.success) throw new Error(`pbxConsoleFederation: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
};
