import {
  challengesTables,
  childTables,
  consentNotSoughtTables,
  disclosureTables,
  type IgTable,
  igAnswerHeading,
  igChildHeading,
  igDisclosureHeading,
  igReportHeading,
  igTableCsv,
  igTablesText,
  type OrganisationNames,
  outcomesTables,
  outstandingTables,
  pastReviewTables,
  placementsTables,
  refusalsTables,
  reportTables,
  requestsTables,
} from '#client/ig-table.ts';
import type { PbxClient, PbxResponse } from '#client/pbx-client.ts';
import { monthPattern, quarterPattern } from '#shared/domain/ig/ig-terms.ts';
import { endDate, restrictionReasonCodes } from '#shared/domain/ig/restriction.ts';
import type { Footprint, Organisation } from '#shared/domain/registry/registry.ts';
import {
  type IgRestriction,
  maxChildReferences,
  requestGroupings,
  requestPeriods,
} from '#shared/http/views/ig.ts';
import {
  FootprintKeyFileError,
  loadSubjectReferencer,
  normaliseNhsNumber,
  SubjectReferenceError,
} from '../subject-reference.ts';
import { CliError, usageError } from './cli-error.ts';
import { type CommandInput, type Io, type OptionValues, showPath } from './command.ts';
import { type Connection, connect, reach, successBody } from './connect.ts';
import { footprintKeyFileOf, readStdinLine } from './subject.ts';

/**
 * `pbx ig <question>` and `pbx ig report` (docs/IG.md): one call of the question's `GET /v1/ig/*` route, its answer
 * written as a table (the default), as the exchange's JSON (--json) or as CSV (--csv). The exchange scopes and
 * audits every answer; this command only asks and formats. `pbx ig child` turns the NHS number into the child's
 * subject reference in each of the asker's footprints here, and sends only the references.
 */

type Format = 'table' | 'json' | 'csv';

const formatOf = (values: OptionValues): Format => {
  if (values.json && values.csv) throw usageError('give --json or --csv, not both');
  return values.json ? 'json' : values.csv ? 'csv' : 'table';
};

const oneOf = <T extends string>(option: string, value: string | undefined, allowed: readonly T[]) => {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value);
  if (found === undefined)
    throw usageError(`--${option} must be one of ${allowed.join(', ')}, not "${value}"`);
  return found;
};

const month = (option: 'from' | 'to', value: string | undefined): string | undefined => {
  if (value !== undefined && !monthPattern.test(value)) {
    throw usageError(`--${option} must be a month, YYYY-MM (e.g. 2026-01), not "${value}"`);
  }
  return value;
};

/** `--from` and `--to`, checked here so a mistyped month is a usage error before anything is sent. */
const periodOf = (values: OptionValues) => {
  const from = month('from', values.from);
  const to = month('to', values.to);
  if (from !== undefined && to !== undefined && from > to) {
    throw usageError(`--from ${from} is after --to ${to}`);
  }
  return { from, to };
};

/** Writes an answer in the format asked for; --json has been printed by successBody already. */
const write = (io: Io, format: Format, heading: string, tables: readonly IgTable[]): void => {
  const [main] = tables;
  if (format === 'csv') io.stdout(main === undefined ? '' : igTableCsv(main));
  if (format === 'table') io.stdout(`${heading}\n\n${igTablesText(tables)}`);
};

/** Asks one question and writes its answer: the steps every `pbx ig` command shares. */
const answerOf = async <T>(
  input: CommandInput,
  ask: (connection: Connection) => Promise<PbxResponse<T>>,
): Promise<T> => {
  const connection = await connect(input.values, input.io);
  const response = await reach(connection.url, () => ask(connection));
  return successBody(response, input.values, input.io);
};

type Period = ReturnType<typeof periodOf>;

