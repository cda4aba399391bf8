import { createHash } from 'node:crypto';
import type { GetCommandInput, QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * The registry table as DynamoDB would answer a mocked document client, from its items by `pk|sk`: GetItem,
 * Query of a partition (with the store's `begins_with(sk, :prefix)`), and the generation item, which changes
 * whenever the items do, as every write through the store makes it change (registry-store.ts).
 */
export const registryTableFake = (items: ReadonlyMap<string, Record<string, unknown>>) => ({
  get: (input: GetCommandInput): { Item?: Record<string, unknown> } => {
    const { pk, sk } = (input.Key ?? {}) as { pk?: string; sk?: string };
    if (pk === 'REGISTRY' && sk === 'GENERATION') {
      const generation = createHash('sha256')
        .update(JSON.stringify([...items.entries()]))
        .digest('hex');
      return { Item: { pk, sk, generation } };
    }
    const item = items.get(`${pk}|${sk}`);
    return item === undefined ? {} : { Item: item };
  },
  query: (input: QueryCommandInput): { Items: Record<string, unknown>[] } => {
    const pk = input.ExpressionAttributeValues?.[':pk'];
    const prefix = input.ExpressionAttributeValues?.[':prefix'];
    return {
      Items: [...items.values()]
        .filter((i) => i.pk === pk && (typeof prefix !== 'string' || String(i.sk).startsWith(prefix)))
        .sort((a, b) => String(a.sk).localeCompare(String(b.sk))),
    };
  },
});
