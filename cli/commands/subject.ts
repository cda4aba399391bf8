import { resolve } from 'node:path';
import {
  FootprintKeyFileError,
  loadSubjectReferencer,
  localFootprintKeyFile,
  normaliseNhsNumber,
  type SubjectIdentifier,
  SubjectReferenceError,
} from '../subject-reference.ts';
import { CliError, usageError } from './cli-error.ts';
import { type CommandInput, type Io, type OptionValues, printJson, showPath } from './command.ts';
import { keysDirFrom, keysDirOf } from './connect.ts';

/** The first line of stdin: `--nhs-number -` keeps the number out of the process list and shell history. */
export const readStdinLine = async (io: Io): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
};

const subjectOf = async ({ values, io }: CommandInput): Promise<SubjectIdentifier> => {
  const nhsNumber = values['nhs-number'];
  const localId = values['local-id'];
  if ((nhsNumber === undefined) === (localId === undefined)) {
    throw usageError(
      'give either --nhs-number N (- reads it from stdin) or --local-id ID --organisation ORG',
    );
  }
  if (nhsNumber !== undefined) {
    const given = nhsNumber === '-' ? await readStdinLine(io) : nhsNumber;
    try {
      // Checked before the key file is read, so a mistyped number is the first thing said.
      return { kind: 'nhs-number', nhsNumber: normaliseNhsNumber(given) };
    } catch (error) {
      if (error instanceof SubjectReferenceError) throw usageError(error.message);
      throw error;
    }
  }
  if (values.organisation === undefined) {
    throw usageError('--local-id needs --organisation ORG, the organisation whose identifier it is');
  }
  return { kind: 'local', organisationId: values.organisation, localId: localId ?? '' };
};

/** `pbx subject ref`: prints the subject reference; the NHS number is neither printed nor logged, even in errors. */
export const runSubjectRef = async (input: CommandInput): Promise<void> => {
  const { values, io } = input;
  const footprintId = values.footprint;
  if (footprintId === undefined)
    throw usageError('--footprint ID is required, e.g. --footprint north-west-bcu');
  const subject = await subjectOf(input);

  const keyFile = footprintKeyFileOf(values, io, footprintId);

  let reference: string;
  try {
    const referenceOf = await loadSubjectReferencer(keyFile, footprintId);
    reference = referenceOf(subject);
  } catch (error) {
    if (error instanceof FootprintKeyFileError) {
      // The error names the absolute path; say it as the user would type it.
      const message = error.message.replace(keyFile, showPath(io, keyFile));
      throw new CliError(
        'LOCAL_INPUT',
        message,
        error.code === 'MISSING'
          ? [
              "npm start writes one per seeded footprint; a member organisation's system gets it from the",
              "footprint's lead (docs/SUBJECT-REFERENCES.md). Name another with --key-file FILE.",
              ...(values['key-file'] === undefined ? [lookedIn(keysDirFrom(values, io))] : []),
            ]
          : [],
      );
    }
    if (error instanceof SubjectReferenceError) throw usageError(error.message);
    throw error;
  }

  if (values.json) printJson(io, { reference, footprintId, kind: subject.kind });
  else io.stdout(`${reference}\n`);
};

const lookedIn = ({ dir, from }: { dir: string; from: string }) => `looked in ${dir} (keys dir from ${from})`;

/** The footprint key file: --key-file, else the local exchange's key for the footprint in the keys dir. */
export const footprintKeyFileOf = (values: OptionValues, io: Io, footprintId: string): string =>
  values['key-file'] === undefined
    ? localFootprintKeyFile(keysDirOf(values, io), footprintId)
    : resolve(io.cwd, values['key-file']);
