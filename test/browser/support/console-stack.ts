import { accessSync, constants } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { type LocalConsoleOptions, type RunningConsole, startLocalConsole } from '#local/console.ts';
import { type ExchangeOptions, type RunningExchange, startExchange } from '#local/exchange.ts';
import { registrySeed } from '#local/seed/registry-seed.ts';
import { footprintKeyFileOf, readFootprintKeyFile } from '#shared/adapters/crypto/footprint-key-file.ts';
import { deriveSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import { sharedDynamoDb } from '../../support/global-dynamodb.ts';

/**
 * Debian's Chromium (installed by `.ci/run` with apt), found on the PATH, or where PBX_CHROMIUM says: never a
 * browser downloaded by a test tool.
 */
export const chromiumExecutable = (): string => {
  const named = process.env.PBX_CHROMIUM;
  if (named !== undefined && named !== '') return named;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  throw new Error(
    "no Chromium on the PATH: install Debian's chromium package (apt-get install chromium), or set PBX_CHROMIUM",
  );
};

/** Chromium as the notes on this machine say to launch it: no sandbox (root in CI), no background networking. */
export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumExecutable(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

export type ConsoleStack = {
  readonly exchange: RunningExchange;
  readonly console: RunningConsole;
  readonly browser: Browser;
  /** A fresh browser context (its own cookies): one person. */
  newPerson(): Promise<{ context: BrowserContext; page: Page }>;
  stop(): Promise<void>;
};

/**
 * The local exchange (on the shared DynamoDB Local), the console with its identity provider, and Chromium: what a
 * browser test drives. Each is on free ports and stopped by `stop`.
 */
export const startConsoleStack = async (
  options: { exchange?: Partial<ExchangeOptions>; console?: Partial<LocalConsoleOptions> } = {},
): Promise<ConsoleStack> => {
  const exchange = await startExchange({ schedules: false, dynamoDb: sharedDynamoDb(), ...options.exchange });
  const running = await startLocalConsole({
    exchangeUrl: exchange.url,
    keysDir: exchange.keysDir,
    users: registrySeed.users,
    ...options.console,
  });
  const browser = await launchBrowser();
  return {
    exchange,
    console: running,
    browser,
    newPerson: async () => {
      const context = await browser.newContext({ baseURL: running.url });
      return { context, page: await context.newPage() };
    },
    stop: async () => {
      await browser.close();
      await running.stop();
      await exchange.stop();
    },
  };
};

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The WCAG 2.2 AA rules of axe-core on the page as it is now: no serious or critical violation. */
export const expectAccessible = async (page: Page): Promise<void> => {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern (a script tag
  // would be refused, as it should be).
  await page.evaluate(await axeSource);
  // Runs in the page (a string, so that this file needs no DOM types): the rules, then the serious and critical.
  const violations: unknown = await page.evaluate(`
    axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }).then((result) =>
      result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))
  `);
  expect(violations, `accessibility of ${page.url()}`).toEqual([]);
};

/**
 * Goes to a console page and checks it: the answer's status, then accessibility. Every page a test visits goes
 * through here (or through `expectAccessible` after a form), so every page is checked.
 */
export const visit = async (page: Page, path: string, status = 200): Promise<void> => {
  const response = await page.goto(path);
  expect(response?.status(), `status of ${path}`).toBe(status);
  await expectAccessible(page);
};

/** Signs in through the local identity provider as `userId`, from wherever the console sent the browser. */
export const signIn = async (page: Page, userId: string, path = '/'): Promise<void> => {
  await page.goto(path);
  await expect.poll(() => page.url()).toContain('/interaction/');
  await expectAccessible(page);
  await page.selectOption('#user', userId);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(
    (url) => !url.pathname.startsWith('/interaction/') && !url.pathname.startsWith('/auth'),
  );
};

/**
 * A screenshot of the page for the docs (docs/screenshots/NAME.png), only when PBX_SCREENSHOTS is set
 * (`npm run screenshots`): the tests do not change the working tree otherwise.
 */
export const screenshot = async (page: Page, name: string): Promise<void> => {
  if (process.env.PBX_SCREENSHOTS === undefined || process.env.PBX_SCREENSHOTS === '') return;
  const dir = join(process.cwd(), 'docs', 'screenshots');
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
};

/** The texts of the error summary's items, in order. */
export const errorSummary = async (page: Page): Promise<string[]> =>
  (await page.locator('.govuk-error-summary__list li').allInnerTexts()).map((t) => t.trim());

/** The subject reference the footprint's members derive from an NHS number: what the console must have sent. */
export const referenceOf = async (stack: ConsoleStack, footprintId: string, nhsNumber: string) =>
  deriveSubjectReference(
    await readFootprintKeyFile(footprintKeyFileOf(stack.exchange.keysDir, footprintId), footprintId),
    { kind: 'nhs-number', nhsNumber },
  );
