#!/usr/bin/env node
// Launcher for the pbx command: runs the CLI as built to JavaScript at install (`npm ci` runs `npm run build:cli`,
// scripts/build-cli.ts), so a call does not compile TypeScript first.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/pbx.mjs', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    'pbx: the command is not built; run npm ci (or npm run build:cli) in the pbx folder\n',
  );
  process.exit(1);
}
// Stack traces (PBX_DEBUG=1) name the TypeScript sources.
if (process.env.PBX_DEBUG) process.setSourceMapsEnabled(true);
await import(built.href);
