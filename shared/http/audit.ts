import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { checkpointOrigin } from '../adapters/crypto/checkpoint-key.ts';
import { DynamoCheckpointStore } from '../adapters/dynamodb/checkpoint-store.ts';
import { createDocumentClient } from '../adapters/dynamodb/client.ts';
import { DynamoMerkleLogStore } from '../adapters/dynamodb/merkle-log-store.ts';
import { loadConfig } from '../config.ts';
import type { AuditReadDeps } from '../domain/audit/audit-proofs.ts';
import type { AuthenticationDeps } from '../domain/auth/authenticate-request.ts';
import { InputError } from '../domain/errors.ts';

/**
 * What the /v1/audit routes need beside authentication: the Merkle log and its checkpoints in the audit table
 * (which every signed route may already write, for refusals), and the log's origin.
 */
export const auditReadsFromEnvironment = (auth: AuthenticationDeps): AuditReadDeps => {
  const config = loadConfig(['AUDIT_TABLE_NAME', 'EXCHANGE_ID']);
  const doc = createDocumentClient();
  return {
    log: new DynamoMerkleLogStore(doc, config.AUDIT_TABLE_NAME),
    checkpoints: new DynamoCheckpointStore(doc, config.AUDIT_TABLE_NAME),
    audit: auth.audit,
    clock: auth.clock,
    origin: checkpointOrigin(config.EXCHANGE_ID),
  };
};

/** Parses the query string against the route's schema (shared/http/api-contract.ts): 400 INVALID_INPUT if not. */
export const parseQuery = <S extends z.ZodType>(event: APIGatewayProxyEventV2, schema: S): z.infer<S> => {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) {
    throw new InputError(
      'INVALID_INPUT',
      'the query does not have the required form',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`),
    );
  }
  return parsed.data;
};
