import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the console's templates and GOV.UK Frontend's files are: beside the sources (npm start, tests), or where a
 * bundle was given them (`PBX_CONSOLE_FILES`, the Lambda asset: `views/` and `govuk-frontend/` side by side).
 */
export const consoleFiles = (): {
  readonly views: string;
  readonly govukFrontend: string;
  readonly browser: string;
} => {
  const bundled = process.env.PBX_CONSOLE_FILES;
  if (bundled !== undefined && bundled !== '') {
    return {
      views: join(bundled, 'views'),
      govukFrontend: join(bundled, 'govuk-frontend'),
      browser: join(bundled, 'browser'),
    };
  }
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/govuk/all.mjs → dist/
  const govukFrontend = dirname(dirname(fileURLToPath(import.meta.resolve('govuk-frontend'))));
  return { views: join(here, 'views'), govukFrontend, browser: join(here, 'browser') };
};
