import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { AuditEntry } from '../../domain/audit/audit-entry.ts';
import { ulid } from '../../domain/ids.ts';
import { type ClientKey, clientKeySchema } from '../../domain/registry/client-key.ts';
import {
  type Client,
  clientSchema,
  type Footprint,
  footprintSchema,
  type Organisation,
  organisationSchema,
  type Registry,
  type User,
  userSchema,
} from '../../domain/registry/registry.ts';
import { type Witness, witnessSchema } from '../../domain/registry/witnesses.ts';
import type {
  CreateOutcome,
  RegistryGeneration,
  RegistryReader,
  RegistrySource,
  RegistryStore,
} from '../../ports/registry-store.ts';
import type { WitnessReader, WitnessRegistry } from '../../ports/witness-registry.ts';
import { appendAudit } from './audit-log.ts';
import { getItem, queryAll, Transaction } from './transaction.ts';

/**
 * Item layout (one table, small and read-mostly, so each entity type is one partition read by one query):
 *   pk ORG        sk <organisationId>
 *   pk FOOTPRINT  sk <footprintId>
 *   pk CLIENT     sk <clientId>
 *   pk USER       sk <userId>
 *   pk KEY        sk <clientId>#<kid>
 *   pk KID        sk <kid>              owner of a key id, so a key id can belong to one client only
 *   pk WITNESS    sk <name>             a registered witness of the audit log (its note key name)
 *   pk REGISTRY   sk GENERATION         { generation }: a new ULID with every write, in the write's transaction
 */
const partitions = {
  organisation: 'ORG',
  footprint: 'FOOTPRINT',
  client: 'CLIENT',
  user: 'USER',
  key: 'KEY',
  kid: 'KID',
  witness: 'WITNESS',
  generation: 'REGISTRY',
} as const;

const generationKey = { pk: partitions.generation, sk: 'GENERATION' } as const;
const generationSchema = z.object({ generation: z.string().min(1) });

const keySk = (clientId: string, kid: string) => `${clientId}#${kid}`;

export type RegistryTables = { readonly registry: string; readonly audit: string };

/** Reads only: a function bound to the registry table for reading needs nothing else. */
export class DynamoRegistryReader implements RegistryReader, RegistrySource, WitnessReader {
  constructor(
    protected readonly doc: DynamoDBDocumentClient,
    protected readonly registryTable: string,
  ) {}

  async loadRegistry(): Promise<Registry> {
    const [organisations, footprints, clients, users] = await Promise.all([
      this.#readPartition(partitions.organisation, organisationSchema),
      this.#readPartition(partitions.footprint, footprintSchema),
      this.#readPartition(partitions.client, clientSchema),
      this.#readPartition(partitions.user, userSchema),
    ]);
    return { organisations, footprints, clients, users };
  }

  listClientKeys(): Promise<ClientKey[]> {
    return this.#readPartition(partitions.key, clientKeySchema);
  }

  getClientKeys(clientId: string): Promise<ClientKey[]> {
    return this.#readPartition(partitions.key, clientKeySchema, `${clientId}#`);
  }

  getClient(clientId: string): Promise<Client | undefined> {
    return this.#get(partitions.client, clientId, clientSchema);
  }

  getClientKey(clientId: string, kid: string): Promise<ClientKey | undefined> {
    return this.#get(partitions.key, keySk(clientId, kid), clientKeySchema);
  }

  async findKeyOwner(kid: string): Promise<string | undefined> {
    const owner = await this.#get(partitions.kid, kid, clientKeySchema.pick({ clientId: true }));
    return owner?.clientId;
  }

  getUser(userId: string): Promise<User | undefined> {
    return this.#get(partitions.user, userId, userSchema);
  }

  getOrganisation(organisationId: string): Promise<Organisation | undefined> {
    return this.#get(partitions.organisation, organisationId, organisationSchema);
  }

