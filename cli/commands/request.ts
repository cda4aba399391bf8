import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DataRequestView, PbxResponse, RequestDecisionInput, ShareGrant } from '#client/pbx-client.ts';
import { dataCategoryCodes } from '#shared/domain/agreements/catalogue.ts';
import { maxSignedBodyBytes } from '#shared/domain/auth/protocol.ts';
import {
  type DataRequestBody,
  dataRequestBodySchema,
  decisionOutcomes,
  requestDecisionReasonCodes,
  requestStatuses,
  urgencies,
} from '#shared/domain/requests/data-request.ts';
import { idempotencyKeySchema } from '#shared/domain/requests/idempotency.ts';
import { sharePolicy } from '#shared/domain/requests/lifecycle.ts';
import type { ClientAnswerOf, Operations } from '#shared/http/operations.ts';
import {
  FootprintKeyFileError,
  loadSubjectReferencer,
  normaliseNhsNumber,
  SubjectReferenceError,
} from '../subject-reference.ts';
import { listOf, optionNameOf, requestFromOptions, requestOptions } from './check.ts';
import { CliError, usageError } from './cli-error.ts';
import {
  type CommandInput,
  errnoOf,
  type Io,
  type OptionName,
  type OptionValues,
  parseInstant,
  printJson,
  showPath,
} from './command.ts';
import { type Connection, connect, reach, successBody, untrusted } from './connect.ts';
import { problemsOf, readJsonInput } from './json-input.ts';
import { byteProgress, formatBytes } from './progress.ts';
import { hashFile, sha256Hex, uploadFile, writeVerified } from './share-transfer.ts';
import { footprintKeyFileOf } from './subject.ts';

/**
 * `pbx request …`: data requests and shares (docs/REQUESTS.md). A requester creates a request, fetches the share
 * and may withdraw; the responder lists its inbox, decides and releases. Every step is signed; the steps that
 * change a request carry an Idempotency-Key so that a retry after a lost answer does not do it twice.
 */

const requestIdPattern = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The ID operand, checked here so that a typo is a usage error rather than a round trip. */
export const requestIdOf = (operands: readonly string[], verb: string): string => {
  const [id] = operands;
  if (id === undefined) {
    throw usageError(`missing ID: the request to ${verb} (pbx request list --box inbox|outbox shows them)`);
  }
  if (!requestIdPattern.test(id)) {
    throw usageError(`"${id}" is not a request id (26 characters, e.g. 01JZ8M6Q3T5R0Y4B2N7K9C1D3E)`);
  }
  return id;
};

export const idempotencyKeyOf = (values: OptionValues): string | undefined => {
  const key = values['idempotency-key'];
  if (key !== undefined && !idempotencyKeySchema.safeParse(key).success) {
    throw usageError('--idempotency-key must be 8 to 128 characters of A-Z a-z 0-9 _ . : -');
  }
  return key;
};

const field = (label: string, value: string) => `${label.padEnd(15)}${value}`;

/** A comma-separated list of codes, each one of `known` (a usage error naming the strangers otherwise). */
export const codesOf = (
  option: OptionName,
  value: string | undefined,
  known: readonly string[],
  noun: { one: string; many: string },
): string[] => {
  const codes = listOf(value ?? '');
  if (codes.length === 0) throw usageError(`missing --${option} A,B: ${noun.many}, comma-separated`);
  const unknown = codes.filter((c) => !known.includes(c));
  if (unknown.length > 0) {
    throw usageError(
      `--${option}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not ${noun.one}`,
      [`${noun.many}: ${known.join(', ')}`],
    );
  }
  return codes;
};

const categoriesOf = (option: OptionName, value: string | undefined): string[] =>
  codesOf(option, value, dataCategoryCodes, { one: 'a data category', many: 'data categories' });

/** What the record says of the agreement's review date when the request was accepted. */
const reviewNote = 'the agreement was past its review date when this request was accepted';

/** The flags of a request in a list row: overdue now, accepted past the agreement's review date. */
const flagsOf = (request: DataRequestView): string =>
  [request.overdue ? 'OVERDUE' : '', request.reviewOverdue === true ? 'REVIEW OVERDUE' : '']
    .filter((f) => f !== '')
    .join(', ');

