import * as z from 'zod';
import { shareFetchedEvent } from '#events/share-fetched.v1.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { GoneError } from '../errors.ts';
import { shareSchema } from './data-request.ts';
import type { IdempotentCall } from './idempotency.ts';
import { fetchTransition, sharePolicy } from './lifecycle.ts';
import type { RequestDeps } from './request-deps.ts';
import { requestStep, requestStepFacts, workingAs } from './request-step.ts';

/** A fetch granted: the presigned GET URL and until when, and the share as the fetch left it (counted). */
export const fetchedSchema = z.object({
  kind: z.literal('fetched'),
  grant: z.object({ url: z.string().min(1), expiresAt: z.iso.datetime() }),
  share: shareSchema,
});
export type Fetched = z.infer<typeof fetchedSchema> & Audited;

/**
 * `POST /v1/requests/{id}/fetch`: a short-lived grant (a presigned GET URL) to the share, for the requester only;
 * every fetch is counted and recorded, and refused after withdrawal, after expiry or over the limit.
 */
export const fetchShare = (
  deps: RequestDeps,
  input: { principal: Principal; requestId: string; call?: IdempotentCall | undefined },
): Promise<Fetched> =>
  requestStep(deps, {
    ...input,
    action: 'share.fetch',
    result: fetchedSchema,
    authorise: workingAs(input.principal, 'requester'),
    decide: async ({ request, standing }, _authorised, now) => {
      const next = fetchTransition(request, now);
      const share = next.share;
      if (share === undefined) throw new Error('a fetched request has a share');
      // A grant is signed without calling S3, so the object is checked first: an unreachable store fails the
      // fetch (503) before anything is counted, and bytes that are gone (purged) are SHARE_EXPIRED, not a URL
      // the store cannot serve.
      if (!(await deps.payloads.exists(share.objectKey))) {
        throw new GoneError('SHARE_EXPIRED', 'the share is no longer stored');
      }
      const url = await deps.payloads.presignDownload(share.objectKey, sharePolicy.grantSeconds);
      return {
        next,
        facts: requestStepFacts(next, standing),
        events: [shareFetchedEvent(next, now)],
        result: {
          kind: 'fetched',
          grant: { url, expiresAt: new Date(now.getTime() + sharePolicy.grantSeconds * 1000).toISOString() },
          share,
        },
      };
    },
  });
