import { randomUUID } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as z from 'zod';
import type { CdopNotificationInput, PbxResponse } from '#client/pbx-client.ts';
import { deathCategories, deathCategoryCodes, parseAnalysis } from '#shared/domain/cdop/analysis.ts';
import { type CasePack, type CdopCase, caseIdSchema, cdopsOfBorough } from '#shared/domain/cdop/case.ts';
import { caseReviewPurpose } from '#shared/domain/cdop/fan-out.ts';
import {
  type PanelPack,
  type PlaceCategory,
  panelPackHash,
  placeCategories,
} from '#shared/domain/cdop/panel-pack.ts';
import {
  identifyingValueWarnings,
  parseReport,
  type ReportingForm,
  schemaVersionOf,
} from '#shared/domain/cdop/reporting-form.ts';
import { InputError } from '#shared/domain/errors.ts';
import { parseSubjectReference } from '#shared/domain/subjects/subject-reference.ts';
import type { ClientAnswerOf, Operations } from '#shared/http/operations.ts';
import { listOf } from './check.ts';
import { CliError, usageError } from './cli-error.ts';
import { type CommandInput, errnoOf, type Io, type OptionValues, printJson, showPath } from './command.ts';
import { type Connection, connect, reach, successBody, untrusted } from './connect.ts';
import { readJsonInput } from './json-input.ts';
import { formatBytes } from './progress.ts';
import { deriveSubjectRef, idempotencyKeyOf, releaseFile, requestIdOf } from './request.ts';

/**
 * `pbx cdop …`: the child death overview panel's case workspace (docs/CDOP.md). The CDOP's manager or coordinator
 * opens a case on notification of a death, asks agencies for their reports (a data request each, judged by the
 * CDOP's child death review agreement), follows them up, assembles the panel pack, closes the case with the panel's
 * analysis, and exports it or counts it in the year's figures. An agency answers with `pbx cdop report`, which is
 * the data request's decision and release in one step. Steps that change a case carry an Idempotency-Key.
 */

// ---- shared ------------------------------------------------------------------------------------------------

/** The CASE operand, checked here so that a typo is a usage error rather than a round trip. */
const caseIdOf = (operands: readonly string[], verb: string): string => {
  const [id] = operands;
  if (id === undefined) throw usageError(`missing CASE: the case to ${verb} (pbx cdop list shows them)`);
  if (!caseIdSchema.safeParse(id).success) {
    throw usageError(`"${id}" is not a case id (26 characters, e.g. 01JZ8M6Q3T5R0Y4B2N7K9C1D3E)`);
  }
  return id;
};

/** The key a changing step is sent with: --idempotency-key, or a new one shown on stderr to retry with. */
const stepKeyOf = (values: OptionValues, io: Io): string => {
  const given = idempotencyKeyOf(values);
  if (given !== undefined) return given;
  const key = `pbx-${randomUUID()}`;
  io.stderr(`idempotency key ${key} (to retry this step safely: --idempotency-key ${key})\n`);
  return key;
};

/** The body of a 2xx answer, printed with --json only if it is a refusal: for a step whose answer is not the last. */
const quietBody = <T>(response: PbxResponse<T>, values: OptionValues, io: Io): T =>
  successBody(response, response.status >= 200 && response.status < 300 ? {} : values, io);

const field = (label: string, value: string) => `${label.padEnd(15)}${value}`;

/** Columns padded to their widest cell, two spaces apart. */
const formatTable = (header: readonly string[], rows: readonly (readonly string[])[]): string[] => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
};

/** `1 report`, `2 reports`. */
const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

const shortInstant = (at: string): string => at.replace(/\.\d{3}Z$/, 'Z');

/**
 * Where to write --out: checked before anything is asked of the exchange. An existing file is not replaced, as
 * `pbx request fetch` does not replace one.
 */
const outPathOf = async (io: Io, out: string | undefined): Promise<string | undefined> => {
  if (out === undefined) return undefined;
  if (out === '') throw usageError('--out needs a file name');
  const path = resolve(io.cwd, out);
  const exists = async (p: string) => {
    try {
      await stat(p);
      return true;
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return false;
      throw error;
    }
  };
  if (await exists(path)) {
    throw new CliError(
      'LOCAL_INPUT',
      `${showPath(io, path)} exists; choose another --out (it is not replaced)`,
    );
  }
  if (!(await exists(dirname(path))))
    throw new CliError('LOCAL_INPUT', `no folder for ${showPath(io, path)}`);
  return path;
};

