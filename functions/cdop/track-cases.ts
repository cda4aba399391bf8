import { trackCases } from '#shared/domain/cdop/track-cases.ts';
import { agreementStore, caseStore, requestStore } from '#shared/http/stores.ts';
import { logger } from '#shared/logger.ts';
import { scheduledFunction } from '../scheduled-function.ts';

/**
 * Scheduled: creates the data requests that CDOP cases asked for, announces reports received and sends reminders
 * of reports due or overdue (shared/domain/cdop/track-cases.ts).
 */
export const handler = scheduledFunction(
  'TrackCdopCases',
  (runtime) => ({
    cases: caseStore(runtime),
    requests: requestStore(runtime),
    agreements: agreementStore(runtime),
    audit: runtime.audit,
    clock: runtime.clock,
  }),
  async (deps) => {
    const summary = await trackCases(deps);
    if (summary.failed > 0) logger.error('cdop cases left for the next run', summary);
    else if (summary.created + summary.changed > 0) logger.info('cdop cases tracked', summary);
    return summary;
  },
);
