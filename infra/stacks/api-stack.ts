import { Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  type IHttpApi,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { schedules } from '#functions/schedules.ts';
import { type Operation, operationList } from '#shared/http/operations.ts';
import type { Access, BucketName, FunctionBindings, TableName } from '#shared/resources.ts';
import { AppFunction, type AppFunctionProps } from '../constructs/app-function.ts';
import type { StatefulStack } from './stateful-stack.ts';

export type ApiStackProps = StackProps & {
  readonly stage: string;
  /** The exchange's identity, the `aud` of every signed request. */
  readonly exchangeId: string;
  readonly stateful: Pick<
    StatefulStack,
    'tables' | 'buckets' | 'checkpointKeySecret' | 'dataKey' | 'eventBus'
  >;
};

const entries = <K extends string>(record: Partial<Record<K, Access>>) =>
  Object.entries(record) as [K, Access][];

/** What the functions of both API stacks are built from: the stage's exchange id and the stateful resources. */
type FunctionSources = Pick<ApiStackProps, 'exchangeId' | 'stateful'>;

type FunctionDefinition = FunctionBindings & {
  readonly id: string;
  readonly entry: string;
  readonly eventBus?: true;
};

/** A maker of functions in `scope`, each granted exactly the tables and buckets its definition lists. */
const functionMaker =
  (scope: Construct, props: FunctionSources) =>
  (
    definition: FunctionDefinition,
    description: string,
    options: Pick<AppFunctionProps, 'timeout' | 'deadLetterQueue' | 'reservedConcurrentExecutions'> = {},
  ): AppFunction => {
    const fn = new AppFunction(scope, definition.id, {
      entry: definition.entry,
      description,
      logKey: props.stateful.dataKey,
      ...options,
    });
    for (const [name, access] of entries<TableName>(definition.tables)) {
      fn.bindTable(name, props.stateful.tables[name], access);
    }
    for (const [name, access] of entries<BucketName>(definition.buckets)) {
      fn.bindBucket(name, props.stateful.buckets[name], access);
    }
    if (definition.exchangeId) fn.bindExchangeId(props.exchangeId);
    if (definition.checkpointKey) {
      fn.bindCheckpointKeySecret(props.stateful.checkpointKeySecret, props.stateful.dataKey);
    }
    if (definition.eventBus) fn.bindEventBus(props.stateful.eventBus);
    return fn;
  };

/** An operation's function and its route on the HTTP API, both in `scope`'s stack. */
const addOperationRoute = (
  scope: Construct,
  api: IHttpApi,
  operation: Operation,
  functionFor: ReturnType<typeof functionMaker>,
): void => {
  new HttpRoute(scope, `${operation.id}Route`, {
    httpApi: api,
    routeKey: HttpRouteKey.with(operation.path, HttpMethod[operation.method]),
    integration: new HttpLambdaIntegration(
      `${operation.id}Integration`,
      functionFor(operation, `${operation.method} ${operation.path}`),
    ),
  });
};

/** Why API Gateway has no authoriser on the routes: the functions verify the signed-request protocol themselves. */
const acknowledgeSignedRequests = (stack: Stack): void => {
  Validations.of(stack).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason:
      'Callers authenticate with signed requests (PBX-JWS) verified by each function before any data access; health and registry are public by design.',
  });
};

/**
 * The IG and oversight operations (`/v1/ig/*`, `/v1/alerts*`): served from a stack of their own on the same HTTP
 * API, because one CloudFormation stack holds at most 500 resources and each operation takes seven (its function,
 * role, policy, log group, integration, route and invoke permission).
 */
export const isOversightOperation = (operation: Pick<Operation, 'path'>): boolean =>
  operation.path.startsWith('/v1/ig/') || operation.path.startsWith('/v1/alerts');

/**
 * The HTTP API and one function per operation of shared/http/operations.ts, each granted exactly the tables and buckets its
 * route lists. Authentication is the signed-request protocol, verified inside the functions (docs/PROTOCOL.md).
 */
export class ApiStack extends Stack {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `pbx-${props.stage}`,
      description: 'pbx, the pan-borough exchange',
    });

    const accessLogs = new LogGroup(this, 'HttpApiAccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: props.stateful.dataKey,
    });
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    // Access log fields are request metadata only: no headers (they carry signatures), no bodies.
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        time: '$context.requestTime',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
      }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 200, throttlingRateLimit: 100 };

    const functionFor = functionMaker(this, props);

    for (const operation of operationList.filter((o) => !isOversightOperation(o))) {
      addOperationRoute(this, this.api, operation, functionFor);
    }

    // A scheduled run that fails, or that EventBridge cannot deliver, is kept here for the operator (each run's
    // work is picked up by the next run all the same): 14 days, SQS-managed encryption (the messages are invocation
    // events, no data), TLS only.
    const scheduleFailures = new Queue(this, 'ScheduleFailures', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(scheduleFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the scheduled functions and their EventBridge targets.',
    });
    for (const schedule of schedules) {
      // One run at a time: a run that overlaps the previous one waits for it instead of competing for the tables.
      const fn = functionFor(schedule, `every ${schedule.everyMinutes} min: ${schedule.entry}`, {
        timeout: Duration.minutes(1),
        deadLetterQueue: scheduleFailures,
        reservedConcurrentExecutions: 1,
      });
      new Rule(this, `${schedule.id}Schedule`, {
        schedule: Schedule.rate(Duration.minutes(schedule.everyMinutes)),
        targets: [
          new LambdaFunction(fn, {
            deadLetterQueue: scheduleFailures,
            retryAttempts: 2,
            maxEventAge: Duration.minutes(schedule.everyMinutes * 5),
          }),
        ],
      });
    }

    acknowledgeSignedRequests(this);
  }
}

export type OversightApiStackProps = StackProps & FunctionSources & { readonly api: IHttpApi };

/** The IG and oversight operations' functions and routes, on the API stack's HTTP API (`isOversightOperation`). */
export class OversightApiStack extends Stack {
  constructor(scope: Construct, id: string, props: OversightApiStackProps) {
    super(scope, id, props);
    const functionFor = functionMaker(this, props);
    for (const operation of operationList.filter(isOversightOperation)) {
      addOperationRoute(this, props.api, operation, functionFor);
    }
    acknowledgeSignedRequests(this);
  }
}