/** Writes a case document readable by its owner only (it is case data), never over an existing file. */
const writeOut = async (io: Io, path: string, value: unknown): Promise<void> => {
  try {
    await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = errnoOf(error);
    throw new CliError(
      'LOCAL_INPUT',
      code === 'EEXIST'
        ? `${showPath(io, path)} exists; choose another --out (it is not replaced)`
        : `cannot write ${showPath(io, path)} (${code ?? String(error)})`,
    );
  }
};

// ---- the exchange's answers ------------------------------------------------------------------------------------

// The typed client checks every answer against its operation's exact schema (shared/http/views/cdop.ts): what is
// printed is what the exchange answered, and an answer of any other shape is not trusted.

type CaseAnswer = ClientAnswerOf<Operations['GetCdopCase']>;
type AgencyView = CaseAnswer['agencies'][number];
type TimelineView = CaseAnswer['timeline'][number];
type SuggestionView = CaseAnswer['suggestions'][number];
type AgreementNeededView = CdopCase['refusals'][number]['agreementNeeded'];

const placeOf = (c: CdopCase): string => {
  const { place, placeCategory } = c.notification;
  const where =
    place.kind === 'in-footprint' ? "in the CDOP's footprint" : `outside the footprint (${place.area})`;
  return [where, placeCategory].filter((s) => s !== undefined).join(', ');
};

const describeAgencies = (agencies: readonly AgencyView[]): string[] =>
  agencies.length === 0
    ? ['no agency asked yet']
    : formatTable(
        ['AGENCY', 'STATUS', 'REQUEST', 'DUE', 'OVERDUE', 'DECLINED BECAUSE'],
        agencies.map((a) => [
          a.organisationId,
          a.status,
          a.requestId ?? '',
          shortInstant(a.dueAt),
          a.daysOverdue === undefined || a.daysOverdue === 0 ? '' : `${a.daysOverdue} days`,
          a.declinedReasons ?? (a.endedReason === undefined ? '' : `ended: ${a.endedReason}`),
        ]),
      );

const describeAgreementNeeded = (needed: AgreementNeededView, agency: string): string[] => [
  `  agreement needed: ${needed.description}`,
  `  footprint ${needed.footprintId}: ${agency} ${needed.agencyInFootprint ? 'is' : 'is not'} a member`,
  ...needed.coveredElsewhere.map(
    (a) => `  covered elsewhere: ${a.agreementId} (${a.title}) in ${a.footprintId}`,
  ),
];

const describeSuggestions = (suggestions: readonly SuggestionView[]): string[] =>
  formatTable(
    ['AGENCY', 'KIND', 'WHY', 'IN FOOTPRINT', 'NAME'],
    suggestions.map((s) => [s.organisationId, s.kind, s.why, s.inFootprint ? 'yes' : 'NO', s.name]),
  );

const describeTimeline = (timeline: readonly TimelineView[]): string[] =>
  timeline.map((t) =>
    [
      `  ${shortInstant(t.at)}  ${t.kind}`,
      t.organisationId === undefined ? '' : ` ${t.organisationId}`,
      t.by === undefined ? '' : ` by ${t.by}`,
      t.requestId === undefined ? '' : ` (request ${t.requestId})`,
      t.detail === undefined ? '' : `: ${t.detail}`,
    ].join(''),
  );

/** The case header: what it is about, without anything that identifies the child but its reference. */
const describeCase = (c: CdopCase): string[] => {
  const n = c.notification;
  return [
    `${c.id}: ${c.status}`,
    field('cdop:', `${c.cdopOrganisationId} (footprint ${c.footprintId})`),
    field('borough:', n.boroughOfResidence),
    field('died:', `${n.dateOfDeath}, ${n.expected ? 'expected' : 'unexpected'}`),
    field('place:', placeOf(c)),
    field('notified by:', n.notifyingOrganisationId),
    field('subject:', n.subjectRef),
    field('opened:', `${shortInstant(c.createdAt)} by ${c.createdBy}`),
    ...(c.pack === undefined
      ? []
      : [
          field(
            'panel pack:',
            `${c.pack.packHash}, assembled ${shortInstant(c.pack.assembledAt)}, ${counted(c.pack.reports, 'report')}`,
          ),
        ]),
    ...(c.closure === undefined
      ? []
      : [
          field(
            'closed:',
            `${shortInstant(c.closure.closedAt)}, by ${c.closure.closedBy}, category ${c.closure.analysis.categoryOfDeath}`,
          ),
        ]),
  ];
};

