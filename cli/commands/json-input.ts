import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type * as z from 'zod';
import { CliError } from './cli-error.ts';
import { errnoOf, type Io, showPath } from './command.ts';

/** The JSON document in FILE, or on stdin for `-`; a file that cannot be read or parsed is the caller's to fix. */
export const readJsonInput = async (io: Io, file: string): Promise<unknown> => {
  let text: string;
  let shown = 'stdin';
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk));
    text = Buffer.concat(chunks).toString('utf8');
  } else {
    const path = resolve(io.cwd, file);
    shown = showPath(io, path);
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = errnoOf(error);
      throw new CliError(
        'LOCAL_INPUT',
        code === 'ENOENT' ? `no file ${shown}` : `cannot read ${shown} (${code ?? String(error)})`,
      );
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(
      'LOCAL_INPUT',
      `${shown} is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
};

/** A schema's complaints, one line each, naming where in the document: `purposes.0.lawfulBasis: …`. */
export const problemsOf = (error: z.ZodError, nameOf: (path: string) => string = (path) => path): string[] =>
  error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${path === '' ? 'document' : nameOf(path)}: ${issue.message}`;
  });
