import { DynamoAgreementStore } from '../adapters/dynamodb/agreement-store.ts';
import { DynamoAlertStore } from '../adapters/dynamodb/alert-store.ts';
import { DynamoCaseStore } from '../adapters/dynamodb/case-store.ts';
import { DynamoCheckpointStore } from '../adapters/dynamodb/checkpoint-store.ts';
import { DynamoEventOutbox } from '../adapters/dynamodb/event-outbox.ts';
import { DynamoIgStore } from '../adapters/dynamodb/ig-store.ts';
import { DynamoMerkleLogStore } from '../adapters/dynamodb/merkle-log-store.ts';
import { DynamoRegistryReader, DynamoRegistryStore } from '../adapters/dynamodb/registry-store.ts';
import { DynamoRequestStore } from '../adapters/dynamodb/request-store.ts';
import { DynamoRestrictionStore } from '../adapters/dynamodb/restriction-store.ts';
import { S3CheckpointArchive } from '../adapters/s3/checkpoint-archive.ts';
import { S3PayloadStore } from '../adapters/s3/payload-store.ts';
import type { Runtime } from './runtime.ts';

/**
 * Each store built once, one way, on the function's runtime: its table, and the audit and events tables its writes
 * commit to. The dependency builders of the operations and schedules combine these.
 */

/** Agreements and their versions, written with their audit entries. */
export const agreementStore = (runtime: Runtime) =>
  new DynamoAgreementStore(runtime.doc, {
    agreements: runtime.table('agreements'),
    audit: runtime.table('audit'),
  });

/** Data requests, each step committed with its audit entry and events. */
export const requestStore = (runtime: Runtime) =>
  new DynamoRequestStore(runtime.doc, {
    requests: runtime.table('requests'),
    audit: runtime.table('audit'),
    events: runtime.table('events'),
  });

/** CDOP cases, each step committed with its audit entry and events. */
export const caseStore = (runtime: Runtime) =>
  new DynamoCaseStore(runtime.doc, {
    cases: runtime.table('cdopCases'),
    audit: runtime.table('audit'),
    events: runtime.table('events'),
  });

/** Share payloads. */
export const payloadStore = (runtime: Runtime) => new S3PayloadStore(runtime.s3, runtime.bucket('payloads'));

/** The registry, written with its audit entries (keys, witnesses). */
export const registryStore = (runtime: Runtime) =>
  new DynamoRegistryStore(runtime.doc, {
    registry: runtime.table('registry'),
    audit: runtime.table('audit'),
  });

/** The registry read whole from the table each time, for rare reads that need no warm copy (`runtime.registry`). */
export const registryTable = (runtime: Runtime) =>
  new DynamoRegistryReader(runtime.doc, runtime.table('registry'));

/** The Merkle log of the audit table: its leaves, nodes and head. */
export const merkleLogStore = (runtime: Runtime) =>
  new DynamoMerkleLogStore(runtime.doc, runtime.table('audit'));

/** The latest signed checkpoint and its cosignatures, in the audit table. */
export const checkpointStore = (runtime: Runtime) =>
  new DynamoCheckpointStore(runtime.doc, runtime.table('audit'));

/** The write-once archive of checkpoints and the published verifier key. */
export const checkpointArchive = (runtime: Runtime) =>
  new S3CheckpointArchive(runtime.s3, runtime.bucket('auditCheckpoints'));

/** Each organisation's event feed and the relay's markers. */
export const eventOutbox = (runtime: Runtime) => new DynamoEventOutbox(runtime.doc, runtime.table('events'));

/** The IG projection of the audit log (written only by the projector). */
export const igStore = (runtime: Runtime) => new DynamoIgStore(runtime.doc, runtime.table('ig'));

/** The restrictions of entries from subject access reports, each change committed with its audit entry. */
export const restrictionStore = (runtime: Runtime) =>
  new DynamoRestrictionStore(runtime.doc, {
    restrictions: runtime.table('igRestrictions'),
    audit: runtime.table('audit'),
  });

/** Anomaly alerts, each acknowledgement or closure committed with its audit entry. */
export const alertStore = (runtime: Runtime) =>
  new DynamoAlertStore(runtime.doc, { alerts: runtime.table('alerts'), audit: runtime.table('audit') });

/** The detector's state and the alerts it raises, each committed with its audit entry and event. */
export const alertDetectionStore = (runtime: Runtime) =>
  new DynamoAlertStore(runtime.doc, {
    alerts: runtime.table('alerts'),
    audit: runtime.table('audit'),
    events: runtime.table('events'),
  });
