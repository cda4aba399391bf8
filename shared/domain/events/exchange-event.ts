import * as z from 'zod';
import * as alertRaisedV1 from '#events/alert-raised.v1.ts';
import * as caseClosedV1 from '#events/case-closed.v1.ts';
import * as caseOpenedV1 from '#events/case-opened.v1.ts';
import * as deathNotificationForwardedV1 from '#events/death-notification-forwarded.v1.ts';
import * as panelPackReadyV1 from '#events/panel-pack-ready.v1.ts';
import * as reportReceivedV1 from '#events/report-received.v1.ts';
import * as reportReminderV1 from '#events/report-reminder.v1.ts';
import * as reportRequestedV1 from '#events/report-requested.v1.ts';
import * as requestClosedV1 from '#events/request-closed.v1.ts';
import * as requestDecidedV1 from '#events/request-decided.v1.ts';
import * as requestOverdueV1 from '#events/request-overdue.v1.ts';
import * as requestSubmittedV1 from '#events/request-submitted.v1.ts';
import * as requestWithdrawnV1 from '#events/request-withdrawn.v1.ts';
import * as shareExpiredV1 from '#events/share-expired.v1.ts';
import * as shareFetchedV1 from '#events/share-fetched.v1.ts';
import * as shareReleasedV1 from '#events/share-released.v1.ts';
import { ulid } from '../ids.ts';

/**
 * The domain events of the exchange: one versioned module per event under events/ (events/README.md), and here
 * the envelope they travel in, to the outbox, the EventBridge bus and each organisation's feed. A later
 * capability adds its events by adding its modules to `eventModules` and their names to `exchangeEventTypes`.
 */
export const exchangeEventTypes = [
  'RequestSubmitted',
  'RequestDecided',
  'RequestWithdrawn',
  'RequestOverdue',
  'RequestClosed',
  'ShareReleased',
  'ShareFetched',
  'ShareExpired',
  'CaseOpened',
  'ReportRequested',
  'ReportReceived',
  'ReportReminder',
  'PanelPackReady',
  'CaseClosed',
  'DeathNotificationForwarded',
  'AlertRaised',
] as const;
export type ExchangeEventType = (typeof exchangeEventTypes)[number];

type EventModule = {
  readonly detailType: string;
  readonly source: string;
  readonly version: number;
  readonly detailSchema: z.ZodObject;
};

/** The module (detail schema, source, version) of each event type, as it is published now. */
export const eventModules = {
  RequestSubmitted: requestSubmittedV1,
  RequestDecided: requestDecidedV1,
  RequestWithdrawn: requestWithdrawnV1,
  RequestOverdue: requestOverdueV1,
  RequestClosed: requestClosedV1,
  ShareReleased: shareReleasedV1,
  ShareFetched: shareFetchedV1,
  ShareExpired: shareExpiredV1,
  CaseOpened: caseOpenedV1,
  ReportRequested: reportRequestedV1,
  ReportReceived: reportReceivedV1,
  ReportReminder: reportReminderV1,
  PanelPackReady: panelPackReadyV1,
  CaseClosed: caseClosedV1,
  DeathNotificationForwarded: deathNotificationForwardedV1,
  AlertRaised: alertRaisedV1,
} as const satisfies { readonly [T in ExchangeEventType]: EventModule & { readonly detailType: T } };

export type DetailOf<T extends ExchangeEventType> = z.infer<(typeof eventModules)[T]['detailSchema']>;

/** ULIDs: time-ordered, so event ids are also the feed's order and cursor. */
const ulidSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/);

const envelopeOf = <T extends ExchangeEventType>(type: T) =>
  z.object({
    id: ulidSchema,
    type: z.literal(type),
    version: z.literal(1),
    time: z.iso.datetime(),
    /** The organisations that may see the event in their feed; an event never reaches anyone else's feed. */
    recipients: z.array(z.string().min(1)).min(1),
    // A getter, read when the schema first parses: the event modules build their events with newExchangeEvent,
    // so this module and theirs import each other, and whichever loads first must not read the other's exports.
    get detail() {
      return eventModules[type].detailSchema;
    },
  });

type EnvelopeSchemaOf<T extends ExchangeEventType> = ReturnType<typeof envelopeOf<T>>;
export type ExchangeEventOf<T extends ExchangeEventType> = Omit<
  z.infer<EnvelopeSchemaOf<T>>,
  'recipients' | 'detail'
> & { readonly recipients: readonly string[]; readonly detail: DetailOf<T> };
export type ExchangeEvent = { [T in ExchangeEventType]: ExchangeEventOf<T> }[ExchangeEventType];

/**
 * Parses an event read from outside (the outbox table, the feed API): unknown detail fields are dropped, as the
 * versioning convention asks of consumers, and missing ones are refused.
 */
export const exchangeEventSchema = z.discriminatedUnion(
  'type',
  exchangeEventTypes.map((type) => envelopeOf(type)) as unknown as [
    EnvelopeSchemaOf<ExchangeEventType>,
    ...EnvelopeSchemaOf<ExchangeEventType>[],
  ],
) as unknown as z.ZodType<ExchangeEvent>;

/** The EventBridge `source` and `detail-type` an event is published under. */
export const eventRouting = (type: ExchangeEventType): { source: string; detailType: string } => ({
  source: eventModules[type].source,
  detailType: eventModules[type].detailType,
});

/**
 * A new event, stamped with a time-ordered id (ULID) and its time. The detail is checked strictly: a producer
 * that passes a field the schema does not name (a subject reference, a name, free text) fails here instead of
 * publishing it, which keeps personal data out of every event.
 */
export const newExchangeEvent = <T extends ExchangeEventType>(
  type: T,
  detail: DetailOf<T>,
  recipients: readonly string[],
  now: Date,
): ExchangeEventOf<T> => {
  const strictDetail = z.strictObject(eventModules[type].detailSchema.shape);
  const unique = [...new Set(recipients)];
  if (unique.length === 0) throw new TypeError(`a ${type} event needs at least one recipient`);
  // The parse checked the envelope of this very type: it is an ExchangeEventOf<T>.
  return exchangeEventSchema.parse({
    id: ulid(now.getTime()),
    type,
    version: 1,
    time: now.toISOString(),
    recipients: unique,
    detail: strictDetail.parse(detail),
  }) as ExchangeEventOf<T>;
};
