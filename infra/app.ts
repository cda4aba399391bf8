import { App } from 'aws-cdk-lib';
import { addNagPacks } from './nag.ts';
import { ApiStack, OversightApiStack } from './stacks/api-stack.ts';
import { ConsoleStack } from './stacks/console-stack.ts';
import { StatefulStack } from './stacks/stateful-stack.ts';

/**
 * The CDK app: per stage (context `stage`, default `dev`), a stateful stack, the API's two stacks (the IG and
 * oversight operations in their own: infra/stacks/api-stack.ts `isOversightOperation`) and the console's stack
 * (infra/stacks/console-stack.ts: the web console and its user pool, calling the API like any client). cdk-nag's
 * AwsSolutions, HIPAA Security and NIST 800-53 rev 5 packs check everything (infra/nag.ts); every waiver is
 * acknowledged next to its construct with a reason.
 */
export const buildApp = (app: App = new App()): App => {
  const stage: string = app.node.tryGetContext('stage') ?? 'dev';
  if (!/^[a-z][a-z0-9-]{1,20}$/.test(stage))
    throw new Error(`stage must be a short lower-case name, not "${stage}"`);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const prefix = `Pbx-${stage.charAt(0).toUpperCase()}${stage.slice(1)}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, { stage, env });
  const exchangeId = `pbx-${stage}`;
  const api = new ApiStack(app, `${prefix}-Api`, { stage, env, exchangeId, stateful });
  new OversightApiStack(app, `${prefix}-ApiOversight`, { env, exchangeId, stateful, api: api.api });
  new ConsoleStack(app, `${prefix}-Console`, { stage, env, exchangeUrl: api.api.apiEndpoint });
  addNagPacks(app);
  return app;
};

if (import.meta.url === `file://${process.argv[1]}`) buildApp().synth();
