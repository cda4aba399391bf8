import { describe, expect, it } from 'vitest';
import { checkHealth } from '#shared/domain/health/check-health.ts';
import type { HealthProbe } from '#shared/ports/health-probe.ts';

const up = (name: string): HealthProbe => ({ name, check: async () => undefined });
const failing = (name: string): HealthProbe => ({
  name,
  check: async () => {
    throw new Error('refused');
  },
});
/** A dependency that never answers and ignores the abort signal. */
const hanging = (name: string): HealthProbe => ({ name, check: () => new Promise(() => undefined) });

describe('checkHealth', () => {
  it('is ok only when every dependency is up', async () => {
    expect(await checkHealth({ probes: [up('dynamodb'), up('s3')] }, { timeoutMs: 50 })).toEqual({
      status: 'ok',
      checks: { dynamodb: 'up', s3: 'up' },
    });
    expect(await checkHealth({ probes: [up('dynamodb'), failing('s3')] }, { timeoutMs: 50 })).toEqual({
      status: 'unavailable',
      checks: { dynamodb: 'up', s3: 'down' },
    });
  });

  it('reports a dependency that never answers as down instead of waiting for it', async () => {
    expect(await checkHealth({ probes: [hanging('dynamodb'), up('s3')] }, { timeoutMs: 20 })).toEqual({
      status: 'unavailable',
      checks: { dynamodb: 'down', s3: 'up' },
    });
  });
});
