import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { consoleFiles } from './files.ts';

const contentTypes: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/manifest+json',
};

/** The static files the pages use, by URL prefix: GOV.UK Frontend's styles, script and assets, and the console's own. */
const roots = () => {
  const files = consoleFiles();
  return [
    { prefix: '/assets/', dir: join(files.govukFrontend, 'govuk', 'assets') },
    { prefix: '/govuk/', dir: join(files.govukFrontend, 'govuk') },
    { prefix: '/console/', dir: files.browser },
  ];
};

export type StaticFile = { readonly body: Uint8Array; readonly contentType: string };

/**
 * A static file by its URL path, or undefined: only files of the listed types, only inside their root (no `..`).
 * Files are read once and kept.
 */
export const createStaticFiles = (): ((path: string) => Promise<StaticFile | undefined>) => {
  const cache = new Map<string, Promise<StaticFile | undefined>>();
  const all = roots();
  return (path) => {
    const root = all.find((r) => path.startsWith(r.prefix));
    const contentType = contentTypes[extname(path)];
    if (root === undefined || contentType === undefined) return Promise.resolve(undefined);
    const file = normalize(join(root.dir, decodeURIComponent(path.slice(root.prefix.length))));
    if (!file.startsWith(root.dir + sep)) return Promise.resolve(undefined);
    let found = cache.get(file);
    if (found === undefined) {
      found = readFile(file).then(
        (body) => ({ body, contentType }),
        () => undefined,
      );
      cache.set(file, found);
    }
    return found;
  };
};
