import { sequenceAuditEntries } from '#shared/domain/audit/sequence-entries.ts';
import { merkleLogStore } from '#shared/http/stores.ts';
import { logger } from '#shared/logger.ts';
import { scheduledFunction } from '../scheduled-function.ts';

/** Scheduled: gives recorded audit entries their places in the Merkle log (at most 200 atomic appends a run). */
export const handler = scheduledFunction(
  'SequenceAuditLog',
  (runtime) => ({ log: merkleLogStore(runtime), clock: runtime.clock }),
  async (deps) => {
    const summary = await sequenceAuditEntries(deps, { batchSize: 100, maxBatches: 200 });
    if (summary.appended > 0)
      logger.info('audit entries sequenced', { appended: summary.appended, size: summary.size });
    // Entry ids only (ULIDs, no personal data): the alarm that the audit table was changed outside the exchange.
    if (summary.anomalies.length > 0)
      logger.error('audit pending set broken', {
        alarm: 'AUDIT_PENDING_SET_BROKEN',
        anomalies: summary.anomalies,
      });
    return summary;
  },
);
