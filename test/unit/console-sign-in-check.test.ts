import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { checkOrganisationOfUser, handler, SignInRefusedError } from '#console/aws-sign-in-check.ts';

const federated = (providerName: string, pbxUser: string | undefined) => ({
  identities: JSON.stringify([
    {
      userId: 'abc123',
      providerName,
      providerType: 'OIDC',
      issuer: null,
      primary: 'true',
      dateCreated: '1764000000000',
    },
  ]),
  ...(pbxUser === undefined ? {} : { 'custom:pbx_user': pbxUser }),
});

const codeOf = (attributes: Record<string, string | undefined>) => {
  try {
    checkOrganisationOfUser(attributes);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(SignInRefusedError);
    return (error as SignInRefusedError).code;
  }
};

describe('the console sign-in check (pre token generation)', () => {
  it('accepts a person of the organisation whose identity provider signed them in', () => {
    expect(codeOf(federated('lb-brent', 'lb-brent.practitioner'))).toBe('accepted');
  });

  it('refuses a provider that names a person of another organisation, before any token is issued', () => {
    expect(codeOf(federated('lb-brent', 'lb-ealing.practitioner'))).toBe('OTHER_ORGANISATION');
    // A prefix of the organisation id is another organisation too.
    expect(codeOf(federated('lb-brent', 'lb-brenton.practitioner'))).toBe('OTHER_ORGANISATION');
    expect(codeOf(federated('lb-brent', 'lb-brent'))).toBe('OTHER_ORGANISATION');
  });

  it('refuses a federated person the provider gave no pbx user, and identities it cannot read', () => {
    expect(codeOf(federated('lb-brent', undefined))).toBe('NO_PBX_USER');
    expect(codeOf({ identities: 'not json', 'custom:pbx_user': 'lb-brent.x' })).toBe('IDENTITIES_MALFORMED');
    expect(codeOf({ identities: '[]', 'custom:pbx_user': 'lb-brent.x' })).toBe('IDENTITIES_MALFORMED');
  });

  it('leaves the pool’s own users (created by an administrator, no identities) to the exchange’s registry', () => {
    expect(codeOf({ 'custom:pbx_user': 'lb-ealing.ig-lead', email: 'ig@ealing.example' })).toBe('accepted');
  });

  it('answers Cognito with the event unchanged, or fails the sign-in without naming the person', async () => {
    const event = (userAttributes: Record<string, string>) =>
      ({
        triggerSource: 'TokenGeneration_HostedAuth',
        request: { userAttributes, groupConfiguration: {} },
        response: {},
      }) as unknown as PreTokenGenerationTriggerEvent;
    const accepted = event(federated('lb-brent', 'lb-brent.practitioner') as Record<string, string>);
    expect(await handler(accepted)).toBe(accepted);
    const refused = handler(event(federated('lb-brent', 'lb-ealing.practitioner') as Record<string, string>));
    await expect(refused).rejects.toThrow(
      /identity provider lb-brent may only sign in people of organisation lb-brent/,
    );
    await expect(refused).rejects.not.toThrow(/practitioner/);
  });
});
