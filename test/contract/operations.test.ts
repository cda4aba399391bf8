import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { type ScheduleDefinition, schedules } from '#functions/schedules.ts';
import { type Operation, operationList, routeKey } from '#shared/http/operations.ts';
import {
  buckets,
  checkpointKeySecretEnvVar,
  exchangeIdEnvVar,
  type FunctionBindings,
  tables,
} from '#shared/resources.ts';

/**
 * The operation contract (shared/http/operations.ts): every operation has its answer schema and a handler, and each
 * function, started with exactly the configuration its bindings give it (what infra sets, infra/constructs/
 * app-function.ts), builds its dependencies on exactly the resources it declares: none it is not granted (that
 * would fail at cold start), none it is granted and never uses (that would be more privilege than it needs).
 */

const functionsDir = new URL('../../functions/', import.meta.url);

/** The environment infra gives a function with these bindings (bindTable, bindBucket, bindExchangeId...). */
const environmentOf = (bindings: FunctionBindings): Record<string, string> => ({
  AWS_REGION: 'eu-west-2',
  ...Object.fromEntries(
    Object.keys(bindings.tables).map((name) => [tables[name as keyof typeof tables].envVar, `t-${name}`]),
  ),
  ...Object.fromEntries(
    Object.keys(bindings.buckets).map((name) => [buckets[name as keyof typeof buckets].envVar, `b-${name}`]),
  ),
  ...(bindings.exchangeId ? { [exchangeIdEnvVar]: 'pbx-contract' } : {}),
  ...(bindings.checkpointKey ? { [checkpointKeySecretEnvVar]: 'contract-test-secret' } : {}),
  EVENT_PUBLISHER: 'local',
});

/** What a function may touch, as names. `probe` needs no data, but a function that probes uses the resource too. */
const declaredOf = (bindings: FunctionBindings): string[] =>
  [...Object.keys(bindings.tables), ...Object.keys(bindings.buckets)].sort();

const saved = { ...process.env };
beforeEach(() => {
  vi.resetModules();
  for (const key of Object.keys(process.env)) {
    if (/_TABLE_NAME$|_BUCKET_NAME$|^EXCHANGE_ID$|^CHECKPOINT_KEY_SECRET/.test(key)) delete process.env[key];
  }
});
afterEach(() => {
  process.env = { ...saved };
});

/** Starts a function's module as Lambda would (a cold start) with only its own configuration. */
const coldStart = async (definition: FunctionBindings & { readonly entry: string }) => {
  Object.assign(process.env, environmentOf(definition));
  const module = (await import(new URL(definition.entry, functionsDir).href)) as {
    handler: { resourcesUsed: ReadonlySet<string> };
  };
  return module.handler;
};

describe('every operation', () => {
  it('has a unique id and route, an answer schema and a handler file', () => {
    expect(new Set(operationList.map((o) => o.id)).size).toBe(operationList.length);
    expect(new Set(operationList.map(routeKey)).size).toBe(operationList.length);
    for (const operation of operationList) {
      expect(operation.answer, operation.id).toBeInstanceOf(z.ZodType);
      expect(existsSync(new URL(operation.entry, functionsDir)), operation.entry).toBe(true);
    }
  });

  it.each(operationList.map((o) => [o.id, o] as const))(
    '%s starts with exactly its configuration and uses exactly the resources it declares',
    async (_id, operation: Operation) => {
      const handler = await coldStart(operation);
      expect([...handler.resourcesUsed].sort()).toEqual(declaredOf(operation));
    },
  );
});

describe('every scheduled function', () => {
  it.each(schedules.map((s) => [s.id, s] as const))(
    '%s starts with exactly its configuration and uses exactly the resources it declares',
    async (_id, schedule: ScheduleDefinition) => {
      const handler = await coldStart(schedule);
      expect([...handler.resourcesUsed].sort()).toEqual(declaredOf(schedule));
    },
  );
});

describe('the contract test itself', () => {
  it('fails a function that asks for a resource it does not declare', async () => {
    const { createRuntime } = await import('#shared/http/runtime.ts');
    const runtime = createRuntime('Undeclared', { tables: { audit: 'append' }, buckets: {} });
    expect(() => runtime.table('requests')).toThrow(/does not declare the requests table/);
    expect(() => runtime.bucket('payloads')).toThrow(/does not declare the payloads bucket/);
    expect(() => runtime.exchangeId()).toThrow(/does not declare the exchange id/);
  });
});
