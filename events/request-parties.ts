import * as z from 'zod';

/**
 * The fields every request and share event starts with: which request, and its two parties. Shared by the event
 * modules so that every event names them the same way (a field added here is added to every event's schema).
 */
export const requestPartiesShape = {
  requestId: z.string().min(1),
  requesterOrganisationId: z.string().min(1),
  responderOrganisationId: z.string().min(1),
};