const describeConsent = (consent: DataRequestView['consent']): string =>
  consent.state === 'obtained'
    ? `obtained by ${consent.obtainedBy} from the ${consent.obtainedFrom} at ${consent.obtainedAt}`
    : 'exemption' in consent && consent.exemption !== undefined
      ? `${consent.state}: ${consent.exemption}${consent.rationale === undefined ? '' : ` (${consent.rationale})`}`
      : consent.state;

/** A request in a few lines: what a user reads before deciding, releasing or fetching. */
const describeRequest = (request: DataRequestView): string[] => {
  const { decision, share } = request;
  return [
    `${request.id}: ${request.status}${request.overdue ? ' (OVERDUE)' : ''}`,
    field(
      'from:',
      `${request.requester.organisationId} (${request.requester.userId} via ${request.requester.clientId})`,
    ),
    field('to:', request.responderOrganisationId),
    field('agreement:', `${request.agreement.id} version ${request.agreement.version}`),
    ...(request.reviewOverdue === true ? [field('review:', reviewNote)] : []),
    field('purpose:', request.purpose),
    field('categories:', request.dataCategories.join(', ')),
    field('basis:', request.lawfulBasis.join(', ')),
    field('consent:', describeConsent(request.consent)),
    field('subject:', request.subjectRef),
    field('urgency:', request.urgency),
    field('justification:', request.justification),
    ...(request.placement === undefined
      ? []
      : [
          field(
            'placement:',
            `placed by ${request.placement.placingAuthority} in ${request.placement.hostAuthority}`,
          ),
        ]),
    field('submitted:', request.submittedAt),
    field('due:', `${request.dueAt}${request.overdue ? ' (overdue)' : ''}`),
    ...(decision === undefined
      ? []
      : [
          field('decision:', `${decision.outcome} by ${decision.decidedBy} at ${decision.decidedAt}`),
          field('reasons:', decision.reasons),
          ...(decision.reasonCodes === undefined
            ? []
            : [field('reason codes:', decision.reasonCodes.join(', '))]),
          ...(decision.withheld === undefined
            ? []
            : [
                field(
                  'withheld:',
                  [decision.withheld.dataCategories?.join(', '), decision.withheld.description]
                    .filter((s) => s !== undefined && s !== '')
                    .join('; '),
                ),
              ]),
        ]),
    ...(share === undefined
      ? []
      : [
          field(
            'share:',
            `${formatBytes(share.size)} (${share.size} bytes) ${share.contentType}, released ${share.releasedAt} by ${share.releasedBy}`,
          ),
          field('  sha256:', share.sha256),
          field('  categories:', share.dataCategories.join(', ')),
          field('  fetched:', `${share.fetchCount} of ${share.maxFetches} times`),
          field('  kept until:', share.expiresAt),
          ...(share.deletedAt === undefined ? [] : [field('  deleted:', share.deletedAt)]),
        ]),
    ...(request.withdrawnAt === undefined
      ? []
      : [field('withdrawn:', `${request.withdrawnAt} by ${request.withdrawnBy ?? 'unknown'}`)]),
    ...(request.closed === undefined
      ? []
      : [field('closed:', `${request.closed.at} by the exchange (${request.closed.reason})`)]),
  ];
};

// ---- create -----------------------------------------------------------------------------------------------

/** The request's own fields, by the option that sets each, for problems worded as the user typed them. */
const createOptionOf: Record<string, string> = {
  subjectRef: '--subject (or --nhs-number with --footprint)',
  urgency: '--urgency',
  justification: '--justification',
  'placement.placingAuthority': '--placing-authority',
  'placement.hostAuthority': '--host-authority',
};
const createOptionNameOf = (path: string): string => createOptionOf[path] ?? optionNameOf(path);

/** The first line of stdin: `--nhs-number -` keeps the number out of the process list and shell history. */
const readStdinLine = async (io: Io): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
};

/**
 * The subject reference from --nhs-number, derived here with the footprint's key: the number is never sent, and
 * never printed, even in an error.
 */
