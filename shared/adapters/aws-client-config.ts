/**
 * The time limits of every AWS SDK client of the exchange (house style 27: every dependency call has a time
 * limit). The SDK sets none by default, so a store that accepts a connection and never answers (a hung DynamoDB,
 * measured up to 200 s) would hold every call. With these, one call fails within about
 * `maxAttempts × requestTimeout` plus one backoff (≈ 1.3 s), and an answer that needs a store read and then its
 * audit write is a 503 within 3 s; the Lambda timeout (10 s for routes) stays above it.
 *
 * `requestTimeout` is the socket's inactivity limit, not a total: a large S3 transfer that keeps flowing is not
 * cut off. A retry is safe where the SDK makes it so (TransactWriteItems carries its ClientRequestToken) and
 * otherwise meets the write's own condition.
 */
export const dependencyTimeouts = {
  connectionTimeoutMs: 500,
  requestTimeoutMs: 600,
  maxAttempts: 2,
} as const;

/** The configuration every AWS SDK client of the exchange is built with; `maxAttempts` may be lowered. */
export const awsClientConfig = (options: { maxAttempts?: number } = {}) => ({
  maxAttempts: options.maxAttempts ?? dependencyTimeouts.maxAttempts,
  requestHandler: {
    connectionTimeout: dependencyTimeouts.connectionTimeoutMs,
    requestTimeout: dependencyTimeouts.requestTimeoutMs,
    // Without it, this SDK only warns when a request passes its requestTimeout, and goes on waiting.
    throwOnRequestTimeout: true,
  },
});