  /** One item, strongly consistent: what a cached copy reads on every use (cached-registry-reader.ts). */
  async readGeneration(): Promise<RegistryGeneration> {
    return (await this.#get(generationKey.pk, generationKey.sk, generationSchema))?.generation;
  }

  getWitness(name: string): Promise<Witness | undefined> {
    return this.#get(partitions.witness, name, witnessSchema);
  }

  listWitnesses(): Promise<Witness[]> {
    return this.#readPartition(partitions.witness, witnessSchema);
  }

  /** Reads one item, strongly consistent (a revoked key must stop working on the next request). */
  async #get<S extends z.ZodType>(pk: string, sk: string, schema: S): Promise<z.infer<S> | undefined> {
    return getItem(this.doc, this.registryTable, { pk, sk }, schema);
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

export class DynamoRegistryStore extends DynamoRegistryReader implements RegistryStore, WitnessRegistry {
  readonly #auditTable: string;

  constructor(doc: DynamoDBDocumentClient, tables: RegistryTables) {
    super(doc, tables.registry);
    this.#auditTable = tables.audit;
  }

  createOrganisation(organisation: Organisation, audit: AuditEntry): Promise<CreateOutcome> {
    return this.#create([[partitions.organisation, organisation.id, organisation]], audit);
  }

  createFootprint(footprint: Footprint, audit: AuditEntry): Promise<CreateOutcome> {
    return this.#create([[partitions.footprint, footprint.id, footprint]], audit);
  }

  createClient(client: Client, audit: AuditEntry): Promise<CreateOutcome> {
    return this.#create([[partitions.client, client.id, client]], audit);
  }

  createUser(user: User, audit: AuditEntry): Promise<CreateOutcome> {
    return this.#create([[partitions.user, user.id, user]], audit);
  }

  addClientKey(key: ClientKey, audit: AuditEntry): Promise<CreateOutcome> {
    return this.#create(
      [
        [partitions.key, keySk(key.clientId, key.kid), key],
        [partitions.kid, key.kid, { clientId: key.clientId }],
      ],
      audit,
    );
  }

  createWitness(witness: Witness, audit: AuditEntry): Promise<CreateOutcome> {
    return this.#create([[partitions.witness, witness.name, witness]], audit);
  }

  replaceClientKey(
    expected: ClientKey,
    next: ClientKey,
    audit: AuditEntry,
    stillActive?: ClientKey,
  ): Promise<boolean> {
    return this.#write(audit, (tx) => {
      tx.replace(
        this.registryTable,
        { ...next, pk: partitions.key, sk: keySk(next.clientId, next.kid) },
        { attribute: 'status', equals: expected.status },
      );
      if (stillActive !== undefined) {
        tx.conditionCheck(
          this.registryTable,
          { pk: partitions.key, sk: keySk(stillActive.clientId, stillActive.kid) },
          { attribute: 'status', equals: 'active' },
        );
      }
    });
  }

  async #create(
    records: [pk: string, sk: string, record: object][],
    audit: AuditEntry,
  ): Promise<CreateOutcome> {
    const created = await this.#write(audit, (tx) => {
      for (const [pk, sk, record] of records)
        tx.put(this.registryTable, { ...record, pk, sk }, { ifAbsent: true });
    });
    return { created };
  }

  /**
   * The one way this store writes: the change, its audit entry and a new registry generation in one transaction,
   * so no change reaches the table without telling every cached copy to read it again (cached-registry-reader.ts),
   * and a change whose condition fails writes no generation either. The generation is a fresh ULID put without a
   * condition, so a write needs no read first. Two registry writes at the same moment touch the same item: in AWS
   * one may be cancelled as a transaction conflict (503, safe to retry); registry writes are rare.
   */
  async #write(audit: AuditEntry, change: (tx: Transaction) => void): Promise<boolean> {
    const tx = new Transaction();
    change(tx);
    tx.put(this.registryTable, { ...generationKey, generation: ulid() });
    appendAudit(tx, this.#auditTable, audit);
    return (await tx.commit(this.doc)) === 'committed';
  }
}