export const deriveSubjectRef = async (
  values: OptionValues,
  io: Io,
  nhsNumberGiven: string,
  footprintOf: () => Promise<string>,
): Promise<string> => {
  let nhsNumber: string;
  try {
    nhsNumber = normaliseNhsNumber(nhsNumberGiven === '-' ? await readStdinLine(io) : nhsNumberGiven);
  } catch (error) {
    if (error instanceof SubjectReferenceError) throw usageError(`--nhs-number: ${error.message}`);
    throw error;
  }
  const footprintId = await footprintOf();
  const keyFile = footprintKeyFileOf(values, io, footprintId);
  try {
    const referenceOf = await loadSubjectReferencer(keyFile, footprintId);
    return referenceOf({ kind: 'nhs-number', nhsNumber });
  } catch (error) {
    if (error instanceof FootprintKeyFileError) {
      throw new CliError('LOCAL_INPUT', error.message.replace(keyFile, showPath(io, keyFile)), [
        "the footprint's key derives the subject reference here; name it with --key-file FILE",
        '(docs/SUBJECT-REFERENCES.md)',
      ]);
    }
    if (error instanceof SubjectReferenceError) throw usageError(`--nhs-number: ${error.message}`);
    throw error;
  }
};

/** The footprint of the agreement the request names, when --footprint does not say: read from the exchange. */
const agreementFootprint = async (io: Io, connection: Connection, agreementId: unknown): Promise<string> => {
  if (typeof agreementId !== 'string') {
    throw usageError(
      '--nhs-number needs --footprint ID, or --agreement naming the agreement to read it from',
    );
  }
  const response = await reach(connection.url, () => connection.client.getAgreement(agreementId));
  const { agreement } = successBody(response, {}, io);
  const latest = agreement.versions.find((v) => v.version === agreement.latestVersion);
  if (latest === undefined) throw untrusted(`the exchange's answer for ${agreementId} names no footprint`);
  return latest.content.footprintId;
};

const readSubmission = async (
  input: CommandInput,
  connection: () => Promise<Connection>,
): Promise<DataRequestBody> => {
  const { values, io } = input;
  const fromFile = values.file !== undefined;
  const subjectGiven = values.subject !== undefined || values['nhs-number'] !== undefined;
  if (values.subject !== undefined && values['nhs-number'] !== undefined) {
    throw usageError('give --subject REF or --nhs-number N, not both');
  }
  if (
    values['nhs-number'] === undefined &&
    (values.footprint !== undefined || values['key-file'] !== undefined)
  ) {
    throw usageError('--footprint and --key-file go with --nhs-number (to derive the subject reference)');
  }
  let request: Record<string, unknown>;
  if (fromFile) {
    const own: readonly OptionName[] = [
      ...requestOptions,
      'urgency',
      'justification',
      'placing-authority',
      'host-authority',
    ];
    const mixed = own.filter((o) => values[o] !== undefined);
    if (mixed.length > 0) {
      throw usageError(`--file gives the whole request: leave out ${mixed.map((o) => `--${o}`).join(', ')}`);
    }
    const json = await readJsonInput(io, values.file ?? '-');
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new CliError('LOCAL_INPUT', 'the request file is not a JSON object; nothing was sent');
    }
    request = { ...json };
    if (subjectGiven && request.subjectRef !== undefined) {
      throw usageError('the file names its subjectRef already: leave out --subject and --nhs-number');
    }
  } else {
    request = requestFromOptions(values) as Record<string, unknown>;
    const missing = [
      ...(subjectGiven ? [] : ['--subject REF (or --nhs-number N --footprint ID)']),
      ...(['urgency', 'justification'] as const).filter((o) => values[o] === undefined).map((o) => `--${o}`),
    ];
    if (missing.length > 0) throw usageError(`missing ${missing.join(', ')}`);
    if (!(urgencies as readonly string[]).includes(values.urgency ?? '')) {
      throw usageError(`--urgency must be one of ${urgencies.join(', ')}, not "${values.urgency}"`);
    }
    request.urgency = values.urgency;
    request.justification = values.justification;
    const placing = values['placing-authority'];
    const host = values['host-authority'];
    if ((placing === undefined) !== (host === undefined)) {
      throw usageError('--placing-authority and --host-authority go together');
    }
    if (placing !== undefined) request.placement = { placingAuthority: placing, hostAuthority: host };
  }
  if (values.subject !== undefined) request.subjectRef = values.subject;
  const nhsNumber = values['nhs-number'];
  if (nhsNumber !== undefined) {
    request.subjectRef = await deriveSubjectRef(values, io, nhsNumber, async () =>
      values.footprint !== undefined
        ? values.footprint
        : agreementFootprint(io, await connection(), request.agreementId),
    );
  }
  const parsed = dataRequestBodySchema.safeParse(request);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error, fromFile ? undefined : createOptionNameOf);
    if (fromFile) throw new CliError('LOCAL_INPUT', 'the request is not valid; nothing was sent', problems);
    throw usageError('the request is not valid; nothing was sent', problems);
  }
  return parsed.data;
};

