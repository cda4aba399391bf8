import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { schedules } from '#functions/schedules.ts';
import { functionEntryFile, lambdaBuildOptions, projectRoot } from '#infra/bundling.ts';
import { consoleFunctions } from '#infra/console-functions.ts';
import { operationList } from '#shared/http/operations.ts';

/**
 * `npm run bench:bundles`: bundles every Lambda function (each route and schedule) with the options the CDK app
 * uses (infra/bundling.ts), prints each bundle's minified size with its largest inputs, the packages that weigh most
 * across all bundles, and exits 1 if one bundle exceeds the limit. Sizes are of the JavaScript file only (the
 * source map is a separate file the runtime reads only for a stack trace). 1 kB = 1000 bytes. The console's function
 * (infra/console-functions.ts) has its own budget: it carries Hono, Nunjucks, openid-client and the client library,
 * and its templates and GOV.UK Frontend beside the bundle (not measured here).
 */

const { values: options } = parseArgs({
  options: {
    'limit-kb': { type: 'string', default: '300' },
    top: { type: 'string', default: '5' },
  },
});
const limitBytes = Number(options['limit-kb']) * 1000;
const top = Number(options.top);
if (!(limitBytes > 0) || !Number.isInteger(top) || top < 0) {
  throw new TypeError('--limit-kb must be a positive number and --top a whole number');
}

type Measured = { id: string; bytes: number; limit: number; inputs: [path: string, bytes: number][] };

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

/** The package an input belongs to (`node_modules/@scope/name/...` → `@scope/name`), or its top folder. */
const packageOf = (path: string): string => {
  const at = path.lastIndexOf('node_modules/');
  if (at === -1) return `${path.split('/')[0]}/`;
  const [first = '', second = ''] = path.slice(at + 'node_modules/'.length).split('/');
  return first.startsWith('@') ? `${first}/${second}` : first;
};

const measure = async (id: string, entry: string, limit: number): Promise<Measured> => {
  const result = await build({
    ...lambdaBuildOptions(functionEntryFile(entry)),
    absWorkingDir: projectRoot,
    outfile: 'index.mjs',
    write: false,
    metafile: true,
  });
  const outputs = Object.entries((result.metafile as Metafile).outputs).filter(
    ([path]) => !path.endsWith('.map'),
  );
  if (outputs.length !== 1) throw new Error(`${id}: expected one bundle, esbuild wrote ${outputs.length}`);
  const [, output] = outputs[0] as [string, Metafile['outputs'][string]];
  const inputs = Object.entries(output.inputs)
    .map(([path, { bytesInOutput }]): [string, number] => [path, bytesInOutput])
    .sort((a, b) => b[1] - a[1]);
  return { id, bytes: output.bytes, limit, inputs };
};

const consoleLimitBytes = consoleFunctions.console.budgetKb * 1000;
const functions = [
  ...operationList.map((o) => ({ id: o.id, entry: o.entry, limit: limitBytes })),
  ...schedules.map((s) => ({ id: s.id, entry: s.entry, limit: limitBytes })),
  { id: consoleFunctions.console.id, entry: consoleFunctions.console.entry, limit: consoleLimitBytes },
  { id: consoleFunctions.signInCheck.id, entry: consoleFunctions.signInCheck.entry, limit: limitBytes },
];
const started = performance.now();
// Two at a time: esbuild is already parallel inside one build, and this machine has two cores.
const measured: Measured[] = [];
for (let i = 0; i < functions.length; i += 2) {
  measured.push(
    ...(await Promise.all(functions.slice(i, i + 2).map((f) => measure(f.id, f.entry, f.limit)))),
  );
}

const byPackage = new Map<string, number>();
for (const { id, bytes, limit, inputs } of measured) {
  const flag = bytes > limit ? '  OVER THE LIMIT' : limit === limitBytes ? '' : `  (own budget ${kB(limit)})`;
  console.log(`${id.padEnd(24)} ${kB(bytes).padStart(10)}${flag}`);
  for (const [path, size] of inputs.slice(0, top)) console.log(`    ${kB(size).padStart(10)}  ${path}`);
  const packages = new Map<string, number>();
  for (const [path, size] of inputs)
    packages.set(packageOf(path), (packages.get(packageOf(path)) ?? 0) + size);
  for (const [name, size] of packages) byPackage.set(name, Math.max(byPackage.get(name) ?? 0, size));
}

// The summary is of the bundles under the general limit; the console's is reported against its own budget.
const sizes = measured
  .filter((m) => m.limit === limitBytes)
  .map((m) => m.bytes)
  .sort((a, b) => a - b);
const consoleBytes = measured.find((m) => m.id === consoleFunctions.console.id)?.bytes ?? 0;
const over = measured.filter((m) => m.bytes > m.limit);
console.log('');
console.log('Heaviest packages (their largest share of one bundle):');
for (const [name, size] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, Math.max(top, 8))) {
  console.log(`    ${kB(size).padStart(10)}  ${name}`);
}
console.log('');
console.log(
  `${measured.length} bundles in ${((performance.now() - started) / 1000).toFixed(1)} s; ${sizes.length} under the ` +
    `general limit: smallest ${kB(sizes[0] ?? 0)}, ` +
    `median ${kB(sizes[Math.floor(sizes.length / 2)] ?? 0)}, largest ${kB(sizes.at(-1) ?? 0)}; limit ${kB(limitBytes)}`,
);
console.log(
  `The console (${consoleFunctions.console.id}): ${kB(consoleBytes)}, its own budget ${kB(consoleLimitBytes)} ` +
    '(about 20 % above the 363.7 kB measured when it was set: it carries Hono, Nunjucks, openid-client and the client library).',
);
if (over.length > 0) {
  console.log(`${over.length} over the limit: ${over.map((m) => m.id).join(', ')}`);
  process.exitCode = 1;
}
