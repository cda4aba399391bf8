/**
 * The one definition of how long any AWS SDK client waits for its service. A store that hangs (accepts the
 * connection, never answers) must fail the call fast enough that the route still answers 503 within 3 s, its
 * answer's audit write included: two calls of at most `maxAttempts` x `requestTimeout` plus the SDK's retry delay
 * (under 200 ms) stay below that, and far below the Lambda timeout (infra/constructs/app-function.ts, 10 s).
 * `throwOnRequestTimeout` is needed: without it the SDK only logs a warning when the request timeout passes.
 */
export const awsClientSettings = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 500, requestTimeout: 600, throwOnRequestTimeout: true },
} as const;

/**
 * Whether an AWS SDK error means the service is unavailable (throttled, unreachable, timed out, failing: 503,
 * worth a retry) rather than that the exchange sent a request the service refuses to run (a validation error, a
 * key or item past DynamoDB's size limits, an access the role lacks: a programmer error, 500). A transaction
 * cancelled by a conflict or throttling (its condition failures are handled before this) is unavailability.
 */
export const isUnavailable = (error: unknown): boolean => {
  const { name, $fault, $metadata } = (error ?? {}) as {
    name?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const status = $metadata?.httpStatusCode;
  if (status === undefined || status === 0 || status >= 500 || $fault === 'server') return true;
  return /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded|TooManyRequests|SlowDown|Timeout|Transaction(Canceled|Conflict|InProgress)/.test(
    name ?? '',
  );
};

/**
 * The error an adapter throws for a failed AWS call: DependencyError (503) when the service is unavailable, a
 * plain Error (500 INTERNAL, nothing leaked) when the exchange's own request was at fault.
 */
export const failedCall = (error: unknown, unavailable: () => Error): Error =>
  isUnavailable(error)
    ? unavailable()
    : new Error(`an AWS call was refused as invalid (${(error as Error)?.name ?? 'unknown'})`);