/** `pbx request create`: submits a request under an Idempotency-Key, generated and shown when not given. */
export const runRequestCreate = async (input: CommandInput): Promise<void> => {
  const { values, io } = input;
  let key = idempotencyKeyOf(values);
  let connection: Connection | undefined;
  const connected = async () => {
    connection ??= await connect(values, io);
    return connection;
  };
  const submission = await readSubmission(input, connected);
  const { client, url } = await connected();
  if (key === undefined) {
    key = `pbx-${randomUUID()}`;
    io.stderr(`idempotency key ${key} (to retry this request safely: --idempotency-key ${key})\n`);
  }
  const idempotencyKey = key;
  const response = await reach(url, () => client.submitRequest(submission, idempotencyKey));
  const { request } = successBody(response, values, io);
  if (values.json) return;
  io.stdout(
    `${[
      `submitted ${request.id} to ${request.responderOrganisationId}`,
      field('status:', request.status),
      field('agreement:', `${request.agreement.id} version ${request.agreement.version}, ${request.purpose}`),
      ...(request.reviewOverdue === true ? [field('review:', reviewNote)] : []),
      field('subject:', request.subjectRef),
      field('due:', `${request.dueAt} (${request.urgency})`),
    ].join('\n')}\n`,
  );
};

// ---- list and show ----------------------------------------------------------------------------------------

const pageLimit = 100;

const boxes = ['inbox', 'outbox'] as const;

export const runRequestList = async ({ values, io }: CommandInput): Promise<void> => {
  const box = values.box;
  if (box === undefined) throw usageError('missing --box inbox|outbox: requests received, or sent');
  if (!(boxes as readonly string[]).includes(box)) {
    throw usageError(`--box must be inbox or outbox, not "${box}"`);
  }
  if (values.status !== undefined && !(requestStatuses as readonly string[]).includes(values.status)) {
    throw usageError(`--status must be one of ${requestStatuses.join(', ')}, not "${values.status}"`);
  }
  const query = new URLSearchParams({ box });
  if (values.status !== undefined) query.set('status', values.status);
  const dueBefore = parseInstant('due-before', values['due-before']);
  if (dueBefore !== undefined) query.set('dueBefore', dueBefore);
  if (values.overdue === true) query.set('overdue', 'true');
  query.set('limit', String(pageLimit));

  const { client, url } = await connect(values, io);
  const requests: DataRequestView[] = [];
  let next: string | undefined;
  do {
    if (next !== undefined) query.set('after', next);
    const response = await reach(url, () => client.listRequests(query));
    // One page as it came with --json; with --all, every page's requests as one answer at the end.
    const page = successBody(response, values.all === true ? {} : values, io);
    if (page.next !== undefined && page.next === next) {
      throw untrusted(`the exchange sent the page after ${next} again`);
    }
    requests.push(...page.requests);
    next = page.next;
  } while (values.all === true && next !== undefined);

  if (values.json) {
    if (values.all === true) printJson(io, { requests });
    return;
  }
  if (requests.length === 0) io.stdout(`no requests in the ${box}\n`);
  else {
    const rows = requests.map((r) => [
      r.id,
      r.status,
      box === 'inbox' ? r.requester.organisationId : r.responderOrganisationId,
      r.purpose,
      r.dueAt.replace(/\.\d{3}Z$/, 'Z'),
      flagsOf(r),
    ]);
    const header = ['ID', 'STATUS', box === 'inbox' ? 'FROM' : 'TO', 'PURPOSE', 'DUE', ''];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
    io.stdout(
      `${[header, ...rows]
        .map((row) =>
          row
            .map((cell, i) => cell.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd(),
        )
        .join('\n')}\n`,
    );
  }
  if (next !== undefined) io.stderr('more requests follow: run with --all to list them all\n');
};

