import type { FunctionBindings } from '#shared/resources.ts';

/**
 * Every scheduled function of the exchange. The CDK API stack gives each an EventBridge schedule and exactly the
 * listed grants; the local exchange runs the same handler files on a short interval (local/scheduler.ts).
 */
export type ScheduleDefinition = FunctionBindings & {
  /** Stable PascalCase construct id of the function. */
  readonly id: string;
  /** Handler file, relative to functions/. */
  readonly entry: string;
  /** How often it runs in AWS. */
  readonly everyMinutes: number;
  /** How often it runs in the local exchange, where nobody should wait a minute to see its effect. */
  readonly localEverySeconds: number;
  /**
   * Publishes on the exchange's EventBridge bus (infra: `bindEventBus`, events:PutEvents on that bus only; locally
   * `EVENT_PUBLISHER=local`).
   */
  readonly eventBus?: true;
};

export const schedules: readonly ScheduleDefinition[] = [
  {
    id: 'SequenceAuditLog',
    entry: 'audit/sequence-audit-log.ts',
    everyMinutes: 1,
    localEverySeconds: 1,
    // The one function that may update entries (their index) and delete pending markers: the audit table is
    // append-only to every other (shared/resources.ts Access).
    tables: { audit: 'readwrite' },
    buckets: {},
  },
  {
    // Signs a checkpoint when one is due (shared/domain/audit/publish-checkpoint.ts) and publishes it write-once:
    // the bucket (read too, to find an object a crashed run left) and the latest checkpoint in the audit table.
    id: 'PublishAuditCheckpoint',
    entry: 'audit/publish-checkpoint.ts',
    everyMinutes: 1,
    localEverySeconds: 2,
    tables: { audit: 'readappend' },
    buckets: { auditCheckpoints: 'readwrite' },
    exchangeId: true,
    checkpointKey: true,
  },
  {
    // The outbox relay (shared/domain/events/relay-events.ts): reads the unpublished markers appendEvents wrote,
    // publishes their events, deletes each marker once the bus accepted it.
    id: 'RelayEvents',
    entry: 'events/relay-events.ts',
    everyMinutes: 1,
    localEverySeconds: 1,
    tables: { events: 'readwrite' },
    buckets: {},
    eventBus: true,
  },
  {
    // Closes the open requests of revoked agreements, flags overdue requests, expires shares whose retention ended
    // and deletes their bytes (and those of withdrawn and closed requests): shared/domain/requests/sweep-requests.ts
    // sweepRequests. Agreements: their standing, and the revocations work list it empties.
    id: 'SweepRequests',
    entry: 'requests/sweep-requests.ts',
    everyMinutes: 1,
    localEverySeconds: 5,
    tables: { requests: 'readwrite', agreements: 'readwrite', events: 'write', audit: 'append' },
    buckets: { payloads: 'readwrite' },
  },
  {
    // Creates the data requests CDOP cases asked for, announces reports received and sends reminders
    // (shared/domain/cdop/track-cases.ts).
    id: 'TrackCdopCases',
    entry: 'cdop/track-cases.ts',
    everyMinutes: 1,
    localEverySeconds: 2,
    tables: {
      cdopCases: 'readwrite',
      requests: 'readwrite',
      agreements: 'read',
      events: 'write',
      audit: 'append',
    },
    buckets: {},
  },
  {
    // Follows the sequenced audit log into the IG projection (shared/domain/ig/project-ig-answers.ts): reads the
    // leaves, and writes the ig table, the one function that does.
    id: 'ProjectIgAnswers',
    entry: 'ig/project-ig-answers.ts',
    everyMinutes: 1,
    localEverySeconds: 1,
    tables: { audit: 'read', ig: 'readwrite' },
    buckets: {},
  },
  {
    // Follows the sequenced audit log with its own cursor and evaluates the anomaly rules on each leaf
    // (shared/domain/alerts/detect-anomalies.ts): reads the leaves and the registry (thresholds, clients), writes
    // the alerts table, and appends each alert's audit entry and event.
    id: 'DetectAnomalies',
    entry: 'alerts/detect-anomalies.ts',
    everyMinutes: 1,
    localEverySeconds: 1,
    tables: { audit: 'readappend', alerts: 'readwrite', registry: 'read', events: 'write' },
    buckets: {},
  },
];
