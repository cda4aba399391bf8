import type { IndexedEntry } from '../audit/search.ts';
import type { AlertDraft } from './alert.ts';
import type { RuleState } from './rule-state.ts';
import { type AlertRule, alertRules, type RuleContext } from './rules.ts';

/** Every state key the rules need for a batch of entries, once each. */
export const stateKeysOf = (
  leaves: readonly IndexedEntry[],
  context: RuleContext,
  rules: readonly AlertRule[] = alertRules,
): string[] => [...new Set(leaves.flatMap((leaf) => rules.flatMap((rule) => rule.keysOf(leaf, context))))];

export type DetectedBatch = {
  /** How many of the entries given were folded: a prefix, the rest would have exceeded the budget. */
  readonly folded: number;
  /** The state items to write, by key: each the latest of the batch. */
  readonly changes: ReadonlyMap<string, RuleState>;
  readonly alerts: readonly AlertDraft[];
};

/**
 * Folds a batch of sequenced entries, in leaf order, through every rule: pure, so the detector (detect-anomalies.ts)
 * loads the state the batch needs, folds, and writes the result with its cursor's move in one transaction. A batch
 * stops before the entry whose writes would exceed `maxItems` (`itemsOfAlert` says what an alert writes beside its
 * state), so it always fits one transaction; an entry that alone exceeds it is a programmer error.
 */
export const detectAnomalies = (
  stored: ReadonlyMap<string, RuleState>,
  leaves: readonly IndexedEntry[],
  context: RuleContext,
  budget: { readonly maxItems: number; readonly itemsOfAlert: (alert: AlertDraft) => number },
  rules: readonly AlertRule[] = alertRules,
): DetectedBatch => {
  const changes = new Map<string, RuleState>();
  const alerts: AlertDraft[] = [];
  let items = 0;
  let folded = 0;
  for (const leaf of leaves) {
    const entryChanges = new Map<string, RuleState>();
    const entryAlerts: AlertDraft[] = [];
    const view = (key: string) => entryChanges.get(key) ?? changes.get(key) ?? stored.get(key);
    for (const rule of rules) {
      const outcome = rule.evaluate(leaf, view, context);
      for (const change of outcome.changes) entryChanges.set(change.key, change);
      entryAlerts.push(...outcome.alerts);
    }
    const added =
      [...entryChanges.keys()].filter((key) => !changes.has(key)).length +
      entryAlerts.reduce((sum, alert) => sum + budget.itemsOfAlert(alert), 0);
    if (items + added > budget.maxItems) {
      if (folded === 0) throw new Error('one audit entry raises more alerts than a batch holds');
      break;
    }
    for (const [key, change] of entryChanges) changes.set(key, change);
    alerts.push(...entryAlerts);
    items += added;
    folded += 1;
  }
  return { folded, changes, alerts };
};
