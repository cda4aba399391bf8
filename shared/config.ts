import * as z from 'zod';
import { type CheckpointPolicy, defaultCheckpointPolicy } from './domain/audit/publish-checkpoint.ts';
import { buckets, exchangeIdEnvVar, tables } from './resources.ts';

const nonEmpty = z.string().trim().min(1);

const envShape = {
  [exchangeIdEnvVar]: nonEmpty,
  ...Object.fromEntries(Object.values(tables).map((t) => [t.envVar, nonEmpty])),
  ...Object.fromEntries(Object.values(buckets).map((b) => [b.envVar, nonEmpty])),
} as Record<string, typeof nonEmpty>;

export type ConfigKey =
  | typeof exchangeIdEnvVar
  | (typeof tables)[keyof typeof tables]['envVar']
  | (typeof buckets)[keyof typeof buckets]['envVar'];

/**
 * Reads the named environment variables once, at cold start. A missing or empty one fails there, naming the
 * key, rather than at the first request that needs it.
 */
export const loadConfig = <K extends ConfigKey>(
  keys: readonly K[],
  env: NodeJS.ProcessEnv = process.env,
): Readonly<Record<K, string>> => {
  const schema = z.object(Object.fromEntries(keys.map((k) => [k, envShape[k] ?? nonEmpty])));
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const bad = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`pbx configuration: missing or empty environment variable(s): ${bad}`);
  }
  return parsed.data as Record<K, string>;
};

const checkpointPolicySchema = z.object({
  CHECKPOINT_MIN_GROWTH: z.coerce.number().int().positive().default(defaultCheckpointPolicy.minGrowth),
  CHECKPOINT_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(defaultCheckpointPolicy.maxAgeSeconds),
});

/**
 * When the checkpoint publisher signs a new checkpoint: the issue's 1,000 entries or 5 minutes unless the
 * environment says otherwise (the local exchange publishes after a few seconds so that a demo sees one).
 */
export const loadCheckpointPolicy = (env: NodeJS.ProcessEnv = process.env): CheckpointPolicy => {
  const parsed = checkpointPolicySchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      'pbx configuration: CHECKPOINT_MIN_GROWTH and CHECKPOINT_MAX_AGE_SECONDS are positive integers',
    );
  }
  return {
    minGrowth: parsed.data.CHECKPOINT_MIN_GROWTH,
    maxAgeSeconds: parsed.data.CHECKPOINT_MAX_AGE_SECONDS,
  };
};
