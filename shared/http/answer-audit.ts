import { DynamoAuditLog } from '../adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '../adapters/dynamodb/client.ts';
import { loadConfig } from '../config.ts';
import { systemClock } from '../ports/clock.ts';
import type { AnswerAuditDeps } from './route.ts';

/**
 * What a public route needs to audit its answers (`publicRoute`), built once per cold start from the audit table
 * that its `audit: 'write'` binding names (functions/routes.ts). Signed routes audit with their authentication deps.
 */
export const answerAuditFromEnvironment = (): AnswerAuditDeps => {
  const config = loadConfig(['AUDIT_TABLE_NAME']);
  return { audit: new DynamoAuditLog(createDocumentClient(), config.AUDIT_TABLE_NAME), clock: systemClock };
};
