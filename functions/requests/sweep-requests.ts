import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { loadConfig } from '#shared/config.ts';
import { sweepRequests } from '#shared/domain/requests/sweep-requests.ts';
import { requestStoresFromEnvironment } from '#shared/http/requests.ts';
import { inInvocationLogger, logger } from '#shared/logger.ts';
import { systemClock } from '#shared/ports/clock.ts';

const config = loadConfig(['AUDIT_TABLE_NAME']);
const { requests, payloads, agreements } = requestStoresFromEnvironment();
const deps = {
  requests,
  payloads,
  agreements,
  audit: new DynamoAuditLog(createDocumentClient(), config.AUDIT_TABLE_NAME),
  clock: systemClock,
};

/**
 * Scheduled: closes the open requests of revoked agreements, flags overdue requests, expires shares at the end of
 * their retention and deletes their bytes (and those of withdrawn and closed requests). Each step is audited; audit
 * entries remain after the bytes are gone.
 */
export const handler = inInvocationLogger(
  middy()
    .use(injectLambdaContext(logger))
    .handler(async () => {
      const report = await sweepRequests(deps);
      if (report.failed > 0) logger.error('requests left for the next sweep', report);
      else if (report.overdue + report.expired + report.purged + report.closed > 0)
        logger.info('requests swept', report);
      return report;
    }),
);
