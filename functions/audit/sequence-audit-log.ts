import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { loadConfig } from '#shared/config.ts';
import { sequenceAuditEntries } from '#shared/domain/audit/sequence-entries.ts';
import { inInvocationLogger, logger } from '#shared/logger.ts';
import { systemClock } from '#shared/ports/clock.ts';

const config = loadConfig(['AUDIT_TABLE_NAME']);
const deps = {
  log: new DynamoMerkleLogStore(createDocumentClient(), config.AUDIT_TABLE_NAME),
  clock: systemClock,
};

/** Scheduled: gives recorded audit entries their places in the Merkle log (at most 200 atomic appends a run). */
export const handler = inInvocationLogger(
  middy()
    .use(injectLambdaContext(logger))
    .handler(async () => {
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
    }),
);
