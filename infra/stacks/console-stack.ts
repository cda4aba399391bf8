import {
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  SecretValue,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { type CfnStage, HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  type CfnUserPoolClient,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ProviderAttribute,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolIdentityProviderOidc,
  UserPoolIdentityProviderSaml,
  UserPoolIdentityProviderSamlMetadata,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCustomResource } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import {
  clientKeysFolder,
  consoleEnv,
  consoleSecretsPrefix,
  footprintKeysFolder,
  identityProviderSecretName,
  pbxUserAttribute,
  pbxUserClaim,
} from '#console/aws-resources.ts';
import { type FederatedIdentityProvider, federationFromContext } from '../console-federation.ts';
import { consoleFunctions } from '../console-functions.ts';
import { AppFunction } from '../constructs/app-function.ts';
import { allowLogGroupEncryption } from '../constructs/log-encryption.ts';
import { acknowledgeCompliance } from '../nag.ts';

export type ConsoleStackProps = StackProps & {
  readonly stage: string;
  /** The exchange's API, which the console calls signed like any client (the API stack's endpoint). */
  readonly exchangeUrl: string;
};

/** Where the console function finds its files in the Lambda bundle (console/files.ts reads `PBX_CONSOLE_FILES`). */
const bundleRoot = '/var/task';

/**
 * The console (issue 15): a backend-for-frontend run for the member organisations, beside the exchange and apart
 * from it. One Lambda function behind its own HTTP API renders the pages and calls the exchange only through the
 * signed API, as the signed-in person through their organisation's console client; it has no grant on any table or
 * bucket. People sign in at a Cognito user pool (no self sign-up, MFA for its own users, threat protection), which
 * federates to each organisation's own identity provider (context `pbxConsoleFederation`, infra/console-federation.ts).
 *
 * The keys the console holds are the member organisations' keys, not the exchange's: each organisation's console
 * client key and each footprint's key (docs/SUBJECT-REFERENCES.md) are Secrets Manager secrets under
 * `pbx/<stage>/console/`, encrypted with this stack's own KMS key and readable by the console function only. No
 * function of the exchange is granted them (test/infra/console-stack.test.ts holds that): the exchange never sees a
 * footprint key, which is what keeps subject references pseudonymous.
 */
export class ConsoleStack extends Stack {
  readonly api: HttpApi;
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly consoleFunction: AppFunction;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    const retain = props.stage !== 'dev';
    const prefix = consoleSecretsPrefix(props.stage);
    const federation = federationFromContext(this.node.tryGetContext('pbxConsoleFederation'));

    // The console's own key: its secrets and its logs. The exchange's data key is not used for the members' keys.
    this.key = new Key(this, 'ConsoleKey', {
      description: `pbx ${props.stage} console: encrypts the console's secrets (the member organisations' keys) and logs`,
      alias: `alias/pbx-${props.stage}-console`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    allowLogGroupEncryption(this.key);

    this.api = new HttpApi(this, 'ConsoleHttpApi', {
      apiName: `pbx-${props.stage}-console`,
      description: 'pbx console: the web service for practitioners, CDOP managers and IG leads',
    });
    // A custom domain in front of the API (context pbxConsoleUrl) is the address people use; else the API's own.
    const contextUrl: unknown = this.node.tryGetContext('pbxConsoleUrl');
    if (contextUrl !== undefined && (typeof contextUrl !== 'string' || !/^https:\/\/[^/]+$/.test(contextUrl)))
      throw new Error('pbxConsoleUrl must be an https origin, such as https://console.pbx.example');
    const consoleUrl = typeof contextUrl === 'string' ? contextUrl : this.api.apiEndpoint;

    this.userPool = this.#userPool(props.stage, retain);
    const providers = federation.map((provider) => this.#identityProvider(provider, prefix));
    this.client = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: `pbx-${props.stage}-console`,
      generateSecret: true,
      // Only the hosted sign-in: no password, SRP or custom flows straight from a client.
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        // No aws.cognito.signin.user.admin: a person's access token cannot change their own attributes.
        scopes: [OAuthScope.OPENID, OAuthScope.PROFILE],
        callbackUrls: [`${consoleUrl}/auth/callback`],
        logoutUrls: [`${consoleUrl}/signed-out`],
      },
      supportedIdentityProviders: [
        UserPoolClientIdentityProvider.COGNITO,
        ...providers.map((p) => UserPoolClientIdentityProvider.custom(p.providerName)),
      ],
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ fullname: true, email: true })
        .withCustomAttributes(pbxUserAttribute),
      // Nothing is writable through the client: the pbx user id is set by an administrator or by federation.
      writeAttributes: new ClientAttributes(),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.minutes(60),
      accessTokenValidity: Duration.minutes(60),
      refreshTokenValidity: Duration.hours(12),
    });
    // Without a flow named, Cognito would allow SRP and custom authentication straight from the client: refresh only.
    (this.client.node.defaultChild as CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
    for (const provider of providers) this.client.node.addDependency(provider);
    const domainPrefix: unknown =
      this.node.tryGetContext('pbxConsoleDomainPrefix') ?? `pbx-${props.stage}-console`;
    if (typeof domainPrefix !== 'string' || !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domainPrefix))
      throw new Error('pbxConsoleDomainPrefix must be lower-case letters, digits and hyphens');
    this.domain = this.userPool.addDomain('HostedDomain', { cognitoDomain: { domainPrefix } });

    // The app client's secret, copied into Secrets Manager at deployment (CDK's DescribeUserPoolClient call): the
    // function reads it there, so it is in no environment variable and no template.
    const clientSecret = new Secret(this, 'ClientSecret', {
      description: `pbx ${props.stage} console: the secret of the console's app client in the user pool`,
      secretStringValue: this.client.userPoolClientSecret,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // 64 alphanumeric characters; the console derives the 32-byte cookie key from them (console/aws-config.ts).
    const sessionKey = new Secret(this, 'SessionKeySecret', {
      description: `pbx ${props.stage} console: the secret the session cookie key is derived from`,
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.#acknowledgeSecretCopy();
    for (const [secret, why] of [
      [
        clientSecret,
        'It is a copy of the app client secret Cognito generates; rotating it is replacing the app client.',
      ],
      [
        sessionKey,
        'Rotating the session key signs everybody out; it is rotated by replacing the secret (a redeploy), when needed.',
      ],
    ] as const) {
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: why });
      acknowledgeCompliance(secret, 'SecretsManagerRotationEnabled', why);
    }

    this.consoleFunction = new AppFunction(this, consoleFunctions.console.id, {
      entry: consoleFunctions.console.entry,
      description: 'pbx console: GOV.UK Frontend pages, acting through the signed API',
      logKey: this.key,
      // Pages call the exchange (10 s each at most) and Cognito; under the HTTP API's 30 s limit.
      timeout: Duration.seconds(25),
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        // The pages' templates, GOV.UK Frontend (templates, styles, fonts, script) and the console's own static
        // files, beside the bundle, as console/files.ts expects them. Copied from this checkout: no download.
        afterBundling: (inputDir: string, outputDir: string) => [
          `cp -R "${inputDir}/console/views" "${outputDir}/views"`,
          `cp -R "${inputDir}/node_modules/govuk-frontend/dist" "${outputDir}/govuk-frontend"`,
          `cp -R "${inputDir}/console/browser" "${outputDir}/browser"`,
          `find "${outputDir}/govuk-frontend" -name "*.map" -delete`,
        ],
      },
    });
    this.consoleFunction
      .addEnvironment('PBX_CONSOLE_FILES', bundleRoot)
      .addEnvironment(consoleEnv.publicUrl, consoleUrl)
      .addEnvironment(consoleEnv.exchangeUrl, props.exchangeUrl)
      .addEnvironment(consoleEnv.userPoolId, this.userPool.userPoolId)
      .addEnvironment(consoleEnv.clientId, this.client.userPoolClientId)
      .addEnvironment(consoleEnv.hostedDomain, this.domain.baseUrl())
      .addEnvironment(consoleEnv.clientSecretArn, clientSecret.secretArn)
      .addEnvironment(consoleEnv.sessionKeySecretArn, sessionKey.secretArn)
      .addEnvironment(consoleEnv.secretsPrefix, prefix);
    this.#grantConsoleSecrets(prefix, [clientSecret, sessionKey]);

    this.api.addRoutes({
      path: '/{proxy+}',
      integration: new HttpLambdaIntegration('ConsoleIntegration', this.consoleFunction),
    });
    this.api.addRoutes({
      path: '/',
      integration: new HttpLambdaIntegration('ConsoleRootIntegration', this.consoleFunction),
    });
    this.#accessLogs();

    // The sign-in check: an organisation's identity provider signs in that organisation's people only.
    const signInCheck = new AppFunction(this, consoleFunctions.signInCheck.id, {
      entry: consoleFunctions.signInCheck.entry,
      description: "pbx console: refuses a federated sign-in naming another organisation's user",
      logKey: this.key,
      timeout: Duration.seconds(5),
    });
    this.userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION, signInCheck);

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The console authenticates people itself (OpenID Connect at the user pool, a sealed session cookie) and shows the sign-in page to anyone; the exchange checks every call it makes on their behalf.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'The console API is a web service for browsers, not an API for Cognito tokens: see AwsSolutions-APIG4.',
    });

    new CfnOutput(this, 'ConsoleUrl', { value: consoleUrl, description: 'Where people use the console' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'HostedSignInDomain', { value: this.domain.baseUrl() });
    new CfnOutput(this, 'ConsoleSecretsPrefix', {
      value: prefix,
      description: `Put each console client key under ${prefix}${clientKeysFolder} and each footprint key under ${prefix}${footprintKeysFolder}`,
    });
    new CfnOutput(this, 'ConsoleKeyArn', {
      value: this.key.keyArn,
      description: 'Encrypt the console secrets with this key (--kms-key-id)',
    });
  }

  /**
   * Reading the app client's secret is CDK's own custom resource (AwsCustomResource, one DescribeUserPoolClient
   * call on this pool, its answer not logged), run by CloudFormation during deployments only.
   */
  #acknowledgeSecretCopy(): void {
    const provider = this.node.findChild(`AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
    const why =
      "CDK's AwsCustomResource provider, run by CloudFormation during deployments only, to copy the app client's secret into Secrets Manager";
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: `${why}: its role is CDK's, with the basic execution policy for its own logs.`,
    });
    acknowledgeCompliance(provider, 'LambdaConcurrency', `${why}: one invocation per deployment.`);
    acknowledgeCompliance(
      provider,
      'LambdaDLQ',
      `${why}: CloudFormation invokes it and fails the deployment on error.`,
    );
    acknowledgeCompliance(provider, 'LambdaInsideVPC', `${why}: it calls the Cognito API only.`);
    acknowledgeCompliance(
      this.client.node.findChild('DescribeCognitoUserPoolClient'),
      'IAMNoInlinePolicy',
      `${why}: its one statement allows cognito-idp:DescribeUserPoolClient on this pool only.`,
    );
  }

  #userPool(stage: string, retain: boolean): UserPool {
    const pool = new UserPool(this, 'UserPool', {
      userPoolName: `pbx-${stage}-console`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      // People of an organisation without its own identity provider are created by an administrator: TOTP MFA,
      // a strong password, threat protection (Plus plan).
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      customAttributes: {
        // The person's pbx user id (`<organisation>.<name>`), the `custom:pbx_user` claim of the ID token. Mutable
        // because Cognito must be able to write an attribute it maps from an identity provider at every federated
        // sign-in (an immutable mapped attribute fails the sign-in); no app client may write it (writeAttributes),
        // and the sign-in check binds a federated value to its provider's organisation.
        [pbxUserAttribute]: new StringAttribute({ minLen: 5, maxLen: 129, mutable: true }),
      },
      deletionProtection: retain,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    return pool;
  }

  /** An organisation's own identity provider, named by its organisation id (the sign-in check relies on it). */
  #identityProvider(provider: FederatedIdentityProvider, prefix: string) {
    const attributeMapping = {
      custom: { [pbxUserClaim]: ProviderAttribute.other(provider.attributeMapping.pbx_user) },
    };
    const id = `Federation${provider.organisationId.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`;
    if (provider.type === 'oidc') {
      return new UserPoolIdentityProviderOidc(this, id, {
        userPool: this.userPool,
        name: provider.organisationId,
        issuerUrl: provider.issuer,
        clientId: provider.clientId,
        // A dynamic reference: CloudFormation reads the secret at deployment; the template holds only its name.
        clientSecret: SecretValue.secretsManager(
          identityProviderSecretName(prefix, provider.organisationId),
        ).unsafeUnwrap(),
        scopes: provider.scopes ?? ['openid', 'profile'],
        attributeMapping,
      });
    }
    return new UserPoolIdentityProviderSaml(this, id, {
      userPool: this.userPool,
      name: provider.organisationId,
      metadata: UserPoolIdentityProviderSamlMetadata.url(provider.metadataUrl),
      attributeMapping,
    });
  }

  /**
   * The console function reads its own two secrets and the organisations' keys under the prefix, and nothing
   * else: no table, no bucket, no other secret. Written on the role (as AppFunction.bindCheckpointKeySecret does);
   * decrypting with the console key only through Secrets Manager.
   */
  #grantConsoleSecrets(prefix: string, secrets: readonly Secret[]): void {
    const fn = this.consoleFunction;
    const under = (folder: string) =>
      `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${prefix}${folder}*`;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [...secrets.map((s) => s.secretArn), under(clientKeysFolder), under(footprintKeysFolder)],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    if (fn.role === undefined) return;
    for (const folder of [clientKeysFolder, footprintKeysFolder]) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${prefix}${folder}*]`,
        reason:
          'One secret per organisation (console client keys) or per footprint (footprint keys), created by the operator as members join: the console reads them by name under this one prefix (Secrets Manager appends a random suffix to each ARN).',
      });
    }
  }

  /** Request metadata only: no headers (cookies), no bodies, no query strings (a returnTo path). */
  #accessLogs(): void {
    const accessLogs = new LogGroup(this, 'ConsoleHttpApiAccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: this.key,
    });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        time: '$context.requestTime',
        method: '$context.httpMethod',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
      }),
    };
    // As the exchange's stage (the house function's concurrency waiver names these limits).
    stage.defaultRouteSettings = { throttlingBurstLimit: 200, throttlingRateLimit: 100 };
  }
}