/** A question asked with a period only: its call, and its answer's tables. */
const periodQuestion =
  <T extends Parameters<typeof igAnswerHeading>[0]>(
    ask: (client: PbxClient, query: Period) => Promise<PbxResponse<T>>,
    tables: (answer: T) => IgTable[],
  ) =>
  async (input: CommandInput): Promise<void> => {
    const format = formatOf(input.values);
    const query = periodOf(input.values);
    const answer = await answerOf(input, ({ client }) => ask(client, query));
    write(input.io, format, igAnswerHeading(answer), tables(answer));
  };

const periodQuestions = {
  refusals: periodQuestion((c, query) => c.invoke('GetIgRefusals', { query }), refusalsTables),
  'without-agreement': periodQuestion(
    (c, query) => c.invoke('GetIgWithoutAgreement', { query }),
    refusalsTables,
  ),
  'cross-footprint': periodQuestion((c, query) => c.invoke('GetIgCrossFootprint', { query }), refusalsTables),
  'past-review': periodQuestion((c, query) => c.invoke('GetIgPastReview', { query }), pastReviewTables),
  'consent-not-sought': periodQuestion(
    (c, query) => c.invoke('GetIgConsentNotSought', { query }),
    consentNotSoughtTables,
  ),
  placements: periodQuestion((c, query) => c.invoke('GetIgPlacements', { query }), placementsTables),
  outcomes: periodQuestion((c, query) => c.invoke('GetIgOutcomes', { query }), outcomesTables),
  challenges: periodQuestion((c, query) => c.invoke('GetIgChallenges', { query }), challengesTables),
  outstanding: periodQuestion((c, query) => c.invoke('GetIgOutstanding', { query }), outstandingTables),
} as const;
export type PeriodQuestion = keyof typeof periodQuestions;

/** `pbx ig refusals`, `without-agreement`, …, `outstanding`: the questions asked with a period only. */
export const runIgPeriodQuestion = (question: PeriodQuestion) => periodQuestions[question];

/** `pbx ig requests`. */
export const runIgRequests = async (input: CommandInput): Promise<void> => {
  const { values } = input;
  const format = formatOf(values);
  const query = {
    ...periodOf(values),
    by: oneOf('by', values.by, requestPeriods),
    group: oneOf('group', values.group, requestGroupings),
  };
  const answer = await answerOf(input, ({ client }) => client.invoke('GetIgRequests', { query }));
  write(input.io, format, igAnswerHeading(answer), requestsTables(answer));
};

/** `pbx ig report --quarter 2026Q3 [--footprint ID]`. */
export const runIgReport = async (input: CommandInput): Promise<void> => {
  const { values } = input;
  const format = formatOf(values);
  const { quarter } = values;
  if (quarter === undefined || !quarterPattern.test(quarter)) {
    throw usageError(
      quarter === undefined
        ? 'missing --quarter YYYYQn, e.g. --quarter 2026Q3'
        : `--quarter must be a quarter, YYYYQn (e.g. 2026Q3), not "${quarter}"`,
    );
  }
  const answer = await answerOf(input, async (connection) => {
    const footprint = values.footprint ?? (await reportFootprintOf(connection, input.io));
    return connection.client.invoke('GetIgReport', { query: { quarter, footprint } });
  });
  write(input.io, format, igReportHeading(answer), reportTables(answer));
};

// ---- The asker's footprints, and child -------------------------------------------------------------------

type Registry = {
  readonly organisations: readonly Organisation[];
  readonly footprints: readonly Footprint[];
};

/** The organisation the signing client belongs to, as the public registry says. */
const callerOf = async (connection: Connection, io: Io) => {
  const registry = successBody(await reach(connection.url, () => connection.client.registry()), {}, io);
  const organisationId = registry.clients.find((c) => c.id === connection.clientId)?.organisationId;
  const organisation = registry.organisations.find((o) => o.id === organisationId);
  if (organisation === undefined) {
    throw new CliError(
      'UNTRUSTED_ANSWER',
      `the registry names no organisation of client ${connection.clientId}`,
    );
  }
  return { registry, organisation };
};

