import { readFileSync } from 'node:fs';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.ts';
import type { ApiStack, OversightApiStack } from '../../infra/stacks/api-stack.ts';
import type { ConsoleStack } from '../../infra/stacks/console-stack.ts';
import type { StatefulStack } from '../../infra/stacks/stateful-stack.ts';

/** The context of cdk.json (feature flags included), so tests synthesise what `cdk synth` synthesises. */
export const cdkContext = (): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

/**
 * Builds the app for a stage. Bundling is skipped unless asked for (`bundle`: every stack; `bundleStacks`: those
 * named): template assertions do not need the bundles, and a few tests bundle for real. `context` adds context
 * values (the console's federation, its URL).
 */
export const synthApp = (
  options: {
    stage?: string;
    bundle?: boolean;
    bundleStacks?: string[];
    context?: Record<string, unknown>;
  } = {},
) => {
  const app = new App({
    context: {
      ...cdkContext(),
      ...(options.stage === undefined ? {} : { stage: options.stage }),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': options.bundleStacks ?? [] }),
      ...options.context,
    },
  });
  buildApp(app);
  const prefix = `Pbx-${(options.stage ?? 'dev').replace(/^./, (c) => c.toUpperCase())}`;
  const stateful = app.node.findChild(`${prefix}-Stateful`) as StatefulStack;
  const api = app.node.findChild(`${prefix}-Api`) as ApiStack;
  const oversight = app.node.findChild(`${prefix}-ApiOversight`) as OversightApiStack;
  const console = app.node.findChild(`${prefix}-Console`) as ConsoleStack;
  return { app, stateful, api, oversight, console };
};

/**
 * The API's two stacks as one template (their resources together), for assertions about every operation: the IG
 * and oversight operations are served from a stack of their own (infra/stacks/api-stack.ts isOversightOperation).
 */
export const apiTemplate = (...stacks: readonly Stack[]): Template => {
  const templates = stacks.map((s) => Template.fromStack(s).toJSON());
  return Template.fromJSON({
    Resources: Object.assign({}, ...templates.map((t) => t.Resources)),
    Outputs: Object.assign({}, ...templates.map((t) => t.Outputs ?? {})),
  });
};
