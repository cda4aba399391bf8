import * as z from 'zod';
import type { DataRequest } from '#shared/domain/requests/data-request.ts';

/**
 * The fields every request and share event starts with: which request, and its two parties. Shared by the event
 * modules so that every event names them the same way (a field added here is added to every event's schema).
 */
export const requestPartiesShape = {
  requestId: z.string().min(1),
  requesterOrganisationId: z.string().min(1),
  responderOrganisationId: z.string().min(1),
};

/** Those fields of a request, and who hears of it: its requester and its responder. */
export const requestParties = (request: DataRequest) => ({
  detail: {
    requestId: request.id,
    requesterOrganisationId: request.requester.organisationId,
    responderOrganisationId: request.responderOrganisationId,
  },
  recipients: [request.requester.organisationId, request.responderOrganisationId],
});
