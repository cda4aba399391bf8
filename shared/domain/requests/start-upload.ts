import * as z from 'zod';
import type { Audited } from '../audit/audit-entry.ts';
import type { Principal } from '../auth/verify-signed-request.ts';
import { ulid } from '../ids.ts';
import { pendingUploadSchema } from './data-request.ts';
import type { IdempotentCall } from './idempotency.ts';
import { assertSize, sharePolicy, uploadTransition } from './lifecycle.ts';
import type { RequestDeps } from './request-deps.ts';
import { requestStep, requestStepFacts, workingAs } from './request-step.ts';
import { shareKey } from './share-keys.ts';

export type UploadDeclaration = {
  readonly size: number;
  readonly sha256: string;
  readonly contentType: string;
};

/** An upload started: its id, the presigned PUT URL, the content type the bytes go with, and until when. */
export const uploadStartedSchema = z.object({
  kind: z.literal('upload-started'),
  upload: pendingUploadSchema.pick({ uploadId: true, contentType: true, expiresAt: true }).extend({
    url: z.string().min(1),
  }),
});
export type UploadStarted = z.infer<typeof uploadStartedSchema> & Audited;

/**
 * `POST /v1/requests/{id}/uploads`: for a payload too large to travel in a signed body, a presigned PUT URL to a
 * key the exchange chose; the release then names the upload, and the exchange hashes what arrived.
 */
export const startUpload = (
  deps: RequestDeps,
  input: {
    principal: Principal;
    requestId: string;
    declared: UploadDeclaration;
    call?: IdempotentCall | undefined;
  },
): Promise<UploadStarted> =>
  requestStep(deps, {
    ...input,
    action: 'share.upload',
    result: uploadStartedSchema,
    authorise: (found) => {
      workingAs(input.principal, 'responder')(found);
      assertSize(input.declared.size, sharePolicy.maxUploadBytes);
    },
    decide: async ({ request, standing }, _authorised, now) => {
      const upload = {
        uploadId: ulid(now.getTime()),
        objectKey: shareKey(request.id, now),
        ...input.declared,
        expiresAt: new Date(now.getTime() + sharePolicy.uploadSeconds * 1000).toISOString(),
      };
      const next = uploadTransition(request, upload);
      const url = await deps.payloads.presignUpload(
        upload.objectKey,
        input.declared,
        sharePolicy.uploadSeconds,
      );
      return {
        next,
        facts: requestStepFacts(next, standing),
        events: [],
        result: {
          kind: 'upload-started',
          upload: {
            uploadId: upload.uploadId,
            url,
            contentType: upload.contentType,
            expiresAt: upload.expiresAt,
          },
        },
      };
    },
  });
