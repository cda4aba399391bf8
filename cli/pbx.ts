import { commands, commonOptions, signingOptions } from './commands/catalog.ts';
import { CliError, usageError } from './commands/cli-error.ts';
import { type Command, type Io, type OptionHelp, parseCommandLine } from './commands/command.ts';

/** `pbx`: a command-line client of the exchange. Every call but keygen is signed with a client's private key. */

const exitCodes =
  'Exit codes: 0 success (pbx check: permit); 1 the exchange refused (HTTP error), could not be reached or\n' +
  'answered what fails a local check (pbx check: deny); 2 usage error.';

const formatOptions = (title: string, options: readonly OptionHelp[]): string[] => [
  title,
  ...options.map(({ name, arg, text }) => {
    const flag = `${name === 'help' ? '-h, ' : ''}--${name}${arg === undefined ? '' : ` ${arg}`}`;
    return `  ${flag.padEnd(18)}  ${text}`;
  }),
];

const overview = (): string =>
  [
    'pbx: a command-line client of the pbx exchange; every request is signed with a client key.',
    '',
    'Usage:',
    ...commands.map((c) => `  pbx ${c.synopsis}`),
    '',
    ...formatOptions('Signing options (every command but keygen):', signingOptions),
    ...formatOptions('Other options:', commonOptions),
    '',
    exitCodes,
    'Run pbx COMMAND --help for a command, e.g. pbx keys add --help.',
  ].join('\n');

const commandHelp = (command: Command): string =>
  [
    `Usage: pbx ${command.synopsis}${command.signed ? ' [signing options]' : ''}`,
    '',
    command.summary,
    '',
    ...(command.options.length === 0 ? [] : [...formatOptions('Options:', command.options), '']),
    ...(command.signed ? [...formatOptions('Signing options:', signingOptions), ''] : []),
    ...formatOptions('Other options:', commonOptions),
    '',
    exitCodes,
  ].join('\n');

const groupHelp = (group: string): string => {
  const members = commands.filter((c) => c.words[0] === group);
  const width = Math.max(...members.map((c) => c.words.join(' ').length));
  return [
    `Usage: pbx ${group} SUBCOMMAND`,
    '',
    ...members.map((c) =>
      c.line === undefined ? `  pbx ${c.synopsis}` : `  pbx ${c.words.join(' ').padEnd(width)}  ${c.line}`,
    ),
    '',
    `Run pbx ${group} SUBCOMMAND --help for one of them.`,
  ].join('\n');
};

const findCommand = (words: readonly string[]): Command | undefined =>
  commands.find((c) => c.words.every((w, i) => words[i] === w));

const commandGroups = new Set(commands.filter((c) => c.words.length > 1).map((c) => c.words[0]));

const runPbx = async (argv: readonly string[], io: Io): Promise<void> => {
  const { values, positionals } = parseCommandLine(argv);
  const helpAsked = values.help === true || positionals[0] === 'help';
  const words = positionals[0] === 'help' ? positionals.slice(1) : positionals;

  const command = findCommand(words);
  if (command === undefined) {
    const [first, second] = words;
    if (first === undefined) {
      if (helpAsked) return io.stdout(`${overview()}\n`);
      throw usageError('missing command; run pbx --help for the commands');
    }
    if (commandGroups.has(first)) {
      if (helpAsked && second === undefined) return io.stdout(`${groupHelp(first)}\n`);
      throw usageError(
        second === undefined
          ? `pbx ${first} needs a subcommand; run pbx ${first} --help`
          : `unknown command "pbx ${first} ${second}"; run pbx ${first} --help`,
      );
    }
    throw usageError(`unknown command "${first}"; run pbx --help for the commands`);
  }
  if (helpAsked) return io.stdout(`${commandHelp(command)}\n`);

  const allowed = new Set<string>([
    ...command.options.map((o) => o.name),
    ...(command.signed ? signingOptions.map((o) => o.name) : []),
    ...commonOptions.map((o) => o.name),
  ]);
  const name = command.words.join(' ');
  for (const option of Object.keys(values)) {
    if (!allowed.has(option)) {
      throw usageError(`--${option} is not an option of pbx ${name}; run pbx ${name} --help`);
    }
  }
  const operands = words.slice(command.words.length);
  if (operands.length > command.operands.length) {
    throw usageError(
      `pbx ${name} takes ${command.operands.length === 0 ? 'no operands' : command.operands.join(' ')}, not "${operands.join(' ')}"`,
    );
  }
  await command.run({ values, operands, io });
};

// A reader that stops reading (`pbx audit search | head`) is not a failure: stop at once, quietly, with the status
// so far. Any other error on the output streams is one.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit();
  });
}

const processIo: Io = {
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
  setExitStatus: (status) => {
    process.exitCode = status;
  },
};

const describeFailure = (error: unknown): { lines: string[]; exitCode: number } => {
  if (error instanceof CliError) {
    return { lines: [error.message, ...error.details.map((d) => `  ${d}`)], exitCode: error.exitCode };
  }
  // A bug, not the user's doing: one line, and the stack only when asked for (PBX_DEBUG=1).
  const message = error instanceof Error ? error.message : String(error);
  const stack = process.env.PBX_DEBUG && error instanceof Error && error.stack ? [error.stack] : [];
  return { lines: [`unexpected failure: ${message}`, ...stack], exitCode: 1 };
};

try {
  await runPbx(process.argv.slice(2), processIo);
} catch (error) {
  const { lines, exitCode } = describeFailure(error);
  process.stderr.write(`pbx: ${lines.join('\n')}\n`);
  process.exitCode = exitCode;
}
