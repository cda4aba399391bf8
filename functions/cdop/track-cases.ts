import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { loadConfig } from '#shared/config.ts';
import { trackCases } from '#shared/domain/cdop/track-cases.ts';
import { caseStoresFromEnvironment } from '#shared/http/cdop.ts';
import { inInvocationLogger, logger } from '#shared/logger.ts';
import { systemClock } from '#shared/ports/clock.ts';

const config = loadConfig(['AUDIT_TABLE_NAME']);
const { cases, requests, agreements } = caseStoresFromEnvironment();
const deps = {
  cases,
  requests,
  agreements,
  audit: new DynamoAuditLog(createDocumentClient(), config.AUDIT_TABLE_NAME),
  clock: systemClock,
};

/**
 * Scheduled: creates the data requests that CDOP cases asked for, announces reports received and sends reminders
 * of reports due or overdue (shared/domain/cdop/track-cases.ts).
 */
export const handler = inInvocationLogger(
  middy()
    .use(injectLambdaContext(logger))
    .handler(async () => {
      const summary = await trackCases(deps);
      if (summary.failed > 0) logger.error('cdop cases left for the next run', summary);
      else if (summary.created + summary.changed > 0) logger.info('cdop cases tracked', summary);
      return summary;
    }),
);
