import type { EventFeed, EventFeedPage } from '../../ports/event-outbox.ts';
import type { Principal } from '../auth/verify-signed-request.ts';

export const maxEventsPerPage = 100;

/**
 * One page of the caller's organisation's feed, oldest first, after a cursor (the last event id it saw). The
 * feed is keyed by organisation, so nothing else is read; the recipients are checked again anyway, so a
 * misfiled item is never served to an organisation the event did not name.
 */
export const listEvents = async (
  deps: { feed: EventFeed },
  input: { principal: Principal; after?: string | undefined; limit: number },
): Promise<EventFeedPage> => {
  const organisationId = input.principal.organisationId;
  const page = await deps.feed.listFeed(organisationId, input.after, input.limit);
  return {
    events: page.events.filter((event) => event.recipients.includes(organisationId)),
    ...(page.next === undefined ? {} : { next: page.next }),
  };
};
