import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import type { AuditEntry } from '../../domain/audit/audit-entry.ts';
import { type ClientKey, clientKeySchema } from '../../domain/registry/client-key.ts';
import {
  type Client,
  clientSchema,
  type Footprint,
  footprintSchema,
  type Organisation,
  organisationSchema,
  type Registry,
} from '../../domain/registry/registry.ts';
import type { CreateOutcome, RegistryReader, RegistryStore } from '../../ports/registry-store.ts';
import { appendAudit } from './audit-log.ts';
import { queryAll, Transaction } from './transaction.ts';

/**
 * Item layout (one table, small and read-mostly, so each entity type is one partition read by one query):
 *   pk ORG        sk <organisationId>
 *   pk FOOTPRINT  sk <footprintId>
 *   pk CLIENT     sk <clientId>
 *   pk KEY        sk <clientId>#<kid>
 */
const partitions = { organisation: 'ORG', footprint: 'FOOTPRINT', client: 'CLIENT', key: 'KEY' } as const;

export type RegistryTables = { readonly registry: string; readonly audit: string };

/** Reads only: a function bound to the registry table for reading needs nothing else. */
export class DynamoRegistryReader implements RegistryReader {
  constructor(
    protected readonly doc: DynamoDBDocumentClient,
    protected readonly registryTable: string,
  ) {}

  async loadRegistry(): Promise<Registry> {
    const [organisations, footprints, clients] = await Promise.all([
      this.#readPartition(partitions.organisation, organisationSchema),
      this.#readPartition(partitions.footprint, footprintSchema),
      this.#readPartition(partitions.client, clientSchema),
    ]);
    return { organisations, footprints, clients };
  }

  listClientKeys(): Promise<ClientKey[]> {
    return this.#readPartition(partitions.key, clientKeySchema);
  }

  getClientKeys(clientId: string): Promise<ClientKey[]> {
    return this.#readPartition(partitions.key, clientKeySchema, `${clientId}#`);
  }

  /** Reads a partition and parses every item at the trust boundary: a malformed item fails loudly. */
  async #readPartition<S extends z.ZodType>(pk: string, schema: S, skPrefix?: string): Promise<z.infer<S>[]> {
    const items = await queryAll(this.doc, {
      TableName: this.registryTable,
      KeyConditionExpression: skPrefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: skPrefix === undefined ? { ':pk': pk } : { ':pk': pk, ':prefix': skPrefix },
      ConsistentRead: true,
    });
    return items.map((item) => schema.parse(item));
  }
}

export class DynamoRegistryStore extends DynamoRegistryReader implements RegistryStore {
  readonly #auditTable: string;

  constructor(doc: DynamoDBDocumentClient, tables: RegistryTables) {
    super(doc, tables.registry);
    this.#auditTable = tables.audit;
  }

  createOrganisation(organisation: Organisation, audit: AuditEntry): Promise<CreateOutcome> {
    return this.#create(partitions.organisation, organisation.id, organisation, audit);
  }

  createFootprint(footprint: Footprint, audit: AuditEntry): Promise<CreateOutcome> {
    return this.#create(partitions.footprint, footprint.id, footprint, audit);
  }

  createClient(client: Client, audit: AuditEntry): Promise<CreateOutcome> {
    return this.#create(partitions.client, client.id, client, audit);
  }

  addClientKey(key: ClientKey, audit: AuditEntry): Promise<CreateOutcome> {
    return this.#create(partitions.key, `${key.clientId}#${key.kid}`, key, audit);
  }

  async #create(pk: string, sk: string, record: object, audit: AuditEntry): Promise<CreateOutcome> {
    const tx = new Transaction().put(this.registryTable, { ...record, pk, sk }, { ifAbsent: true });
    appendAudit(tx, this.#auditTable, audit);
    return { created: (await tx.commit(this.doc)) === 'committed' };
  }
}
