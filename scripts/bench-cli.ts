import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startExchange } from '#local/exchange.ts';
import { ensureCliBuilt } from '../test/support/build-cli.ts';

/**
 * `npm run bench:cli`: the median wall time of a `pbx` process, from start to exit, the way a shell runs it: `pbx
 * --help`, a command's help, and one signed call (`pbx whoami`) against a local exchange; beside them Node starting
 * an empty script, and the CLI run through tsx as the launcher did before the build (TypeScript compiled at start:
 * with tsx's cache warm after the first run, and without it). Goal: `pbx --help` under 300 ms. A measurement: it exits 0 whatever the
 * figures, and non-zero only if a call fails.
 */

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '11' },
    'no-exchange': { type: 'boolean', default: false },
  },
});
const runs = Number(options.runs);
if (!Number.isInteger(runs) || runs < 1) throw new TypeError('--runs must be a whole number of 1 or more');
const goalMs = 300;

const launcher = fileURLToPath(new URL('../cli/pbx.js', import.meta.url));
const source = fileURLToPath(new URL('../cli/pbx.ts', import.meta.url));
const exec = promisify(execFile);

const medianMs = async (args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  const times: number[] = [];
  // One run first, unmeasured: the file system cache (and tsx's) as a user's second call finds it.
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    await exec(process.execPath, args, { env });
    if (i > 0) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
};

await ensureCliBuilt();
const rows: [string, number][] = [
  ['node, an empty script', await medianMs(['-e', ''])],
  ['pbx --help, through tsx (before the build)', await medianMs(['--import', 'tsx', source, '--help'])],
  [
    'the same, tsx compiling afresh (no cache)',
    await medianMs(['--import', 'tsx', source, '--help'], { ...process.env, TSX_DISABLE_CACHE: '1' }),
  ],
  ['pbx --help', await medianMs([launcher, '--help'])],
  ['pbx request create --help', await medianMs([launcher, 'request', 'create', '--help'])],
];
if (!options['no-exchange']) {
  const exchange = await startExchange({ schedules: false });
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, PBX_URL: exchange.url, PBX_KEYS_DIR: exchange.keysDir };
    delete env.PBX_SUB;
    rows.push([
      'pbx whoami (one signed call, local exchange)',
      await medianMs([launcher, 'whoami', '--as', 'lb-brent-system'], env),
    ]);
  } finally {
    await exchange.stop();
  }
}

console.log(`median wall time of ${runs} runs each (load average ${loadavg()[0]?.toFixed(1)}):`);
for (const [label, ms] of rows) console.log(`  ${label.padEnd(46)} ${ms.toFixed(0).padStart(6)} ms`);
const help = rows.find(([label]) => label === 'pbx --help')?.[1] ?? Number.POSITIVE_INFINITY;
console.log(`goal: pbx --help under ${goalMs} ms: ${help < goalMs ? 'met' : 'missed'}`);
