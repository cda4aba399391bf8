import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import * as z from 'zod';
import { pbxUserClaim } from './aws-resources.ts';

/**
 * The console's user pool trusts each organisation's identity provider for that organisation's people only. The
 * console signs a person in as `<organisation>.<name>` through `<organisation>-console`, taking the organisation
 * from the pbx user id the ID token names; so an identity provider that mapped a user id of another organisation
 * would act as that organisation's person. This pre token generation trigger refuses such a sign-in before any
 * token is issued: a federated user's `custom:pbx_user` must be of the organisation the provider is named after
 * (infra/stacks/console-stack.ts names each provider by its organisation id). A user of the pool itself (no
 * `identities`) is created by an administrator, who sets the attribute.
 */

const identitiesSchema = z.array(z.looseObject({ providerName: z.string().min(1) })).min(1);

export class SignInRefusedError extends Error {
  constructor(
    readonly code: 'NO_PBX_USER' | 'OTHER_ORGANISATION' | 'IDENTITIES_MALFORMED',
    message: string,
  ) {
    super(message);
    this.name = 'SignInRefusedError';
  }
}

/** Throws unless the user's pbx user id belongs to the organisation of every provider it came through. */
export const checkOrganisationOfUser = (attributes: Readonly<Record<string, string | undefined>>): void => {
  const identities = attributes.identities;
  if (identities === undefined || identities === '') return;
  let providers: z.infer<typeof identitiesSchema>;
  try {
    providers = identitiesSchema.parse(JSON.parse(identities));
  } catch {
    throw new SignInRefusedError('IDENTITIES_MALFORMED', 'the user’s identities attribute is not a list');
  }
  const userId = attributes[pbxUserClaim];
  if (userId === undefined || userId === '')
    throw new SignInRefusedError('NO_PBX_USER', `the identity provider mapped no ${pbxUserClaim}`);
  for (const { providerName } of providers) {
    if (!userId.startsWith(`${providerName}.`)) {
      // The message names the provider only: the user id is personal data, and it goes to the log.
      throw new SignInRefusedError(
        'OTHER_ORGANISATION',
        `identity provider ${providerName} may only sign in people of organisation ${providerName}`,
      );
    }
  }
};

export const handler = async (
  event: PreTokenGenerationTriggerEvent,
): Promise<PreTokenGenerationTriggerEvent> => {
  try {
    checkOrganisationOfUser(event.request.userAttributes);
  } catch (error) {
    console.error('console sign-in refused', (error as SignInRefusedError).code);
    throw error;
  }
  return event;
};
