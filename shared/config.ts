import { z } from 'zod';
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
