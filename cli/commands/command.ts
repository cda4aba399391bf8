import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { usageError } from './cli-error.ts';

/**
 * Every option of every command, parsed in one pass so that options may stand before or after the command words;
 * each command then refuses the options that are not its own.
 */
const optionsConfig = {
  as: { type: 'string' },
  key: { type: 'string' },
  keys: { type: 'string' },
  sub: { type: 'string' },
  url: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  alg: { type: 'string' },
  out: { type: 'string' },
  client: { type: 'string' },
  jwk: { type: 'string' },
  'not-before': { type: 'string' },
  'not-after': { type: 'string' },
  body: { type: 'string' },
  file: { type: 'string' },
  id: { type: 'string' },
  version: { type: 'string' },
  hash: { type: 'string' },
  reason: { type: 'string' },
  to: { type: 'string' },
  agreement: { type: 'string' },
  purpose: { type: 'string' },
  categories: { type: 'string' },
  basis: { type: 'string' },
  consent: { type: 'string' },
  exemption: { type: 'string' },
  rationale: { type: 'string' },
  'obtained-by': { type: 'string' },
  'obtained-from': { type: 'string' },
  'obtained-at': { type: 'string' },
  from: { type: 'string' },
  origin: { type: 'string' },
  'previous-size': { type: 'string' },
  'previous-root': { type: 'string' },
  init: { type: 'boolean' },
  register: { type: 'boolean' },
  'key-out': { type: 'string' },
  name: { type: 'string' },
  'witness-key': { type: 'string' },
  state: { type: 'string' },
  organisation: { type: 'string' },
  subject: { type: 'string' },
  action: { type: 'string' },
  outcome: { type: 'string' },
  format: { type: 'string' },
  footprint: { type: 'string' },
  'nhs-number': { type: 'string' },
  'local-id': { type: 'string' },
  'key-file': { type: 'string' },
  after: { type: 'string' },
  follow: { type: 'boolean' },
  'interval-ms': { type: 'string' },
  'idempotency-key': { type: 'string' },
  box: { type: 'string' },
  status: { type: 'string' },
  overdue: { type: 'boolean' },
  'due-before': { type: 'string' },
  all: { type: 'boolean' },
  urgency: { type: 'string' },
  justification: { type: 'string' },
  'placing-authority': { type: 'string' },
  'host-authority': { type: 'string' },
  reasons: { type: 'string' },
  'reason-codes': { type: 'string' },
  withhold: { type: 'string' },
  'withheld-description': { type: 'string' },
  'content-type': { type: 'string' },
  borough: { type: 'string' },
  'date-of-death': { type: 'string' },
  expected: { type: 'boolean' },
  unexpected: { type: 'boolean' },
  place: { type: 'string' },
  'place-area': { type: 'string' },
  'place-category': { type: 'string' },
  notifying: { type: 'string' },
  'subject-ref': { type: 'string' },
  agency: { type: 'string', multiple: true },
  strict: { type: 'boolean' },
  decline: { type: 'boolean' },
  assemble: { type: 'boolean' },
  analysis: { type: 'string' },
  year: { type: 'string' },
  internal: { type: 'boolean' },
  csv: { type: 'boolean' },
  by: { type: 'string' },
  group: { type: 'string' },
  quarter: { type: 'string' },
  // pbx ig child --disclosure, pbx ig restrict
  disclosure: { type: 'boolean' },
  'reason-code': { type: 'string' },
  until: { type: 'string' },
  note: { type: 'string' },
} as const;

export const defaultUrl = 'http://127.0.0.1:8787';

export type OptionName = keyof typeof optionsConfig;

const optionNameOf = (message: string): string | undefined => /'(-[^' ]+)/.exec(message)?.[1];

/** The command line as words (command, subcommand, operands) and option values. */
export const parseCommandLine = (argv: readonly string[]) => {
  try {
    return parseArgs({ args: [...argv], options: optionsConfig, strict: true, allowPositionals: true });
  } catch (error) {
    const code = errnoOf(error);
    const message = error instanceof Error ? error.message : String(error);
    const option = optionNameOf(message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
      throw usageError(`unknown option ${option}; run pbx --help (an operand starting with - goes after --)`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
      throw usageError(`option ${option} needs a value (write ${option}=-value for a value starting with -)`);
    }
    throw usageError(message);
  }
};

export type OptionValues = ReturnType<typeof parseCommandLine>['values'];

/** Where a command reads and writes: the process's, or a test's. */
export type Io = {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdin: AsyncIterable<Uint8Array | string>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal: progress bars are redrawn in place there, and written as lines elsewhere. */
  readonly stderrIsTty?: boolean;
  /** The exit status once the command returns without an error: how `pbx check` says "deny" (1) to a script. */
  readonly setExitStatus: (status: 0 | 1) => void;
};

export type CommandInput = {
  readonly values: OptionValues;
  /** The words after the command's own, e.g. `GET /v1/whoami` for `pbx call GET /v1/whoami`. */
  readonly operands: readonly string[];
  readonly io: Io;
};

export type OptionHelp = { readonly name: OptionName; readonly arg?: string; readonly text: string };

export type Command = {
  readonly words: readonly string[];
  /** The synopsis after `pbx`, e.g. `keys revoke KID [--client ID]`. */
  readonly synopsis: string;
  readonly summary: string;
  /** What the command does in one line of plain English, for its group's help (`pbx ig --help`). */
  readonly line?: string;
  /** Operand names, in order: every command takes a fixed number. */
  readonly operands: readonly string[];
  readonly options: readonly OptionHelp[];
  /** Whether the command signs requests, and so takes the signing options (--as, --key, --keys, --sub, --url). */
  readonly signed: boolean;
  readonly run: (input: CommandInput) => Promise<void>;
};

export const printJson = (io: Io, value: unknown): void => io.stdout(`${JSON.stringify(value, null, 2)}\n`);

/** A path as the user would type it: relative to the working directory when it lies inside it. */
export const showPath = (io: Io, path: string): string => {
  const shown = relative(io.cwd, path);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
};

/** The `code` of a Node.js system error (`ENOENT`, `ECONNREFUSED`, …), if it has one. */
export const errnoOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;

/** An environment variable, with the empty string taken as unset (`PBX_SUB= pbx whoami`). */
export const envValue = (io: Io, name: string): string | undefined => {
  const value = io.env[name];
  return value === undefined || value === '' ? undefined : value;
};

/** An ISO 8601 date or date-time, sent in the one form the exchange accepts (UTC, `Z`). */
export const parseInstant = (option: string, value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw usageError(
      `--${option} must be an ISO 8601 date or date-time (e.g. 2026-01-31T09:00:00Z), not "${value}"`,
    );
  }
  return new Date(ms).toISOString();
};
