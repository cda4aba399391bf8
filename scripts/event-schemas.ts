import { readFile, writeFile } from 'node:fs/promises';
import * as z from 'zod';
import { eventModules, exchangeEventTypes } from '#shared/domain/events/exchange-event.ts';

/**
 * The JSON Schema of each event's detail (zod 4 `z.toJSONSchema`, as consumers read it: unknown fields allowed),
 * committed under events/schemas/ for subscribers that do not use TypeScript. `npm run events:schemas` rewrites
 * them (`-- --check` only compares); test/contract/events.test.ts fails when a committed file differs from its
 * zod schema (as JSON: Biome formats the committed files).
 */

/** `RequestSubmitted` v1 → `request-submitted.v1`, the base name of the event's module, fixture and schema. */
export const eventFileBase = (type: string, version: number): string =>
  `${type.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase()}.v${version}`;

export const schemasDir = new URL('../events/schemas/', import.meta.url);

export const eventJsonSchemas = (): { file: string; text: string }[] =>
  exchangeEventTypes.map((type) => {
    const module = eventModules[type];
    const schema = {
      ...z.toJSONSchema(module.detailSchema, { io: 'input', target: 'draft-2020-12' }),
      title: `${module.detailType} v${module.version}`,
      description: `The detail of ${module.detailType} events (source ${module.source}, version ${module.version}).`,
    };
    return {
      file: `${eventFileBase(type, module.version)}.json`,
      text: `${JSON.stringify(schema, null, 2)}\n`,
    };
  });

const check = process.argv.includes('--check');
if (import.meta.url === `file://${process.argv[1]}`) {
  let stale = 0;
  for (const { file, text } of eventJsonSchemas()) {
    const url = new URL(file, schemasDir);
    if (check) {
      const committed = await readFile(url, 'utf8').catch(() => 'null');
      if (JSON.stringify(JSON.parse(committed)) !== JSON.stringify(JSON.parse(text))) {
        stale += 1;
        console.error(`events/schemas/${file} is out of date: run npm run events:schemas`);
      }
    } else await writeFile(url, text);
  }
  process.exitCode = stale === 0 ? 0 : 1;
}
