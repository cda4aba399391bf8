import { detectAnomaliesInLog } from '#shared/domain/alerts/detect-anomalies.ts';
import { alertDetectionStore, merkleLogStore, registryTable } from '#shared/http/stores.ts';
import { logger } from '#shared/logger.ts';
import { scheduledFunction } from '../scheduled-function.ts';

/** Scheduled: evaluates the anomaly rules on newly sequenced audit leaves (at most 100 batches or 40 s a run). */
export const handler = scheduledFunction(
  'DetectAnomalies',
  (runtime) => ({
    alerts: alertDetectionStore(runtime),
    log: merkleLogStore(runtime),
    registry: registryTable(runtime),
    clock: runtime.clock,
  }),
  async (deps) => {
    const summary = await detectAnomaliesInLog(deps, { maxBatches: 100, maxMillis: 40_000 });
    if (summary.projected > 0) {
      logger.info('audit leaves checked for anomalies', {
        checked: summary.projected,
        raised: summary.raised,
        next: summary.next,
      });
    }
    return summary;
  },
);
