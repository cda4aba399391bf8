import { NodeSignatureVerifier } from '../adapters/crypto/node-signature-verifier.ts';

/** Calls of operations this process is answering now: one at a time in Lambda, any number in the local exchange. */
let inFlight = 0;

/** `handler`, counted among the calls in flight while it answers. */
export const countedInFlight =
  <E, C, R>(handler: (event: E, context: C) => Promise<R>): ((event: E, context: C) => Promise<R>) =>
  async (event, context) => {
    inFlight++;
    try {
      return await handler(event, context);
    } finally {
      inFlight--;
    }
  };

/** True while this process answers a single call, as a Lambda instance always does. */
export const answeringOneCall = (): boolean => inFlight <= 1;

/**
 * The verifier of signed requests: on the main thread while the process answers one call (a Lambda instance: the
 * threadpool's hand-off would only add latency), on libuv's threadpool when calls overlap (the local exchange), so
 * that they verify in parallel. `npm run bench:auth` measures both.
 */
export const signedRequestVerifier = (): NodeSignatureVerifier =>
  new NodeSignatureVerifier({ verifyInline: answeringOneCall });
