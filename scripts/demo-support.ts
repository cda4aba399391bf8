import { createHash, randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import * as z from 'zod';
import { CliError } from '#cli/commands/cli-error.ts';
import { localKeyFile, PbxClient, type PbxResponse, readPrivateKey } from '#client/pbx-client.ts';
import { nhsNumberCheckDigit } from '#shared/domain/subjects/subject-reference.ts';

/**
 * What the demos (`npm run demo`, `npm run demo:cdop`) share: where the exchange and its keys are, numbered steps
 * that print ✓ or ✗ and end the story at the first that misbehaves, checks, and the clients of its users.
 */

/** PBX_URL (default http://127.0.0.1:8787) and PBX_KEYS_DIR (default .local/keys). */
export const demoUrl = process.env.PBX_URL || 'http://127.0.0.1:8787';
export const demoKeysDir = resolve(process.env.PBX_KEYS_DIR || '.local/keys');

export class StepFailure extends Error {}

export const check: (condition: unknown, message: string) => asserts condition = (condition, message) => {
  if (!condition) throw new StepFailure(message);
};

/** The answer's body when it has the status expected; a step failure naming the error otherwise. */
export const expectStatus = <T>(response: PbxResponse<T>, status: number, what: string): T => {
  if (response.status !== status) {
    const body = response.body as { error?: string; message?: string; details?: unknown } | undefined;
    const why = body?.error === undefined ? '' : `: ${body.error} ${body.message ?? ''}`.trimEnd();
    const details = Array.isArray(body?.details) ? ` (${body.details.join('; ')})` : '';
    throw new StepFailure(`${what}: expected HTTP ${status}, got ${response.status}${why}${details}`);
  }
  return response.body;
};

/**
 * The step runner of one demo: each step prints its line (✓ with the facts it returns, or ✗ with what went
 * wrong); a step that fails ends the demo with exit status 1. `taken()` counts the steps run.
 */
export const storySteps = (demo: string) => {
  let stepNumber = 0;
  const step = async <T>(title: string, run: () => Promise<{ facts: string[]; value: T }>): Promise<T> => {
    stepNumber += 1;
    const started = performance.now();
    try {
      const { facts, value } = await run();
      const ms = Math.round(performance.now() - started);
      console.log(`${stepNumber}. ✓ ${title} (${ms} ms)`);
      for (const fact of facts) console.log(`     ${fact}`);
      return value;
    } catch (error) {
      console.log(`${stepNumber}. ✗ ${title}`);
      const message =
        error instanceof StepFailure || error instanceof CliError
          ? error.message
          : `unexpected failure: ${error instanceof Error ? error.message : String(error)}`;
      console.log(`     ${message}`);
      if (error instanceof CliError) for (const detail of error.details) console.log(`       ${detail}`);
      console.log(`\n${demo} failed at step ${stepNumber}`);
      process.exit(1);
    }
  };
  /** How many steps have run. */
  return Object.assign(step, { taken: () => stepNumber });
};

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
export const short = (text: string, n = 12) => (text.length > n ? `${text.slice(0, n)}…` : text);

/** A valid NHS number from the 999 test range, new each run: never issued to a person. */
export const testNhsNumber = (): string => {
  for (;;) {
    const firstNine = `999${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
    const digit = nhsNumberCheckDigit(firstNine);
    if (digit !== undefined && !/^(\d)\1{9}$/.test(`${firstNine}${digit}`)) return `${firstNine}${digit}`;
  }
};

/**
 * The running exchange's discovery document read with `schema` (at least its id), or the end of the demo with a
 * line saying to start it.
 */
export const discoverExchange = async <S extends z.ZodObject<{ exchangeId: z.ZodString }>>(
  demo: string,
  schema: S,
): Promise<z.infer<S>> => {
  let response: Response;
  try {
    response = await fetch(new URL('/.well-known/pbx-exchange', demoUrl), {
      signal: AbortSignal.timeout(5_000),
    });
  } catch {
    console.error(`pbx ${demo}: no exchange answers at ${demoUrl}; start the exchange first: npm start`);
    process.exit(1);
  }
  const parsed = schema.safeParse(await response.json().catch(() => undefined));
  if (!response.ok || !parsed.success) {
    console.error(
      `pbx ${demo}: ${demoUrl} is not a pbx exchange (HTTP ${response.status}); start the exchange first: npm start`,
    );
    process.exit(1);
  }
  return parsed.data;
};

/** A client acting for `user` (`<org>.<name>`) with its organisation's system key, or the end of the demo. */
export const demoClientFor = async (demo: string, exchangeId: string, user: string): Promise<PbxClient> => {
  const clientId = `${user.split('.')[0]}-system`;
  const key = await readPrivateKey(localKeyFile(demoKeysDir, clientId)).catch(() => {
    console.error(
      `pbx ${demo}: no private key for ${clientId} in ${demoKeysDir}; point PBX_KEYS_DIR at the keys of the running exchange (<PBX_DATA_DIR>/keys)`,
    );
    process.exit(1);
  });
  return new PbxClient({ url: demoUrl, clientId, key, subject: user, audience: exchangeId });
};

export const minimalDiscoverySchema = z.looseObject({ exchangeId: z.string().min(1) });
