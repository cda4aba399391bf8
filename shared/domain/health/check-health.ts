import type { HealthProbe } from '../../ports/health-probe.ts';

export type HealthReport = {
  readonly status: 'ok' | 'unavailable';
  readonly checks: Readonly<Record<string, 'up' | 'down'>>;
};

/**
 * Asks every dependency at once, each bounded by `timeoutMs`, so a hung store answers "down" instead of hanging
 * the health check. The exchange is ok only when every dependency is up.
 */
export const checkHealth = async (
  deps: { probes: readonly HealthProbe[] },
  input: { timeoutMs: number },
): Promise<HealthReport> => {
  const results = await Promise.all(
    deps.probes.map(async (probe) => {
      const signal = AbortSignal.timeout(input.timeoutMs);
      // The probe is told to give up through the signal, and is not waited for past it whether it listens or not.
      const timedOut = new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      );
      try {
        await Promise.race([probe.check(signal), timedOut]);
        return [probe.name, 'up'] as const;
      } catch {
        return [probe.name, 'down'] as const;
      }
    }),
  );
  return {
    status: results.every(([, state]) => state === 'up') ? 'ok' : 'unavailable',
    checks: Object.fromEntries(results),
  };
};