export const runRequestShow = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const id = requestIdOf(operands, 'show');
  const { client, url } = await connect(values, io);
  const { request } = successBody(await reach(url, () => client.getRequest(id)), values, io);
  if (values.json) return;
  io.stdout(`${describeRequest(request).join('\n')}\n`);
};

// ---- decide -----------------------------------------------------------------------------------------------

export const runRequestDecide = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const id = requestIdOf(operands, 'decide');
  const outcome = values.outcome;
  if (outcome === undefined) throw usageError('missing --outcome approve|partial|decline');
  if (!(decisionOutcomes as readonly string[]).includes(outcome)) {
    throw usageError(`--outcome must be one of ${decisionOutcomes.join(', ')}, not "${outcome}"`);
  }
  const reasons = values.reasons?.trim();
  if (reasons === undefined || reasons === '') {
    throw usageError('missing --reasons TEXT: why (a decision not to share is a record too)');
  }
  const description = values['withheld-description']?.trim();
  const withheldGiven = values.withhold !== undefined || description !== undefined;
  if (outcome === 'partial' && !withheldGiven) {
    throw usageError(
      'a partial approval says what is withheld: --withhold A,B and/or --withheld-description TEXT',
    );
  }
  if (outcome !== 'partial' && withheldGiven) {
    throw usageError('--withhold and --withheld-description go with --outcome partial only');
  }
  const reasonCodes =
    values['reason-codes'] === undefined
      ? undefined
      : codesOf('reason-codes', values['reason-codes'], requestDecisionReasonCodes, {
          one: 'a decision reason code',
          many: 'decision reason codes',
        });
  const decision: RequestDecisionInput = {
    outcome: outcome as RequestDecisionInput['outcome'],
    reasons,
    ...(reasonCodes === undefined ? {} : { reasonCodes }),
    ...(withheldGiven
      ? {
          withheld: {
            ...(values.withhold === undefined
              ? {}
              : { dataCategories: categoriesOf('withhold', values.withhold) }),
            ...(description === undefined || description === '' ? {} : { description }),
          },
        }
      : {}),
  };
  const key = idempotencyKeyOf(values);
  const { client, url } = await connect(values, io);
  const { request } = successBody(
    await reach(url, () => client.decideRequest(id, decision, key)),
    values,
    io,
  );
  if (values.json) return;
  io.stdout(
    `${[
      `decided ${request.id}: ${request.status}`,
      ...(request.status === 'declined'
        ? []
        : [
            `release it with: pbx request release ${request.id} --file FILE --content-type TYPE --categories ${request.dataCategories
              .filter((c) => !(request.decision?.withheld?.dataCategories ?? []).includes(c))
              .join(',')}`,
          ]),
    ].join('\n')}\n`,
  );
};

// ---- release ----------------------------------------------------------------------------------------------

const readPayloadFile = async (io: Io, file: string): Promise<{ path: string; size: number }> => {
  const path = resolve(io.cwd, file);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError('LOCAL_INPUT', `${showPath(io, path)} is not a file`);
    return { path, size: info.size };
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = errnoOf(error);
    throw new CliError(
      'LOCAL_INPUT',
      code === 'ENOENT'
        ? `no file ${showPath(io, path)}`
        : `cannot read ${showPath(io, path)} (${code ?? String(error)})`,
    );
  }
};