/**
 * The footprints whose references the child may have been recorded under, as far as the asker can see: every
 * footprint the asker's organisation is or was a member of (the operator: every footprint).
 */
const askersFootprints = (registry: Registry, organisation: Organisation): string[] =>
  registry.footprints
    .filter(
      (f) =>
        organisation.kind === 'exchange-operator' ||
        f.memberships.some((m) => m.organisationId === organisation.id),
    )
    .map((f) => f.id);

/** The report's footprint when --footprint does not name it: the asker's one partnership, if it has one. */
const reportFootprintOf = async (connection: Connection, io: Io): Promise<string> => {
  const { registry, organisation } = await callerOf(connection, io);
  const footprints = askersFootprints(registry, organisation);
  if (footprints.length === 1 && footprints[0] !== undefined) return footprints[0];
  throw usageError('name the footprint the report covers with --footprint ID', [
    `${organisation.id} is in ${footprints.length === 0 ? 'no footprint' : footprints.join(', ')}`,
  ]);
};

/** The NHS number of --nhs-number (or stdin), normalised; an invalid number is said without echoing it. */
const nhsNumberOf = async (values: OptionValues, io: Io): Promise<string> => {
  const given = values['nhs-number'];
  if (given === undefined)
    throw usageError("missing --nhs-number N (- reads it from stdin): the child's NHS number");
  try {
    return normaliseNhsNumber(given === '-' ? await readStdinLine(io) : given);
  } catch (error) {
    if (error instanceof SubjectReferenceError) throw usageError(`--nhs-number: ${error.message}`);
    throw error;
  }
};

/**
 * The child's reference in each footprint whose key is at hand. A footprint without a key file here is skipped
 * with a note on stderr (the asker cannot have recorded the child under it from this machine); any other fault of
 * a key file stops the command.
 */
const referencesOf = async (
  values: OptionValues,
  io: Io,
  nhsNumber: string,
  footprintIds: readonly string[],
): Promise<string[]> => {
  const references: string[] = [];
  for (const footprintId of footprintIds) {
    const keyFile = footprintKeyFileOf(values, io, footprintId);
    try {
      const referenceOf = await loadSubjectReferencer(keyFile, footprintId);
      references.push(referenceOf({ kind: 'nhs-number', nhsNumber }));
    } catch (error) {
      if (error instanceof FootprintKeyFileError && error.code === 'MISSING' && footprintIds.length > 1) {
        io.stderr(`note: no key of footprint ${footprintId} (${showPath(io, keyFile)}); not asked about\n`);
        continue;
      }
      if (error instanceof FootprintKeyFileError) {
        throw new CliError('LOCAL_INPUT', error.message.replace(keyFile, showPath(io, keyFile)), [
          "the footprint's key derives the subject reference here; name it with --key-file FILE",
        ]);
      }
      throw error;
    }
  }
  if (references.length === 0) {
    throw new CliError('LOCAL_INPUT', `no footprint key at hand for ${footprintIds.join(', ')}`);
  }
  return references;
};

/** The organisations' names, by id, from the public registry. */
const namesOf = (registry: Registry): OrganisationNames =>
  new Map(registry.organisations.map((o) => [o.id, o.name]));

/**
 * `pbx ig child --nhs-number N|- [--footprint A,B] [--key-file FILE] [--disclosure]`: the child's records, or with
 * --disclosure the subject access report (restricted entries withheld, and said to be), as text fit to print.
 */