const describeCaseAnswer = (answer: CaseAnswer): string[] => {
  const asked = new Set(answer.agencies.map((a) => a.organisationId));
  const toAsk = answer.suggestions.filter((s) => !asked.has(s.organisationId));
  const refusals = answer.case.refusals;
  return [
    ...describeCase(answer.case),
    '',
    'Agencies asked:',
    ...describeAgencies(answer.agencies),
    ...(refusals.length === 0
      ? []
      : [
          '',
          'Asks refused:',
          ...refusals.flatMap((r) => [
            `${r.organisationId} (${shortInstant(r.at)}):`,
            ...r.reasons.map((reason) => `  ${reason.code}: ${reason.message}`),
            ...describeAgreementNeeded(r.agreementNeeded, r.organisationId),
          ]),
        ]),
    ...(toAsk.length === 0 || answer.case.status !== 'open'
      ? []
      : ['', 'Agencies to ask:', ...describeSuggestions(toAsk)]),
    '',
    'Timeline:',
    ...describeTimeline(answer.timeline),
  ];
};

// ---- open --------------------------------------------------------------------------------------------------

/**
 * The CDOP footprint whose key derives the child's reference: the one containing the borough of residence, read
 * from the public registry. Of several, the one the caller's own CDOP belongs to; a borough in another CDOP's
 * footprint gives that footprint, and the exchange then answers that the other CDOP is to be notified.
 */
const cdopFootprintOf = async (connection: Connection, io: Io, borough: string): Promise<string> => {
  const registry = successBody(await reach(connection.url, () => connection.client.registry()), {}, io);
  const caller = registry.clients.find((c) => c.id === connection.clientId)?.organisationId;
  const cdops = cdopsOfBorough(registry, borough, new Date());
  const chosen =
    cdops.find((c) => c.cdopOrganisationId === caller) ?? (cdops.length === 1 ? cdops[0] : undefined);
  if (chosen !== undefined) return chosen.footprintId;
  throw usageError(
    cdops.length === 0
      ? `no CDOP footprint in the registry contains "${borough}" (a council id, e.g. lb-havering?)`
      : `${borough} is in more than one CDOP footprint (${cdops.map((c) => c.footprintId).join(', ')})`,
    ['name the footprint whose key derives the reference with --footprint ID'],
  );
};

const oneOf = <T extends string>(option: string, value: string, allowed: readonly T[]): T => {
  const found = allowed.find((a) => a === value);
  if (found === undefined)
    throw usageError(`--${option} must be one of ${allowed.join(', ')}, not "${value}"`);
  return found;
};

/** The notification's fields from the options, every usage error before anything is read or sent. */
const notificationOptions = (values: OptionValues) => {
  const missing = [
    ...(values.borough === undefined ? ['--borough COUNCIL'] : []),
    ...(values['date-of-death'] === undefined ? ['--date-of-death YYYY-MM-DD'] : []),
    ...(values.expected === undefined && values.unexpected === undefined
      ? ['--expected or --unexpected']
      : []),
    ...(values.place === undefined && values['place-area'] === undefined
      ? ['--place in-footprint or --place-area AREA']
      : []),
    ...(values.notifying === undefined ? ['--notifying ORG'] : []),
    ...(values['nhs-number'] === undefined && values['subject-ref'] === undefined
      ? ['--nhs-number N (or --subject-ref REF)']
      : []),
  ];
  if (missing.length > 0) throw usageError(`missing ${missing.join(', ')}`);
  const dateOfDeath = values['date-of-death'] ?? '';
  if (!z.iso.date().safeParse(dateOfDeath).success) {
    throw usageError(`--date-of-death must be a date, YYYY-MM-DD, not "${dateOfDeath}"`);
  }
  if (values.expected === true && values.unexpected === true) {
    throw usageError('give --expected or --unexpected, not both');
  }
  const area = values['place-area']?.trim();
  let place: CdopNotificationInput['place'];
  if (values.place === 'in-footprint') {
    if (area !== undefined) throw usageError('--place in-footprint takes no --place-area');
    place = { kind: 'in-footprint' };
  } else if (values.place === undefined || values.place === 'out-of-footprint') {
    if (area === undefined || area === '') {
      throw usageError('--place-area AREA: the area or borough the child died in, outside the footprint');
    }
    place = { kind: 'out-of-footprint', area };
  } else {
    throw usageError(`--place must be in-footprint (or give --place-area AREA), not "${values.place}"`);
  }
  const placeCategory: PlaceCategory | undefined =
    values['place-category'] === undefined
      ? undefined
      : oneOf('place-category', values['place-category'], placeCategories);
  if (values['nhs-number'] !== undefined && values['subject-ref'] !== undefined) {
    throw usageError('give --nhs-number N or --subject-ref REF, not both');
  }
  if (
    values['nhs-number'] === undefined &&
    (values.footprint !== undefined || values['key-file'] !== undefined)
  ) {
    throw usageError('--footprint and --key-file go with --nhs-number (to derive the subject reference)');
  }
  const subjectRef = values['subject-ref'];
  if (subjectRef !== undefined && parseSubjectReference(subjectRef)?.kind !== 'nhs-number') {
    throw usageError('--subject-ref must be a reference derived from an NHS number, sr1.<footprint>.<mac>', [
      'pbx subject ref --footprint ID --nhs-number N prints one; or give --nhs-number here',
    ]);
  }
  return {
    borough: values.borough ?? '',
    dateOfDeath,
    expected: values.expected === true,
    place,
    placeCategory,
    notifying: values.notifying ?? '',
    subjectRef,
  };
};

