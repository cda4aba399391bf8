import type * as z from 'zod';
import { shareReleasedEvent } from '#events/share-released.v1.ts';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { InputError } from '../errors.ts';
import type { StepCommit } from '../steps/run-step.ts';
import type { DataRequest } from './data-request.ts';
import type { IdempotentCall } from './idempotency.ts';
import { assertReleasable, assertSize, releaseTransition, sharePolicy } from './lifecycle.ts';
import type { RequestDeps } from './request-deps.ts';
import {
  type FoundRequest,
  requestResultSchema,
  requestStep,
  requestStepFacts,
  updateRequest,
  workingAs,
} from './request-step.ts';
import { sha256Hex, shareKey } from './share-keys.ts';

export const releasedSchema = requestResultSchema('released');
export type Released = z.infer<typeof releasedSchema> & Audited;

export type Release =
  | {
      readonly kind: 'inline';
      readonly content: Uint8Array;
      readonly sha256: string;
      readonly contentType: string;
      readonly dataCategories: readonly string[];
    }
  | { readonly kind: 'upload'; readonly uploadId: string; readonly dataCategories: readonly string[] };

type Stored = { objectKey: string; sha256: string; size: number; contentType: string };

/** Deletes bytes of a failed release (best effort) unless the stored request points to them, or cannot be read. */
const discardUnreferenced = async (
  deps: RequestDeps,
  requestId: string,
  objectKey: string,
): Promise<void> => {
  const stored = await deps.requests.getRequest(requestId).catch(() => 'unknown' as const);
  if (stored === 'unknown' || stored?.share?.objectKey === objectKey) return;
  await deps.payloads.delete(objectKey).catch(() => undefined);
};

/** Writes inline bytes under a key of the exchange's, once their SHA-256 is the one declared. */
const storeInline = async (
  deps: RequestDeps,
  request: DataRequest,
  release: Extract<Release, { kind: 'inline' }>,
  now: Date,
): Promise<Stored> => {
  assertSize(release.content.byteLength, sharePolicy.maxInlineBytes);
  const sha256 = sha256Hex(release.content);
  if (sha256 !== release.sha256) {
    throw new InputError('PAYLOAD_HASH_MISMATCH', 'the content does not have the SHA-256 declared');
  }
  const key = shareKey(request.id, now);
  await deps.payloads.put(key, release.content, release.contentType).catch(async (error: unknown) => {
    // S3 may have stored the bytes and lost its answer: none may stay behind a release that failed.
    await deps.payloads.delete(key).catch(() => undefined);
    throw error;
  });
  return { objectKey: key, sha256, size: release.content.byteLength, contentType: release.contentType };
};

/** The bytes of a finished upload, once the exchange has hashed what arrived; a mismatch deletes them. */
const storedUpload = async (
  deps: RequestDeps,
  request: DataRequest,
  release: Extract<Release, { kind: 'upload' }>,
): Promise<Stored> => {
  const upload = request.upload;
  if (upload === undefined || upload.uploadId !== release.uploadId) {
    throw new InputError('UPLOAD_MISSING', 'there is no such upload for this request');
  }
  const arrived = await deps.payloads.digest(upload.objectKey);
  if (arrived === undefined) throw new InputError('UPLOAD_MISSING', 'nothing was uploaded to the upload URL');
  if (arrived.size !== upload.size || arrived.sha256 !== upload.sha256) {
    await deps.payloads.delete(upload.objectKey);
    throw arrived.size !== upload.size
      ? new InputError('PAYLOAD_SIZE_MISMATCH', 'the upload does not have the size declared')
      : new InputError('PAYLOAD_HASH_MISMATCH', 'the upload does not have the SHA-256 declared');
  }
  return {
    objectKey: upload.objectKey,
    sha256: arrived.sha256,
    size: arrived.size,
    contentType: upload.contentType,
  };
};

/**
 * `POST /v1/requests/{id}/release`: the responder releases the payload of an approved request, inline or from an
 * upload. The exchange checks the SHA-256 and size itself; the share is kept until the purpose's retention ends.
 */
export const releaseShare = (
  deps: RequestDeps,
  input: { principal: Principal; requestId: string; release: Release; call?: IdempotentCall | undefined },
): Promise<Released> => {
  const { release } = input;
  let written: string | undefined;
  const update: StepCommit<FoundRequest, DataRequest, unknown> = updateRequest(deps);
  return requestStep(deps, {
    ...input,
    action: 'share.release',
    result: releasedSchema,
    authorise: (found) => {
      const { terms, by } = workingAs(input.principal, 'responder')(found);
      assertReleasable(found.request, release.dataCategories);
      return { terms, by };
    },
    decide: async ({ request, standing }, { terms, by }, now) => {
      const stored =
        release.kind === 'inline'
          ? await storeInline(deps, request, release, now)
          : await storedUpload(deps, request, release);
      if (release.kind === 'inline') written = stored.objectKey;
      const next = releaseTransition(
        request,
        { ...stored, dataCategories: [...release.dataCategories] as never, releasedBy: by.userId },
        terms,
        now,
      );
      return {
        next,
        facts: requestStepFacts(next, standing),
        events: [shareReleasedEvent(next, now)],
        result: { kind: 'released', request: next },
      };
    },
    commit: async (record, plan, found) => {
      // Bytes no record points to must not stay: best effort here (the failure itself is what is answered). A
      // commit whose answer was lost (a timeout) may have been applied: keep bytes the stored request points to,
      // or that it cannot be read to tell.
      const discard = () =>
        written === undefined ? Promise.resolve() : discardUnreferenced(deps, found.request.id, written);
      try {
        const committed = await update(record, plan, found);
        if (!committed) await discard();
        return committed;
      } catch (error) {
        await discard();
        throw error;
      }
    },
  });
};