/**
 * The inline release body for a payload that fits in a signed request: at most `sharePolicy.maxInlineBytes` of
 * payload and, base64-encoded in its JSON body, at most `maxSignedBodyBytes` (the protocol's limit, which is the
 * smaller in practice: about 768 KiB of payload). Anything larger goes through a presigned upload.
 */
const inlineRelease = async (
  path: string,
  size: number,
  declared: { contentType: string; dataCategories: string[] },
) => {
  const encoded = Math.ceil(size / 3) * 4;
  if (size > sharePolicy.maxInlineBytes || encoded > maxSignedBodyBytes) return undefined;
  const bytes = await readFile(path);
  const release = { content: bytes.toString('base64'), sha256: sha256Hex(bytes), ...declared };
  return Buffer.byteLength(JSON.stringify(release)) <= maxSignedBodyBytes ? release : undefined;
};

/**
 * Releases the file at `path` as request `id`'s share: inline when it fits a signed body, otherwise streamed to a
 * presigned upload first. Answers the release's response as it came (`pbx request release`, `pbx cdop report`).
 */
export const releaseFile = async (
  { client, url }: Pick<Connection, 'client' | 'url'>,
  io: Io,
  id: string,
  payload: { path: string; size: number; contentType: string; dataCategories: string[] },
  key: string | undefined,
): Promise<PbxResponse<ClientAnswerOf<Operations['ReleaseShare']>>> => {
  const { path, size, contentType, dataCategories } = payload;
  const shown = showPath(io, path);
  const inline = await inlineRelease(path, size, { contentType, dataCategories });
  if (inline !== undefined) {
    const progress = byteProgress(io, `releasing ${shown}`, size);
    const response = await reach(url, () => client.releaseShare(id, inline, key));
    if (response.status >= 200 && response.status < 300) {
      progress.advance(size);
      progress.done();
    } else progress.abort();
    return response;
  }
  const declared = { ...(await hashFile(path)), contentType };
  if (declared.size !== size) throw new CliError('LOCAL_INPUT', `${shown} changed while it was read`);
  const started = await reach(url, () => client.startShareUpload(id, declared));
  const { upload } = successBody(started, {}, io);
  await uploadFile(path, size, upload, byteProgress(io, `uploading ${shown}`, size));
  return reach(url, () => client.releaseShare(id, { uploadId: upload.uploadId, dataCategories }, key));
};

/**
 * `pbx request release`: the SHA-256 is computed here; a file that fits a signed body (up to 768 KiB) travels inline,
 * a larger one is streamed to a presigned upload URL and released by its upload id. The exchange hashes what it
 * received either way and refuses bytes that are not what was declared.
 */
export const runRequestRelease = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const id = requestIdOf(operands, 'release');
  if (values.file === undefined || values.file === '')
    throw usageError('missing --file PATH: the payload to release');
  const contentType = values['content-type'];
  if (contentType === undefined) {
    throw usageError("missing --content-type TYPE: the payload's media type, e.g. application/pdf");
  }
  if (!/^[a-z]+\/[a-z0-9.+-]+(;.*)?$/i.test(contentType) || contentType.length > 200) {
    throw usageError(`--content-type must be a media type such as application/pdf, not "${contentType}"`);
  }
  const dataCategories = categoriesOf('categories', values.categories);
  const key = idempotencyKeyOf(values);
  const { path, size } = await readPayloadFile(io, values.file);
  if (size === 0)
    throw new CliError('LOCAL_INPUT', `${showPath(io, path)} is empty: there is nothing to release`);
  if (size > sharePolicy.maxUploadBytes) {
    throw new CliError(
      'LOCAL_INPUT',
      `${showPath(io, path)} is ${formatBytes(size)}: the exchange takes shares of up to ${formatBytes(sharePolicy.maxUploadBytes)}`,
    );
  }
  const connection = await connect(values, io);
  const response = await releaseFile(connection, io, id, { path, size, contentType, dataCategories }, key);
  const { request } = successBody(response, values, io);
  if (values.json) return;
  const share = request.share;
  io.stdout(
    `${[
      `released ${request.id} to ${request.requester.organisationId}`,
      ...(share === undefined
        ? []
        : [
            field('size:', `${formatBytes(share.size)} (${share.size} bytes) ${share.contentType}`),
            field('sha256:', share.sha256),
            field('categories:', share.dataCategories.join(', ')),
            field('kept until:', share.expiresAt),
          ]),
    ].join('\n')}\n`,
  );
};

