import { alertRaisedEvent } from '#events/alert-raised.v1.ts';
import type { AlertDetectionStore, RaisedAlert } from '../../ports/alert-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { MerkleLogStore } from '../../ports/merkle-log-store.ts';
import type { RegistryReader } from '../../ports/registry-store.ts';
import { newAuditEntry, systemActor } from '../audit/audit-entry.ts';
import { type FollowSummary, followAuditLog } from '../audit/follow-log.ts';
import { ulid } from '../ids.ts';
import type { Registry } from '../registry/registry.ts';
import type { Alert, AlertDraft } from './alert.ts';
import { detectAnomalies, stateKeysOf } from './detect.ts';
import type { RuleContext } from './rules.ts';
import { thresholdsOf } from './thresholds.ts';

export type DetectAnomaliesDeps = {
  readonly alerts: AlertDetectionStore;
  readonly log: Pick<MerkleLogStore, 'readLeaves'>;
  readonly registry: Pick<RegistryReader, 'loadRegistry'>;
  readonly clock: Clock;
};

/** The registry's answers the rules need: each organisation's thresholds and each client's organisation. */
export const ruleContextOf = (registry: Registry): RuleContext => {
  const settings = new Map(registry.organisations.map((o) => [o.id, o.alertThresholds]));
  const owners = new Map(registry.clients.map((c) => [c.id, c.organisationId]));
  return {
    thresholdsOf: (organisationId) => thresholdsOf(settings.get(organisationId)),
    organisationOfClient: (clientId) => owners.get(clientId),
  };
};

/** An alert as raised, with the system's audit entry recording it and the event for its organisations' feeds. */
const raiseAlert = (draft: AlertDraft, now: Date): RaisedAlert => {
  const alert: Alert = {
    ...draft,
    id: `alt-${ulid(now.getTime())}`,
    status: 'open',
    raisedAt: now.toISOString(),
    actions: [],
  };
  const audit = newAuditEntry(
    {
      actor: systemActor,
      action: 'alert.raise',
      target: { type: 'alert', id: alert.id },
      outcome: 'allowed',
      reasonCodes: [alert.rule],
      parties: alert.organisations,
    },
    now,
  );
  return { alert, audit, event: alertRaisedEvent(alert, now) };
};

/**
 * `DetectAnomalies`: follows the sequenced audit log with a cursor of its own (follow-log.ts, as the IG projector
 * does) and evaluates every anomaly rule on each leaf once. Each batch loads the rules' state for its leaves, folds
 * them (detect.ts, pure), and commits the state changed, each alert raised with its audit entry and event, and the
 * cursor's move in one transaction conditional on the cursor: a crash leaves the cursor, and the batch is judged
 * again from the same state; a racing run fails its condition. The detector's own `alert.raise` entries fire no
 * rule.
 */
export const detectAnomaliesInLog = async (
  deps: DetectAnomaliesDeps,
  options: { readonly maxBatches: number; readonly maxMillis: number },
): Promise<FollowSummary & { readonly raised: number }> => {
  const context = ruleContextOf(await deps.registry.loadRegistry());
  let raised = 0;
  const summary = await followAuditLog(
    { cursor: deps.alerts, log: deps.log, clock: deps.clock },
    options,
    async (leaves, next, now) => {
      const stored = await deps.alerts.readState(stateKeysOf(leaves, context));
      const batch = detectAnomalies(new Map(stored.map((s) => [s.key, s])), leaves, context, {
        maxItems: deps.alerts.maxItemsPerBatch,
        itemsOfAlert: (alert) => deps.alerts.itemsOfAlert(alert),
      });
      const at = new Date(now);
      const committed = await deps.alerts.commitBatch({
        expectedNext: next,
        cursor: { next: next + batch.folded, updatedAt: now },
        changes: [...batch.changes.values()],
        raised: batch.alerts.map((draft) => raiseAlert(draft, at)),
      });
      if (!committed) return 'overtaken';
      raised += batch.alerts.length;
      return { folded: batch.folded };
    },
  );
  return { ...summary, raised };
};