/** `pbx cdop open`: the notification of a death; --nhs-number is turned into the reference here, never sent. */
export const runCdopOpen = async ({ values, io }: CommandInput): Promise<void> => {
  const given = notificationOptions(values);
  idempotencyKeyOf(values);
  let connection: Connection | undefined;
  const connected = async () => {
    connection ??= await connect(values, io);
    return connection;
  };
  const nhsNumber = values['nhs-number'];
  const subjectRef =
    nhsNumber === undefined
      ? (given.subjectRef ?? '')
      : await deriveSubjectRef(values, io, nhsNumber, async () =>
          values.footprint !== undefined
            ? values.footprint
            : cdopFootprintOf(await connected(), io, given.borough),
        );
  const notification: CdopNotificationInput = {
    schemaVersion: '2026',
    subjectRef,
    boroughOfResidence: given.borough,
    dateOfDeath: given.dateOfDeath,
    expected: given.expected,
    place: given.place,
    ...(given.placeCategory === undefined ? {} : { placeCategory: given.placeCategory }),
    notifyingOrganisationId: given.notifying,
  };
  const { client, url } = await connected();
  const key = stepKeyOf(values, io);
  const response = await reach(url, () => client.openCdopCase(notification, key));
  const answer = successBody(response, values, io);
  if (values.json) return;
  if (answer.outcome === 'notify-instead') {
    const { notifyInstead } = answer;
    io.stdout(
      `${[
        `not opened: the child lived in the area of ${notifyInstead.footprintName} (${notifyInstead.footprintId})`,
        field('notify:', notifyInstead.cdopOrganisationId),
        field('why:', answer.reason),
      ].join('\n')}\n`,
    );
    return;
  }
  const { suggestions } = answer;
  io.stdout(
    `${[
      `opened case ${answer.case.id}`,
      ...describeCase(answer.case).slice(1),
      '',
      ...(suggestions.length === 0
        ? ['no agencies to suggest from the registry']
        : [
            `Agencies to ask (pbx cdop request ${answer.case.id} --agency A,B):`,
            ...describeSuggestions(suggestions),
          ]),
    ].join('\n')}\n`,
  );
};

// ---- list and status ---------------------------------------------------------------------------------------

const caseStatuses = ['open', 'closed'] as const;

export const runCdopList = async ({ values, io }: CommandInput): Promise<void> => {
  const status = values.status === undefined ? undefined : oneOf('status', values.status, caseStatuses);
  const { client, url } = await connect(values, io);
  const answer = successBody(await reach(url, () => client.listCdopCases(status)), values, io);
  if (values.json) return;
  const { outstanding } = answer;
  io.stdout(
    `${[
      ...(answer.cases.length === 0
        ? [`no ${status === undefined ? '' : `${status} `}cases`]
        : formatTable(
            [
              'CASE',
              'STATUS',
              'BOROUGH',
              'DATE OF DEATH',
              'ASKED',
              'ANSWERED',
              'OVERDUE',
              'DECLINED',
              'OPENED',
            ],
            answer.cases.map((c) => [
              c.id,
              c.status,
              c.boroughOfResidence,
              c.dateOfDeath,
              ...[c.agencies, c.answered, c.overdue, c.declined].map(String),
              shortInstant(c.createdAt),
            ]),
          )),
      '',
      ...(outstanding.length === 0
        ? ['no reports outstanding on open cases']
        : [
            'Reports outstanding on open cases, the most overdue agency first:',
            ...outstanding.flatMap((agency) => [
              `${agency.organisationId}: ${agency.reports.length} outstanding, ${agency.overdue} overdue` +
                (agency.maxDaysOverdue > 0 ? ` (up to ${agency.maxDaysOverdue} days)` : ''),
              ...agency.reports.map(
                (r) =>
                  `  case ${r.caseId}  ${r.requestId === undefined ? '' : `request ${r.requestId}  `}due ${shortInstant(r.dueAt)}  ${r.status}` +
                  (r.daysOverdue > 0 ? ` ${r.daysOverdue} days` : ''),
              ),
            ]),
          ]),
    ].join('\n')}\n`,
  );
};

