import * as z from 'zod';
import { newExchangeEvent } from '#shared/domain/events/exchange-event.ts';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';
import { requestParties, requestPartiesShape } from './request-parties.ts';

/** A requester submitted a data request to a responder under an agreement; the responder's clock starts. */
export const detailType = 'RequestSubmitted' as const;
export const source = 'pbx.requests' as const;
export const version = 1 as const;

export const detailSchema = z.object({
  ...requestPartiesShape,
  agreementId: z.string().min(1),
  agreementVersion: z.number().int().positive(),
  purpose: z.string().min(1),
  dataCategories: z.array(z.string().min(1)).min(1),
  urgency: z.enum(['immediate', 'urgent', 'routine']),
  dueAt: z.iso.datetime(),
});
export type RequestSubmittedV1 = z.infer<typeof detailSchema>;

/** The event of a request just created (its submission, or the case tracker's creation of one a case asked for). */
export const requestSubmittedEvent = (request: DataRequest, now: Date) => {
  const { detail, recipients } = requestParties(request);
  return newExchangeEvent(
    detailType,
    {
      ...detail,
      agreementId: request.agreement.id,
      agreementVersion: request.agreement.version,
      purpose: request.purpose,
      dataCategories: [...request.dataCategories],
      urgency: request.urgency,
      dueAt: request.dueAt,
    },
    recipients,
    now,
  );
};
