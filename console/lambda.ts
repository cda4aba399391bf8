import { type APIGatewayProxyResult, handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createConsole } from './app.ts';
import { consoleSettingsFromEnvironment, loadConsoleConfig } from './aws-config.ts';

/**
 * The console's Lambda function, behind the HTTP API of infra/stacks/console-stack.ts (payload format 2.0). The
 * environment is parsed at cold start (a wrong one fails there, naming the variable); the secrets are read on the
 * first request, once per container. A failed read is not kept: that request gets a plain 503 and the next one
 * tries again.
 */
const settings = consoleSettingsFromEnvironment();
type ConsoleHandler = (event: LambdaEvent, context?: LambdaContext) => Promise<APIGatewayProxyResult>;
let ready: Promise<ConsoleHandler> | undefined;

const unavailable: APIGatewayProxyResult = {
  statusCode: 503,
  isBase64Encoded: false,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body: 'Sorry, the service is unavailable. Try again later.',
};

export const handler = async (
  event: LambdaEvent,
  context?: LambdaContext,
): Promise<APIGatewayProxyResult> => {
  ready ??= loadConsoleConfig(settings).then((config) => handle(createConsole(config)));
  let answer: ConsoleHandler;
  try {
    answer = await ready;
  } catch (error) {
    ready = undefined;
    console.error(
      'console: configuration failed',
      (error as { code?: string })?.code ?? (error as Error)?.name,
      (error as Error)?.message,
    );
    return unavailable;
  }
  return answer(event, context);
};
