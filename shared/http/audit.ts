import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { z } from 'zod';
import { checkpointOrigin, publishedVerifierKey } from '../adapters/crypto/checkpoint-key.ts';
import { noteVerifierFromKey } from '../adapters/crypto/note-keys.ts';
import { DynamoCheckpointStore } from '../adapters/dynamodb/checkpoint-store.ts';
import { createDocumentClient } from '../adapters/dynamodb/client.ts';
import { DynamoMerkleLogStore } from '../adapters/dynamodb/merkle-log-store.ts';
import { DynamoRegistryReader, DynamoRegistryStore } from '../adapters/dynamodb/registry-store.ts';
import { S3CheckpointArchive } from '../adapters/s3/checkpoint-archive.ts';
import { createS3Client } from '../adapters/s3/client.ts';
import { loadConfig } from '../config.ts';
import type { AuditArchiveReadDeps, AuditReadDeps } from '../domain/audit/audit-proofs.ts';
import type { CosignDeps } from '../domain/audit/cosign-checkpoint.ts';
import type { AuthenticationDeps } from '../domain/auth/authenticate-request.ts';
import { InputError } from '../domain/errors.ts';
import type { WitnessDeps } from '../domain/registry/witnesses.ts';

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

/** The audit reads that also use the write-once checkpoint archive (an earlier checkpoint, evidence). */
export const auditArchiveReadsFromEnvironment = (auth: AuthenticationDeps): AuditArchiveReadDeps => ({
  ...auditReadsFromEnvironment(auth),
  archive: new S3CheckpointArchive(createS3Client(), loadConfig(['AUDIT_BUCKET_NAME']).AUDIT_BUCKET_NAME),
});

/**
 * What cosigning a checkpoint needs: the checkpoint store, the registered witnesses (registry table), and the
 * exchange's own checkpoint verifier key as the publisher published it (the route never holds the signing secret).
 */
export const cosignFromEnvironment = (auth: AuthenticationDeps): CosignDeps => {
  const config = loadConfig(['AUDIT_TABLE_NAME', 'EXCHANGE_ID', 'REGISTRY_TABLE_NAME', 'AUDIT_BUCKET_NAME']);
  const doc = createDocumentClient();
  const verifierKey = publishedVerifierKey(
    new S3CheckpointArchive(createS3Client(), config.AUDIT_BUCKET_NAME),
  );
  return {
    checkpoints: new DynamoCheckpointStore(doc, config.AUDIT_TABLE_NAME),
    witnesses: new DynamoRegistryReader(doc, config.REGISTRY_TABLE_NAME),
    audit: auth.audit,
    clock: auth.clock,
    origin: checkpointOrigin(config.EXCHANGE_ID),
    logVerifier: async () => noteVerifierFromKey(await verifierKey()),
    witnessVerifier: noteVerifierFromKey,
  };
};

/** What registering and listing witnesses need: the registry table, written with its audit entry. */
export const witnessesFromEnvironment = (auth: AuthenticationDeps): WitnessDeps => {
  const config = loadConfig(['AUDIT_TABLE_NAME', 'EXCHANGE_ID', 'REGISTRY_TABLE_NAME']);
  return {
    witnesses: new DynamoRegistryStore(createDocumentClient(), {
      registry: config.REGISTRY_TABLE_NAME,
      audit: config.AUDIT_TABLE_NAME,
    }),
    audit: auth.audit,
    clock: auth.clock,
    logKeyName: config.EXCHANGE_ID,
    witnessVerifier: noteVerifierFromKey,
  };
};

/** The tree size in a path (`{size}`): 400 INVALID_INPUT if it is not a canonical whole number. */
export const sizeParameter = (parameters: Record<string, string | undefined> | undefined): number => {
  const value = parameters?.size;
  if (value === undefined) throw new TypeError('route has no path parameter size');
  const size = Number(value);
  if (!/^(?:0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(size)) {
    throw new InputError('INVALID_INPUT', 'the size in the path is not a tree size');
  }
  return size;
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
