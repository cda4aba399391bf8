import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { consoleEnv } from '#console/aws-resources.ts';
import { federationFromContext } from '../../infra/console-federation.ts';
import { apiTemplate, synthApp } from './support.ts';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

const statementsOfRole = (template: Template, rolePrefix: string): Statement[] =>
  Object.values(
    template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${rolePrefix}Role`) }] },
    }),
  ).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());
const logicalId = (template: Template, type: string, prefix: string): string => {
  const [id] = Object.keys(template.findResources(type)).filter((key) => key.startsWith(prefix));
  if (id === undefined) throw new Error(`no ${type} ${prefix}`);
  return id;
};

const federation = [
  {
    organisationId: 'lb-brent',
    type: 'oidc',
    issuer: 'https://login.brent.example/oauth2',
    clientId: 'pbx-console',
    attributeMapping: { pbx_user: 'pbx_user_id' },
  },
  {
    organisationId: 'nhs-nwl-icb',
    type: 'saml',
    metadataUrl: 'https://idp.nwl.example/metadata.xml',
    attributeMapping: { pbx_user: 'http://schemas.pbx.example/claims/pbx_user' },
  },
];

describe('the console stack', () => {
  const { console, api, oversight } = synthApp();
  const template = Template.fromStack(console);
  const fnId = logicalId(template, 'AWS::Lambda::Function', 'Console');
  const consoleFn = template.toJSON().Resources[fnId];
  const keyId = logicalId(template, 'AWS::KMS::Key', 'ConsoleKey');

  it('runs the console as one house function behind its own HTTP API, every path routed to it', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    expect(consoleFn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
    });
    for (const routeKey of ['ANY /{proxy+}', 'ANY /']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
  });

  it('tells the function where everything is, and no secret value', () => {
    const variables = consoleFn.Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables).sort()).toEqual(
      [
        'NODE_OPTIONS',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_SERVICE_NAME',
        'PBX_CONSOLE_FILES',
        ...Object.values(consoleEnv),
      ].sort(),
    );
    expect(variables.PBX_CONSOLE_FILES).toBe('/var/task');
    // Secrets by ARN (a Ref to the secret), never by value: no GetAtt of a secret string, no dynamic reference.
    expect(variables[consoleEnv.clientSecretArn]).toEqual({
      Ref: logicalId(template, 'AWS::SecretsManager::Secret', 'ClientSecret'),
    });
    expect(variables[consoleEnv.sessionKeySecretArn]).toEqual({
      Ref: logicalId(template, 'AWS::SecretsManager::Secret', 'SessionKeySecret'),
    });
    const text = JSON.stringify(variables);
    expect(text).not.toMatch(/DescribeCognitoUserPoolClient|resolve:secretsmanager|SecretString/);
    expect(variables[consoleEnv.secretsPrefix]).toBe('pbx/dev/console/');
    expect(variables[consoleEnv.exchangeUrl]).toEqual({
      'Fn::ImportValue': expect.stringMatching(/HttpApi/),
    });
  });

  it('grants the console no table and no bucket at all: it acts only through the signed API', () => {
    const actions = actionsOf(statementsOfRole(template, 'Console'));
    expect(actions.filter((a) => /^(dynamodb|s3|events|sqs):/.test(a) || a === '*')).toEqual([]);
    // What it may do, all of it: write its logs, trace, read its secrets, decrypt them through Secrets Manager.
    expect([...new Set(actions)].sort()).toEqual([
      'kms:Decrypt',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const decrypt = statementsOfRole(template, 'Console').filter((s) =>
      actionsOf([s]).includes('kms:Decrypt'),
    );
    expect(decrypt).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': expect.anything() } },
      }),
    ]);
  });

  it('lets the console read its two secrets and the organisations’ keys under its prefix, nothing else', () => {
    const reads = statementsOfRole(template, 'Console').filter((s) =>
      actionsOf([s]).includes('secretsmanager:GetSecretValue'),
    );
    const resources = JSON.stringify(reads.map((s) => s.Resource));
    expect(resources).toContain(logicalId(template, 'AWS::SecretsManager::Secret', 'ClientSecret'));
    expect(resources).toContain(logicalId(template, 'AWS::SecretsManager::Secret', 'SessionKeySecret'));
    const patterns = [...resources.matchAll(/:secret:([^"]*)"/g)].map((m) => m[1]);
    expect(patterns.sort()).toEqual(['pbx/dev/console/client-keys/*', 'pbx/dev/console/footprint-keys/*']);
    // The sign-in check reads no secret.
    expect(
      actionsOf(statementsOfRole(template, 'SignInCheck')).filter((a) => a.startsWith('secretsmanager:')),
    ).toEqual([]);
  });

  it('gives no function of the exchange the members’ keys: no grant on the console prefix or the console key', () => {
    const exchange = JSON.stringify(apiTemplate(api, oversight).toJSON());
    expect(exchange).not.toContain('pbx/dev/console/');
    expect(exchange).not.toContain('ConsoleKey');
    // Every secret an exchange function reads is named one by one (the checkpoint key): no wildcard.
    const exchangeReads = Object.values(apiTemplate(api, oversight).findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => actionsOf([s]).some((a) => a.startsWith('secretsmanager:')));
    for (const statement of exchangeReads) expect(JSON.stringify(statement.Resource)).not.toContain('*');
    // In the console stack, only the console function's role reads secrets at all (CDK's deployment-time copy
    // of the app client secret calls Cognito, not Secrets Manager).
    const readers = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p).includes('secretsmanager:'))
      .map(([id]) => id);
    expect(readers).toEqual([expect.stringMatching(/^ConsoleRole/)]);
  });

  it('encrypts the console’s secrets and logs with its own rotating key, kept with the stack gone', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/pbx-dev-console' });
    template.allResourcesProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('generates the session key secret in CloudFormation: 64 alphanumeric characters', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
    // The app client's secret is copied from Cognito at deployment, never written in the template.
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      SecretString: {
        'Fn::GetAtt': [
          Match.stringLikeRegexp('DescribeCognitoUserPoolClient'),
          'UserPoolClient.ClientSecret',
        ],
      },
    });
  });

  it('has a user pool without self sign-up, with MFA, strong passwords, threat protection and the pbx_user attribute', () => {
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      // Mutable: Cognito rewrites an attribute it maps from an identity provider at each federated sign-in, and
      // fails the sign-in when it cannot. Nobody's own token can write it (the client's WriteAttributes are empty).
      Schema: [
        {
          Name: 'pbx_user',
          AttributeDataType: 'String',
          Mutable: true,
          StringAttributeConstraints: { MinLength: '5', MaxLength: '129' },
        },
      ],
      LambdaConfig: {
        PreTokenGeneration: {
          'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'SignInCheck'), 'Arn'],
        },
      },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'pbx-dev-console' });
  });

  it('has one app client: the authorization code grant with a secret, the console’s callback and sign-out URLs, nothing writable', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    const apiId = logicalId(template, 'AWS::ApiGatewayV2::Api', 'ConsoleHttpApi');
    const at = (path: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] }, path]] });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'profile'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      CallbackURLs: [at('/auth/callback')],
      LogoutURLs: [at('/signed-out')],
      SupportedIdentityProviders: ['COGNITO'],
      ReadAttributes: Match.arrayWith(['custom:pbx_user']),
      WriteAttributes: [],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
    // No identity provider of an organisation configured: the pool's own users only.
    template.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
  });

  it('logs requests without headers, cookies, query strings or bodies, and throttles them', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const format = stage?.Properties.AccessLogSettings.Format as string;
    expect(format).toContain('$context.requestId');
    expect(format).not.toMatch(/header|cookie|body|querystring|path/i);
    expect(stage?.Properties.DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: 200,
      ThrottlingRateLimit: 100,
    });
  });
});

describe('the console’s federation to each organisation’s identity provider', () => {
  const { console } = synthApp({ context: { pbxConsoleFederation: federation } });
  const template = Template.fromStack(console);

  it('adds an OIDC or SAML provider per organisation, named by it, mapping its claim to custom:pbx_user', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 2);
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'lb-brent',
      ProviderType: 'OIDC',
      AttributeMapping: { 'custom:pbx_user': 'pbx_user_id' },
      ProviderDetails: Match.objectLike({
        client_id: 'pbx-console',
        oidc_issuer: 'https://login.brent.example/oauth2',
        // The IdP's client secret: a dynamic reference CloudFormation resolves, never the value.
        client_secret:
          '{{resolve:secretsmanager:pbx/dev/console/idp-client-secrets/lb-brent:SecretString:::}}',
      }),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'nhs-nwl-icb',
      ProviderType: 'SAML',
      AttributeMapping: { 'custom:pbx_user': 'http://schemas.pbx.example/claims/pbx_user' },
      ProviderDetails: { MetadataURL: 'https://idp.nwl.example/metadata.xml' },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      SupportedIdentityProviders: [
        'COGNITO',
        { Ref: Match.stringLikeRegexp('^FederationLbBrent') },
        { Ref: Match.stringLikeRegexp('^FederationNhsNwlIcb') },
      ],
    });
  });

  it('takes the list as JSON from the command line too, and refuses a wrong one naming the problem', () => {
    expect(federationFromContext(JSON.stringify(federation))).toHaveLength(2);
    expect(federationFromContext(undefined)).toEqual([]);
    expect(() => federationFromContext('[{')).toThrow(/JSON list/);
    expect(() => federationFromContext([{ ...federation[0], issuer: 'http://login.brent.example' }])).toThrow(
      /issuer/,
    );
    expect(() => federationFromContext([{ ...federation[0], organisationId: 'LB Brent' }])).toThrow(
      /organisationId/,
    );
    expect(() => federationFromContext([federation[0], federation[0]])).toThrow(
      /one identity provider per organisation/,
    );
    expect(() => federationFromContext([{ ...federation[1], attributeMapping: {} }])).toThrow(/pbx_user/);
  });

  it('passes the cdk-nag packs with federation configured', () => {
    expect(() => synthApp({ context: { pbxConsoleFederation: federation } }).app.synth()).not.toThrow();
  });

  it('uses the console’s own address when it has a custom domain (context pbxConsoleUrl)', () => {
    const custom = Template.fromStack(
      synthApp({ context: { pbxConsoleUrl: 'https://console.pbx.example' } }).console,
    );
    custom.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://console.pbx.example/auth/callback'],
      LogoutURLs: ['https://console.pbx.example/signed-out'],
    });
    expect(() => synthApp({ context: { pbxConsoleUrl: 'http://console.pbx.example' } })).toThrow(
      /https origin/,
    );
  });

  it('keeps the user pool outside dev, with deletion protection', () => {
    const prod = Template.fromStack(synthApp({ stage: 'prod' }).console);
    prod.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
    });
    prod.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'pbx-prod-console' });
  });
});

describe('the console bundle', () => {
  it('carries its views, GOV.UK Frontend and its own files, and serves pages from them', async () => {
    const assembly = synthApp({ bundleStacks: ['Pbx-Dev-Console'] }).app.synth();
    const bundles = readdirSync(assembly.directory)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(assembly.directory, name))
      .filter((dir) => existsSync(join(dir, 'index.mjs')));
    // The console and the sign-in check.
    expect(bundles).toHaveLength(2);
    const [consoleDir] = bundles.filter((dir) => existsSync(join(dir, 'views')));
    if (consoleDir === undefined) throw new Error('no bundle carries the views');
    for (const file of [
      'views/layouts/base.njk',
      'govuk-frontend/govuk/template.njk',
      'govuk-frontend/govuk/govuk-frontend.min.css',
      'govuk-frontend/govuk/assets/images/favicon.ico',
      'browser/console.css',
    ]) {
      expect({ file, there: existsSync(join(consoleDir, file)) }).toEqual({ file, there: true });
    }

    // A stand-in for Secrets Manager's API (the SDK's endpoint override), so the bundle runs as in Lambda.
    const secrets = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        response.setHeader('content-type', 'application/x-amz-json-1.1');
        response.end(
          JSON.stringify({
            Name: SecretId,
            SecretString: SecretId.includes('session') ? 'S'.repeat(64) : 'app-client-secret',
          }),
        );
      });
    });
    await new Promise<void>((resolve) => secrets.listen(0, '127.0.0.1', resolve));
    try {
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`,
        AWS_REGION: 'eu-west-2',
        AWS_ACCESS_KEY_ID: 'bundle-test',
        AWS_SECRET_ACCESS_KEY: 'bundle-test',
        PBX_CONSOLE_FILES: consoleDir,
        [consoleEnv.publicUrl]: 'https://console.pbx.example',
        [consoleEnv.exchangeUrl]: 'https://api.pbx.example',
        [consoleEnv.userPoolId]: 'eu-west-2_bundleTest',
        [consoleEnv.clientId]: 'bundletest',
        [consoleEnv.hostedDomain]: 'https://pbx-bundle.auth.eu-west-2.amazoncognito.com',
        [consoleEnv.clientSecretArn]: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:client',
        [consoleEnv.sessionKeySecretArn]: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:session',
        [consoleEnv.secretsPrefix]: 'pbx/dev/console/',
      });
      const { handler } = (await import(pathToFileURL(join(consoleDir, 'index.mjs')).href)) as {
        handler: (
          event: unknown,
          context: unknown,
        ) => Promise<{
          statusCode: number;
          headers?: Record<string, string>;
          body?: string;
          isBase64Encoded?: boolean;
        }>;
      };
      const get = (path: string) =>
        handler(
          {
            version: '2.0',
            routeKey: '$default',
            rawPath: path,
            rawQueryString: '',
            headers: { host: 'abc123.execute-api.eu-west-2.amazonaws.com' },
            requestContext: {
              domainName: 'abc123.execute-api.eu-west-2.amazonaws.com',
              http: { method: 'GET', path, sourceIp: '192.0.2.1' },
            },
            isBase64Encoded: false,
          },
          {},
        );
      const signedOut = await get('/signed-out');
      expect(signedOut.statusCode).toBe(200);
      expect(signedOut.body).toContain('govuk-template');
      const css = await get('/govuk/govuk-frontend.min.css');
      expect({ status: css.statusCode, type: css.headers?.['content-type'] }).toEqual({
        status: 200,
        type: 'text/css; charset=utf-8',
      });
      const own = await get('/console/console.css');
      expect(own.statusCode).toBe(200);
      const font = await get('/assets/fonts/bold-b542beb274-v2.woff2');
      expect({ status: font.statusCode, binary: font.isBase64Encoded }).toEqual({
        status: 200,
        binary: true,
      });
    } finally {
      secrets.close();
    }
  }, 120_000);
});
