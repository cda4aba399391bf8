import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { S3ServiceException } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Fault injection at the AWS SDK boundary: a tap wraps a real DynamoDB document client and a real S3 client (on
 * DynamoDB Local and the S3 emulator), numbers every call they send in order, and can make the N-th call fail
 * with a chosen fault, either before it reaches the service or after (the service applied it, the answer was lost).
 */

export type Service = 'dynamodb' | 's3';
export type TappedCall = { readonly service: Service; readonly command: string; readonly input: unknown };

export type FaultKind = {
  readonly name: string;
  /** Which calls the fault makes sense for. */
  readonly appliesTo: (call: TappedCall) => boolean;
  /** `before`: the call never reaches the service; `after`: it is applied, then the answer is lost. */
  readonly when: 'before' | 'after';
  readonly error: () => Error;
};

const metadata = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'fault', attempts: 1 });

const isDynamo = (call: TappedCall) => call.service === 'dynamodb';
const isS3 = (call: TappedCall) => call.service === 's3';
const isTransaction = (call: TappedCall) => call.command === 'TransactWriteCommand';
const isWrite = (call: TappedCall) =>
  /^(TransactWrite|Put|Update|Delete|BatchWrite|PutObject|DeleteObject)Command$/.test(call.command);

const named = (name: string, message: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(message), { name, ...extra });

export const faultKinds: readonly FaultKind[] = [
  {
    name: 'ThrottlingException',
    appliesTo: isDynamo,
    when: 'before',
    error: () =>
      named('ThrottlingException', 'Rate of requests exceeds the allowed throughput.', {
        $fault: 'client',
        $metadata: metadata(400),
      }),
  },
  {
    name: 'ProvisionedThroughputExceededException',
    appliesTo: isDynamo,
    when: 'before',
    error: () =>
      new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded.',
        $metadata: metadata(400),
      }),
  },
  {
    name: 'TransactionCanceled(ConditionalCheckFailed)',
    appliesTo: isTransaction,
    when: 'before',
    error: () =>
      new TransactionCanceledException({
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
        $metadata: metadata(400),
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'failed' }],
      }),
  },
  {
    name: 'TransactionCanceled(TransactionConflict)',
    appliesTo: isTransaction,
    when: 'before',
    error: () =>
      new TransactionCanceledException({
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
        $metadata: metadata(400),
        CancellationReasons: [{ Code: 'TransactionConflict', Message: 'conflict' }, { Code: 'None' }],
      }),
  },
  {
    name: 'S3 SlowDown (503)',
    appliesTo: isS3,
    when: 'before',
    error: () =>
      new S3ServiceException({
        name: 'SlowDown',
        message: 'Please reduce your request rate.',
        $fault: 'server',
        $metadata: metadata(503),
      }),
  },
  {
    name: 'S3 InternalError (500)',
    appliesTo: isS3,
    when: 'before',
    error: () =>
      new S3ServiceException({
        name: 'InternalError',
        message: 'We encountered an internal error. Please try again.',
        $fault: 'server',
        $metadata: metadata(500),
      }),
  },
  {
    name: 'TimeoutError (not sent)',
    appliesTo: () => true,
    when: 'before',
    error: () => named('TimeoutError', 'Connection timed out after 1000 ms'),
  },
  {
    name: 'AbortError (not sent)',
    appliesTo: () => true,
    when: 'before',
    error: () => named('AbortError', 'The operation was aborted'),
  },
  {
    name: 'TimeoutError after the write was applied',
    appliesTo: isWrite,
    when: 'after',
    error: () => named('TimeoutError', 'Socket timed out without establishing a connection'),
  },
];

type Sendable = { send: (command: never, ...rest: never[]) => Promise<unknown> };

export class CallTap {
  readonly calls: TappedCall[] = [];
  #armed: { at: number; fault: FaultKind } | undefined;
  #fired: { call: TappedCall; fault: FaultKind } | undefined;

  /** Makes call number `at` (0-based, counting from now on both clients) fail with `fault`. */
  arm(at: number, fault: FaultKind): this {
    this.#armed = { at: this.calls.length + at, fault };
    this.#fired = undefined;
    return this;
  }

  disarm(): void {
    this.#armed = undefined;
  }

  /** The call that failed, if the armed fault fired. */
  get fired(): { call: TappedCall; fault: FaultKind } | undefined {
    return this.#fired;
  }

  /** Calls recorded since `from`. */
  since(from: number): TappedCall[] {
    return this.calls.slice(from);
  }

  /** A view of `client` whose `send` goes through this tap; everything else is the client's own. */
  wrap<C extends Sendable>(service: Service, client: C): C {
    const wrapped = Object.create(client) as C;
    const send = client.send.bind(client) as (command: unknown, ...rest: unknown[]) => Promise<unknown>;
    Object.defineProperty(wrapped, 'send', {
      value: async (command: { constructor: { name: string }; input: unknown }, ...rest: unknown[]) => {
        const call: TappedCall = { service, command: command.constructor.name, input: command.input };
        const index = this.calls.push(call) - 1;
        const armed = this.#armed;
        if (armed === undefined || armed.at !== index) return send(command, ...rest);
        this.#armed = undefined;
        this.#fired = { call, fault: armed.fault };
        if (armed.fault.when === 'after') await send(command, ...rest);
        throw armed.fault.error();
      },
    });
    return wrapped;
  }

  wrapDocument(doc: DynamoDBDocumentClient): DynamoDBDocumentClient {
    return this.wrap('dynamodb', doc as unknown as Sendable) as unknown as DynamoDBDocumentClient;
  }
}