export const runIgChild = async (input: CommandInput): Promise<void> => {
  const { values, io } = input;
  const format = formatOf(values);
  if (values.disclosure && format === 'csv') throw usageError('--disclosure is text or --json, not --csv');
  const named = values.footprint?.split(',').filter((f) => f !== '');
  if (values['key-file'] !== undefined && named?.length !== 1) {
    throw usageError('--key-file is the key of one footprint: name it with --footprint ID');
  }
  // Checked before anything is read or sent, so a mistyped number is the first thing said.
  const nhsNumber = await nhsNumberOf(values, io);
  const connection = await connect(values, io);
  const { registry, organisation } = await callerOf(connection, io);
  const names = namesOf(registry);
  const footprints = named ?? askersFootprints(registry, organisation);
  if (footprints.length > maxChildReferences) {
    throw usageError(
      `one question takes at most ${maxChildReferences} footprints, not ${footprints.length}: name them with --footprint A,B`,
    );
  }
  const references = await referencesOf(values, io, nhsNumber, footprints);
  const query = { subjectRef: references.join(',') };
  if (values.disclosure) {
    const report = successBody(
      await reach(connection.url, () => connection.client.invoke('GetIgChildDisclosure', { query })),
      values,
      io,
    );
    write(io, format, igDisclosureHeading(report), disclosureTables(report, names));
    return;
  }
  const answer = successBody(
    await reach(connection.url, () => connection.client.invoke('GetIgChild', { query })),
    values,
    io,
  );
  write(io, format, igChildHeading(answer), childTables(answer, names));
};

// ---- Restrictions ----------------------------------------------------------------------------------------------

const restrictionLine = (r: IgRestriction): string =>
  `${r.id}  entry ${r.index}  ${r.reasonCode}  until ${r.until}  ${r.inForce ? 'in force' : r.state === 'lifted' ? 'lifted' : 'ended'}`;

/** `pbx ig restrict INDEX --reason-code C --reason TEXT --until YYYY-MM-DD`. */
export const runIgRestrict = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const [given] = operands;
  if (given === undefined || !/^\d{1,15}$/.test(given)) {
    throw usageError('INDEX is the leaf index of the entry to restrict, as pbx ig child shows it (Leaf)');
  }
  const reasonCode = oneOf('reason-code', values['reason-code'], restrictionReasonCodes);
  if (reasonCode === undefined) {
    throw usageError(`missing --reason-code C: one of ${restrictionReasonCodes.join(', ')}`);
  }
  const reason = values.reason?.trim();
  if (reason === undefined || reason === '') throw usageError('missing --reason TEXT: why, in words');
  const { until } = values;
  if (until === undefined || !endDate.safeParse(until).success) {
    throw usageError(
      '--until YYYY-MM-DD is the end date: the restriction holds to the end of that day (UTC)',
    );
  }
  const { client, url } = await connect(values, io);
  const body = { index: Number(given), reasonCode, reason, until };
  const { restriction } = successBody(
    await reach(url, () => client.invoke('CreateIgRestriction', { body })),
    values,
    io,
  );
  if (values.json) return;
  io.stdout(
    `restricted entry ${restriction.index} from subject access reports until ${restriction.until}\n` +
      `${restrictionLine(restriction)}\n`,
  );
};

/** `pbx ig restrictions`: the organisation's restrictions, newest first. */
export const runIgRestrictions = async ({ values, io }: CommandInput): Promise<void> => {
  const { client, url } = await connect(values, io);
  const { restrictions } = successBody(
    await reach(url, () => client.invoke('ListIgRestrictions')),
    values,
    io,
  );
  if (values.json) return;
  io.stdout(
    restrictions.length === 0
      ? 'no restrictions\n'
      : `${restrictions.map((r) => `${restrictionLine(r)}\n  ${r.reason}\n`).join('')}`,
  );
};

/** `pbx ig restrictions lift ID --reason TEXT`. */
export const runIgLiftRestriction = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const [restrictionId] = operands;
  if (restrictionId === undefined) throw usageError('missing ID: the restriction (pbx ig restrictions)');
  const reason = values.reason?.trim();
  if (reason === undefined || reason === '')
    throw usageError('missing --reason TEXT: why it is lifted early');
  const { client, url } = await connect(values, io);
  const { restriction } = successBody(
    await reach(url, () => client.invoke('LiftIgRestriction', { path: { restrictionId }, body: { reason } })),
    values,
    io,
  );
  if (values.json) return;
  io.stdout(`lifted ${restriction.id}: entry ${restriction.index} is disclosed again\n`);
};