export const runCdopStatus = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const caseId = caseIdOf(operands, 'show');
  const { client, url } = await connect(values, io);
  const answer = successBody(await reach(url, () => client.getCdopCase(caseId)), values, io);
  if (values.json) return;
  io.stdout(`${describeCaseAnswer(answer).join('\n')}\n`);
};

// ---- request -----------------------------------------------------------------------------------------------

/**
 * `pbx cdop request`: asks each agency for its report. The call succeeds (exit 0) even when some asks are refused,
 * each printed with its reasons and the agreement needed; --strict makes a refusal exit 1.
 */
export const runCdopRequest = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const caseId = caseIdOf(operands, 'ask agencies on');
  const agencies = [...new Set((values.agency ?? []).flatMap(listOf))];
  if (agencies.length === 0) {
    throw usageError(
      'missing --agency ORG: the agencies to ask (repeat it, or A,B); pbx cdop status suggests them',
    );
  }
  idempotencyKeyOf(values);
  const { client, url } = await connect(values, io);
  const key = stepKeyOf(values, io);
  const answer = successBody(
    await reach(url, () => client.requestCdopReports(caseId, agencies, key)),
    values,
    io,
  );
  const refused = answer.items.filter((i) => i.outcome === 'refused').length;
  if (values.strict === true && refused > 0) io.setExitStatus(1);
  if (values.json) return;
  const lines = answer.items.flatMap((item): string[] => {
    if (item.outcome === 'permitted') {
      return [
        `asked ${item.organisationId}: request ${item.requestId}, report due ${shortInstant(item.dueAt)}`,
      ];
    }
    if (item.outcome === 'already-requested') {
      return [
        `already asked ${item.organisationId}${item.requestId === undefined ? '' : ` (request ${item.requestId})`}`,
      ];
    }
    return [
      `REFUSED ${item.organisationId}:`,
      ...item.reasons.map((r) => `  ${r.code}: ${r.message}`),
      ...describeAgreementNeeded(item.agreementNeeded, item.organisationId),
    ];
  });
  const asked = answer.items.filter((i) => i.outcome === 'permitted').length;
  const already = answer.items.length - asked - refused;
  io.stdout(
    `${[
      ...lines,
      `${asked} asked, ${refused} refused${already === 0 ? '' : `, ${already} already asked`}` +
        (refused > 0 && values.strict !== true ? ' (--strict makes a refusal exit 1)' : ''),
    ].join('\n')}\n`,
  );
};

// ---- report (an agency answering) --------------------------------------------------------------------------

const decideSuffix = '.decide';
const releaseSuffix = '.release';

/** Reads and checks the reporting form here: problems are named by path and code, never by value. */
const readReportingForm = async (io: Io, file: string): Promise<ReportingForm> => {
  const json = await readJsonInput(io, file);
  const shown = showPath(io, resolve(io.cwd, file));
  const version = schemaVersionOf(json);
  try {
    return parseReport(version, json);
  } catch (error) {
    if (error instanceof InputError) {
      throw new CliError('LOCAL_INPUT', `${shown}: ${error.message}; nothing was sent`, error.details ?? []);
    }
    throw error;
  }
};

/**
 * `pbx cdop report`: an agency answers a CDOP's report request. The form is checked here against its version's
 * schema, then the request is approved (if still submitted) and the form released as the share, the same two steps
 * as `pbx request decide` and `pbx request release`. With --decline, the request is declined with the reasons.
 */
