import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { listLocalTables, localTablePrefix } from '#local/provision.ts';
import { type TableName, tables } from '#shared/resources.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { localDynamoClient } from '../support/local-exchange-clients.ts';

// What the integration files rely on when they share one DynamoDB Local: each exchange on tables of its own, and
// stopping one leaves the others' tables and the server as they were. (Two exchanges in one process share its
// environment and handler modules, so this file looks at their tables, not at what they serve.)

const running: RunningExchange[] = [];
const start = async () => {
  const exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb() });
  running.push(exchange);
  return exchange;
};

afterAll(async () => {
  for (const exchange of running) await exchange.stop();
});

const tablesOf = async (exchange: RunningExchange) => {
  const dynamo = localDynamoClient(exchange);
  try {
    return (await listLocalTables(dynamo)).filter((name) => name.startsWith(exchange.tablePrefix)).sort();
  } finally {
    dynamo.destroy();
  }
};

describe('exchanges on a shared DynamoDB Local', () => {
  it('each get every table of their own, under a prefix no other uses, and name them to their handlers', async () => {
    const [first, second] = [await start(), await start()];
    if (first === undefined || second === undefined) throw new Error('not started');
    expect(first.dynamoEndpoint).toBe(second.dynamoEndpoint);
    expect(first.tablePrefix).not.toBe(second.tablePrefix);
    expect(first.tablePrefix).not.toBe(localTablePrefix);
    const names = (Object.keys(tables) as TableName[]).sort();
    expect(await tablesOf(first)).toEqual(names.map((n) => first.tableName(n)).sort());
    expect(await tablesOf(second)).toEqual(names.map((n) => second.tableName(n)).sort());
    for (const exchange of [first, second]) {
      for (const name of names) expect(exchange.env[tables[name].envVar]).toBe(exchange.tableName(name));
    }
  });

  it('delete only their own tables on stop, and leave the server running', async () => {
    const [leaving, staying] = [await start(), await start()];
    if (leaving === undefined || staying === undefined) throw new Error('not started');
    await leaving.stop();
    expect(await tablesOf(leaving)).toEqual([]);
    expect(await tablesOf(staying)).toHaveLength(Object.keys(tables).length);
    // Still running: signal 0 only checks that the process exists.
    expect(process.kill(staying.dynamoPid, 0)).toBe(true);
  });

  it('keep no data: a data folder with a shared DynamoDB Local is refused', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pbx-shared-'));
    try {
      await expect(startExchange({ dataDir, dynamoDb: sharedDynamoDb() })).rejects.toBeInstanceOf(TypeError);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
