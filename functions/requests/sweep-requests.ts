import { sweepRequests } from '#shared/domain/requests/sweep-requests.ts';
import { sweepDependencies } from '#shared/http/requests.ts';
import { logger } from '#shared/logger.ts';
import { scheduledFunction } from '../scheduled-function.ts';

/**
 * Scheduled: closes the open requests of revoked agreements, flags overdue requests, expires shares at the end of
 * their retention and deletes their bytes (and those of withdrawn and closed requests). Each step is audited; audit
 * entries remain after the bytes are gone.
 */
export const handler = scheduledFunction('SweepRequests', sweepDependencies, async (deps) => {
  const report = await sweepRequests(deps);
  if (report.failed > 0) logger.error('requests left for the next sweep', report);
  else if (report.overdue + report.expired + report.purged + report.closed > 0)
    logger.info('requests swept', report);
  return report;
});