export const runCdopReport = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const id = requestIdOf(operands, 'report on');
  const decline = values.decline === true;
  const reasons = values.reasons?.trim();
  if (decline && values.file !== undefined) throw usageError('--decline sends no report: leave out --file');
  if (decline && (reasons === undefined || reasons === '')) {
    throw usageError('missing --reasons TEXT: why the agency declines (recorded, and shown to the CDOP)');
  }
  if (!decline && (values.file === undefined || values.file === '')) {
    throw usageError('missing --file FORM: the reporting form as JSON (or --decline --reasons TEXT)');
  }
  if (!decline && values.file === '-') {
    throw usageError('--file must name a file: the form is released as the file holds it');
  }
  if (reasons === '') throw usageError('--reasons needs some text');
  const given = idempotencyKeyOf(values);
  if (given !== undefined && given.length + releaseSuffix.length > 128) {
    throw usageError(
      `--idempotency-key: at most ${128 - releaseSuffix.length} characters here (one key per step)`,
    );
  }

  let form: { report: ReportingForm; path: string; size: number } | undefined;
  if (values.file !== undefined && !decline) {
    const report = await readReportingForm(io, values.file);
    const path = resolve(io.cwd, values.file);
    form = { report, path, size: (await stat(path)).size };
    for (const w of identifyingValueWarnings(report.partA, report.partB)) {
      io.stderr(
        `warning: ${w.bodyPath} repeats a value of ${w.identifyingField}: the panel pack redacts it; better to reword it\n`,
      );
    }
  }

  const connection = await connect(values, io);
  const { client, url } = connection;
  let { request } = quietBody(await reach(url, () => client.getRequest(id)), values, io);
  if (request.purpose !== caseReviewPurpose) {
    throw usageError(
      `${id} asks for ${request.purpose}, not a child death review report (${caseReviewPurpose})`,
      ['answer it with pbx request decide and pbx request release'],
    );
  }
  if (form !== undefined) {
    const askedAbout = request.cdopCase?.caseId;
    const problems = [
      ...(form.report.agencyId === request.responderOrganisationId
        ? []
        : [
            `agencyId: the form is for another agency than the one asked (${request.responderOrganisationId})`,
          ]),
      ...(askedAbout === undefined || askedAbout === form.report.caseId
        ? []
        : [`caseId: the request is about case ${askedAbout}`]),
    ];
    if (problems.length > 0) {
      throw new CliError('LOCAL_INPUT', 'the form does not answer this request; nothing was sent', problems);
    }
  }
  const key = stepKeyOf(values, io);

  if (form === undefined) {
    const response = await reach(url, () =>
      client.decideRequest(id, { outcome: 'decline', reasons: reasons ?? '' }, `${key}${decideSuffix}`),
    );
    ({ request } = successBody(response, values, io));
    if (values.json) return;
    io.stdout(`declined ${request.id}: ${request.status}; the CDOP sees the reasons on its case\n`);
    return;
  }

  const notes: string[] = [];
  if (request.status === 'submitted') {
    const decision = { outcome: 'approve' as const, reasons: reasons ?? 'report attached' };
    ({ request } = quietBody(
      await reach(url, () => client.decideRequest(id, decision, `${key}${decideSuffix}`)),
      values,
      io,
    ));
    notes.push(`approved ${request.id} (${decision.reasons})`);
  }
  const withheld = request.decision?.withheld?.dataCategories ?? [];
  const dataCategories = request.dataCategories.filter((c) => !withheld.includes(c));
  const response = await releaseFile(
    connection,
    io,
    id,
    { path: form.path, size: form.size, contentType: 'application/json', dataCategories },
    `${key}${releaseSuffix}`,
  );
  const released = successBody(response, values, io).request;
  if (values.json) return;
  const share = released.share;
  io.stdout(
    `${[
      ...notes,
      `released ${released.id} to ${released.requester.organisationId}: the ${form.report.schemaVersion} reporting form for case ${form.report.caseId}`,
      ...(share === undefined
        ? []
        : [
            field('size:', `${formatBytes(share.size)} (${share.size} bytes) ${share.contentType}`),
            field('sha256:', share.sha256),
            field('categories:', share.dataCategories.join(', ')),
          ]),
    ].join('\n')}\n`,
  );
};

// ---- pack --------------------------------------------------------------------------------------------------

/**
 * The pack's hash, computed here as panel-pack.ts `panelPackHash` does (SHA-256 of the canonical JSON of the content,
 * everything but the hash), over the content as it came: the pack read is the pack that was assembled.
 */
const computedPackHash = ({ packHash: _stated, ...content }: PanelPack): string => panelPackHash(content);

