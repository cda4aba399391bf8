import { DynamoAgreementStore } from '#shared/adapters/dynamodb/agreement-store.ts';
import { DynamoCaseStore } from '#shared/adapters/dynamodb/case-store.ts';
import { DynamoRequestStore } from '#shared/adapters/dynamodb/request-store.ts';
import { trackCases } from '#shared/domain/cdop/track-cases.ts';
import { logger } from '#shared/logger.ts';
import { scheduledFunction } from '../scheduled-function.ts';

/**
 * Scheduled: creates the data requests that CDOP cases asked for, announces reports received and sends reminders
 * of reports due or overdue (shared/domain/cdop/track-cases.ts).
 */
export const handler = scheduledFunction(
  'TrackCdopCases',
  (runtime) => {
    const audit = runtime.table('audit');
    const events = runtime.table('events');
    return {
      cases: new DynamoCaseStore(runtime.doc, { cases: runtime.table('cdopCases'), audit, events }),
      requests: new DynamoRequestStore(runtime.doc, { requests: runtime.table('requests'), audit, events }),
      agreements: new DynamoAgreementStore(runtime.doc, { agreements: runtime.table('agreements'), audit }),
      audit: runtime.audit,
      clock: runtime.clock,
    };
  },
  async (deps) => {
    const summary = await trackCases(deps);
    if (summary.failed > 0) logger.error('cdop cases left for the next run', summary);
    else if (summary.created + summary.changed > 0) logger.info('cdop cases tracked', summary);
    return summary;
  },
);