// ---- fetch ------------------------------------------------------------------------------------------------

const exists = async (path: string): Promise<boolean> => {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw error;
  }
};

/** A fetch answer as it may be shown: the grant without its URL (an error answer as it came). */
const withoutGrantUrl = (response: PbxResponse<ShareGrant>): PbxResponse<unknown> => {
  const grant = (response.body as Partial<ShareGrant> | undefined)?.grant;
  if (grant === undefined) return response;
  const { url: _url, ...shown } = grant;
  return { ...response, body: { ...response.body, grant: shown } };
};

/**
 * `pbx request fetch`: gets a grant (counted: each fetch uses one of the share's few), downloads the bytes and
 * writes them to PATH only once their size and SHA-256 match what the exchange recorded at release.
 */
export const runRequestFetch = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const id = requestIdOf(operands, 'fetch');
  if (values.out === undefined || values.out === '')
    throw usageError('missing --out PATH: where to write the share');
  const out = resolve(io.cwd, values.out);
  const shown = showPath(io, out);
  // Checked before the grant: a fetch is counted, and an existing file is not replaced.
  if (await exists(out))
    throw new CliError('LOCAL_INPUT', `${shown} exists; choose another --out (it is not replaced)`);
  if (!(await exists(resolve(out, '..')))) throw new CliError('LOCAL_INPUT', `no folder for ${shown}`);
  const key = idempotencyKeyOf(values);
  const { client, url } = await connect(values, io);
  const response = await reach(url, () => client.fetchShare(id, key));
  // The grant URL is a bearer credential for the bytes (docs/REQUESTS.md): never printed, --json included.
  successBody(withoutGrantUrl(response), values, io);
  const { grant, share } = response.body;

  let download: Response;
  try {
    download = await fetch(grant.url);
  } catch (error) {
    throw new CliError(
      'EXCHANGE_UNREACHABLE',
      `the download failed (${error instanceof Error ? (errnoOf(error.cause) ?? error.message) : String(error)})`,
      [`the grant is valid until ${grant.expiresAt}; fetch again to try once more (each fetch is counted)`],
    );
  }
  if (!download.ok || download.body === null) {
    await download.body?.cancel();
    throw new CliError(
      'EXCHANGE_REFUSED',
      `the download URL answered HTTP ${download.status}; nothing was written`,
    );
  }
  const written = await writeVerified(
    download.body,
    out,
    share,
    byteProgress(io, `downloading to ${shown}`, share.size),
  );
  if (values.json) return;
  io.stdout(
    `${[
      `fetched ${id} to ${shown}`,
      field('size:', `${formatBytes(written.size)} (${written.size} bytes) ${share.contentType}`),
      field('sha256:', `${written.sha256} (verified)`),
      field('categories:', share.dataCategories.join(', ')),
      field(
        'fetches:',
        `${share.fetchCount}/${share.maxFetches} (${share.maxFetches - share.fetchCount} left)`,
      ),
      field('kept until:', share.expiresAt),
    ].join('\n')}\n`,
  );
};

// ---- withdraw ---------------------------------------------------------------------------------------------

export const runRequestWithdraw = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const id = requestIdOf(operands, 'withdraw');
  const key = idempotencyKeyOf(values);
  const { client, url } = await connect(values, io);
  const { request } = successBody(await reach(url, () => client.withdrawRequest(id, key)), values, io);
  if (values.json) return;
  io.stdout(
    `${[
      `withdrew ${request.id}: ${request.status}`,
      ...(request.share === undefined
        ? []
        : [
            request.share.deletedAt === undefined
              ? 'its share can no longer be fetched; its bytes are deleted now (or by the next sweep)'
              : `its share was deleted at ${request.share.deletedAt}`,
          ]),
    ].join('\n')}\n`,
  );
};