export const runCdopPack = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const caseId = caseIdOf(operands, 'show the panel pack of');
  idempotencyKeyOf(values);
  const out = await outPathOf(io, values.out);
  const { client, url } = await connect(values, io);
  let assembled: CasePack | undefined;
  if (values.assemble === true) {
    const key = stepKeyOf(values, io);
    const response = await reach(url, () => client.assembleCdopPanelPack(caseId, key));
    assembled = quietBody(response, values, io).pack;
  }
  const got = await reach(url, () => client.getCdopPanelPack(caseId));
  const body = assembled === undefined ? successBody(got, values, io) : quietBody(got, values, io);
  const { pack } = body;
  if (pack.caseId !== caseId)
    throw untrusted(`the exchange sent the pack of case ${pack.caseId}, not ${caseId}`);
  if (computedPackHash(pack) !== pack.packHash) {
    throw untrusted("the panel pack's content does not hash to the packHash it states; it was not written");
  }
  if (assembled !== undefined && values.json) printJson(io, { assembled, pack });
  if (out !== undefined) await writeOut(io, out, pack);
  if (assembled !== undefined && assembled.packHash !== pack.packHash) {
    io.stderr(
      'note: the pack read is not the one just assembled (another assembly since?): compare the hashes\n',
    );
  }
  if (values.json) return;
  const facts = pack.facts;
  io.stdout(
    `${[
      `panel pack of ${pack.caseId} (${pack.cdopFootprintId})${assembled === undefined ? '' : `, assembled ${shortInstant(assembled.assembledAt)}`}`,
      field('packHash:', `${pack.packHash} (verified)`),
      field(
        'facts:',
        [
          facts.boroughOfResidence,
          `age ${facts.ageBand}`,
          `died ${facts.quarterOfDeath}`,
          facts.expected ? 'expected' : 'unexpected',
          facts.placeCategory,
          facts.diedInFootprint ? 'in the footprint' : 'outside the footprint',
        ].join(', '),
      ),
      field('reports:', String(pack.reports.length)),
      ...pack.reports.map(
        (r) =>
          `  ${r.agencyId}${r.redactions.length === 0 ? '' : ` (${counted(r.redactions.length, 'identifying detail')} redacted)`}`,
      ),
      field(
        'outstanding:',
        pack.agenciesOutstanding.length === 0 ? 'none' : pack.agenciesOutstanding.join(', '),
      ),
      ...(pack.agenciesDeclined.length === 0 ? [] : [field('declined:', pack.agenciesDeclined.join(', '))]),
      ...(pack.agenciesEnded.length === 0
        ? []
        : [field('ended:', `${pack.agenciesEnded.join(', ')} (asks ended without a report)`)]),
      ...(assembled === undefined || assembled.unreadable.length === 0
        ? []
        : [
            'left out (their share is not a reporting form of this case):',
            ...assembled.unreadable.map((u) => `  ${u.organisationId}: ${u.problems.join('; ')}`),
          ]),
      ...(out === undefined ? ['write it with --out FILE'] : [`wrote the pack to ${showPath(io, out)}`]),
    ].join('\n')}\n`,
  );
};

// ---- close -------------------------------------------------------------------------------------------------

export const runCdopClose = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const caseId = caseIdOf(operands, 'close');
  if (values.analysis === undefined || values.analysis === '') {
    throw usageError("missing --analysis FILE: the panel's analysis form as JSON (- reads stdin)");
  }
  idempotencyKeyOf(values);
  const json = await readJsonInput(io, values.analysis);
  const version = schemaVersionOf(json);
  let caseOfAnalysis: string;
  try {
    caseOfAnalysis = parseAnalysis(version, json).caseId;
  } catch (error) {
    if (error instanceof InputError) {
      throw new CliError(
        'LOCAL_INPUT',
        `the analysis: ${error.message}; nothing was sent`,
        error.details ?? [],
      );
    }
    throw error;
  }
  if (caseOfAnalysis !== caseId) {
    throw new CliError(
      'LOCAL_INPUT',
      `the analysis is for case ${caseOfAnalysis}, not ${caseId}; nothing was sent`,
    );
  }
  const { client, url } = await connect(values, io);
  const key = stepKeyOf(values, io);
  const answer = successBody(await reach(url, () => client.closeCdopCase(caseId, json, key)), values, io);
  if (values.json) return;
  const open = answer.agencies.filter((a) => a.status === 'requested' || a.status === 'overdue');
  io.stdout(
    `${[
      `closed ${answer.case.id}: ${answer.case.status}`,
      ...describeCase(answer.case).slice(1),
      ...(open.length === 0
        ? []
        : [field('unanswered:', open.map((a) => `${a.organisationId} (${a.status})`).join(', '))]),
    ].join('\n')}\n`,
  );
};

// ---- export ------------------------------------------------------------------------------------------------

export const runCdopExport = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const caseId = caseIdOf(operands, 'export');
  const version = values.version;
  if (version !== undefined && !/^[A-Za-z0-9._-]{1,20}$/.test(version)) {
    throw usageError(`--version must be an NCMD export version such as 2026, not "${version}"`);
  }
  const out = await outPathOf(io, values.out);
  const { client, url } = await connect(values, io);
  const { export: exported } = successBody(
    await reach(url, () => client.exportCdopCase(caseId, version)),
    values,
    io,
  );
  if (exported.caseId !== caseId)
    throw untrusted(`the exchange sent the export of case ${exported.caseId}, not ${caseId}`);
  if (out !== undefined) await writeOut(io, out, exported);
  if (values.json) return;
  io.stdout(
    `${[
      `NCMD export of ${exported.caseId}, version ${exported.exportSchemaVersion}`,
      field('footprint:', exported.cdopFootprintId),
      field('closed on:', exported.closedOn),
      field(
        'reports:',
        exported.reporting.length === 0 ? 'none' : exported.reporting.map((r) => r.agencyId).join(', '),
      ),
      field('category:', exported.analysis.categoryOfDeath),
      ...(out === undefined
        ? [
            'write it with --out FILE: it holds identifying details (part A of every report), for the NCMD only',
          ]
        : [`wrote the export to ${showPath(io, out)}`]),
    ].join('\n')}\n`,
  );
};

// ---- figures -----------------------------------------------------------------------------------------------

type FiguresView = ClientAnswerOf<Operations['GetCdopFigures']>['figures']['year']['total'];

const measures = (f: FiguresView): string[] =>
  [f.notified, f.reviewed, f.closed, f.withModifiableFactors].map(String);
const measureHeader = ['NOTIFIED', 'REVIEWED', 'CLOSED', 'WITH MODIFIABLE FACTORS'];

const lastDayBefore = (day: string): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** `pbx cdop figures`: the year's table by borough of residence, its quarters and categories, cells as they came. */
export const runCdopFigures = async ({ values, io }: CommandInput): Promise<void> => {
  const year = values.year;
  if (year === undefined)
    throw usageError('missing --year YYYY: the financial year starting 1 April of YYYY');
  if (!/^\d{4}$/.test(year)) throw usageError(`--year must be a year, YYYY, not "${year}"`);
  const audience = values.internal === true ? 'internal' : 'publication';
  const { client, url } = await connect(values, io);
  const answer = successBody(await reach(url, () => client.getCdopFigures(year, audience)), values, io);
  if (values.json) return;
  const { year: table, quarters } = answer.figures;
  const boroughs = table.rows.map((r) => r.borough);
  const themes = answer.learningThemes;
  io.stdout(
    `${[
      `Child deaths, financial year ${table.period.label} (${table.period.from} to ${lastDayBefore(table.period.to)}), by borough of residence`,
      answer.for === 'internal'
        ? 'internal: exact counts, not for publication'
        : 'for publication: counts of 1 to 4 show as <5; c is a cell suppressed so that no <5 can be worked out',
      '',
      ...formatTable(
        ['BOROUGH', ...measureHeader],
        [...table.rows.map((r) => [r.borough, ...measures(r.figures)]), ['total', ...measures(table.total)]],
      ),
      '',
      'Closed cases by category of death:',
      ...formatTable(
        ['CATEGORY', ...boroughs, 'total'],
        deathCategoryCodes.map((c) => [
          deathCategories[c],
          ...table.rows.map((r) => String(r.figures.byCategory[c])),
          String(table.total.byCategory[c]),
        ]),
      ),
      '',
      'By quarter (all boroughs; --json for each borough):',
      ...formatTable(
        ['QUARTER', ...measureHeader],
        quarters.map((q) => [q.period.label, ...measures(q.total)]),
      ),
      '',
      ...(themes.length === 0
        ? ['learning themes: none from closed cases']
        : [
            'Learning themes of closed cases (shareable with a neighbouring CDOP):',
            ...formatTable(
              ['YEAR', 'THEME', 'CASES'],
              themes.map((t) => [t.year, t.label, String(t.cases)]),
            ),
          ]),
    ].join('\n')}\n`,
  );
};
