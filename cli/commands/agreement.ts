import type { AgreementStandingChange, PbxClient } from '#client/pbx-client.ts';
import {
  type AgreementContent,
  type AgreementVersion,
  agreementContentSchema,
  agreementSchema,
  contentHashOf,
} from '#shared/domain/agreements/agreement.ts';
import type { AgreementView } from '#shared/http/api-contract.ts';
import { CliError, usageError } from './cli-error.ts';
import type { CommandInput, Io, OptionValues } from './command.ts';
import { connect, reach, successBody } from './connect.ts';
import { problemsOf, readJsonInput } from './json-input.ts';

const agreementIdSchema = agreementSchema.shape.id;

/** The ID operand, checked here so that a typo is a usage error rather than a round trip. */
const agreementIdOf = (operands: readonly string[], verb: string): string => {
  const [id] = operands;
  if (id === undefined) {
    throw usageError(`missing ID: the agreement to ${verb} (pbx agreement list shows them)`);
  }
  if (!agreementIdSchema.safeParse(id).success) {
    throw usageError(`"${id}" is not an agreement id (isa- and 3 to 60 lower-case letters, digits, hyphens)`);
  }
  return id;
};

const versionOption = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(value)) {
    throw usageError(`--version must be a version number such as 1, not "${value}"`);
  }
  return Number(value);
};

/** Reads an agreement for this command's own use: its JSON is not what --json prints. */
const fetchAgreement = async (client: PbxClient, url: string, id: string, values: OptionValues, io: Io) => {
  const response = await reach(url, () => client.getAgreement(id));
  return successBody(response, { ...values, json: false }, io).agreement;
};

const versionOf = (agreement: AgreementView, number: number | undefined): AgreementVersion => {
  const wanted = number ?? agreement.latestVersion;
  const version = agreement.versions.find((v) => v.version === wanted);
  if (version === undefined) {
    const known = agreement.versions.map((v) => v.version).sort((a, b) => a - b);
    throw usageError(`${agreement.id} has no version ${wanted}; its versions are ${known.join(', ')}`);
  }
  return version;
};

const latestContentOf = (agreement: AgreementView): AgreementContent | undefined =>
  agreement.versions.find((v) => v.version === agreement.latestVersion)?.content;

const versionNumberInForce = (agreement: AgreementView): number | undefined =>
  agreement.standing.state === 'in-force' ? agreement.standing.version : undefined;

const unsignedParties = (version: AgreementVersion): string[] =>
  version.content.parties.filter((p) => !version.signatures.some((s) => s.organisationId === p));

/** Where the agreement stands, in one phrase: the exchange's standing, with who suspended or revoked it and why. */
const describeStanding = (agreement: AgreementView): string => {
  const { revoked, suspended, standing } = agreement;
  const version = standing.version === undefined ? '' : ` (version ${standing.version})`;
  switch (standing.state) {
    case 'in-force':
      return `in force${version}${standing.reviewOverdue === true ? ', past its review date' : ''}`;
    case 'not-active':
      return 'not active: no version is signed by every party yet';
    case 'suspended':
      return suspended === undefined
        ? 'suspended'
        : `suspended ${suspended.at} by ${suspended.by}: ${suspended.reason}`;
    case 'revoked':
      return revoked === undefined ? 'revoked' : `revoked ${revoked.at} by ${revoked.by}: ${revoked.reason}`;
    case 'expired':
      return `expired${version}`;
    case 'not-yet-valid':
      return `signed by every party, not yet valid${version}`;
  }
};

const field = (label: string, value: string) => `${label.padEnd(13)}${value}`;

const describeContent = (content: AgreementContent, reviewOverdue: boolean): string[] => [
  field('parties:', content.parties.join(', ')),
  field('footprint:', content.footprintId),
  field(
    'valid:',
    `from ${content.validFrom}${content.validTo === undefined ? ', no end date' : ` to ${content.validTo}`}`,
  ),
  field(
    'review:',
    `${content.reviewDate}${reviewOverdue ? ' (overdue)' : ''}; once past it, requests are ${content.blockWhenReviewOverdue ? 'refused' : 'flagged, not refused'}`,
  ),
  field('DPIA:', content.dpiaReference),
  ...(content.appropriatePolicyDocument === undefined
    ? []
    : [field('policy doc:', content.appropriatePolicyDocument)]),
  'purposes:',
  ...content.purposes.flatMap((p) => [
    `  ${p.code}: ${p.description}`,
    `    ${field('categories:', p.dataCategories.join(', '))}`,
    `    ${field('basis:', p.lawfulBasis.join(', '))}`,
    `    ${field('consent:', p.consentRule)}`,
    `    ${field('asked by:', p.rolesAllowedToRequest.join(', '))}`,
    `    ${field('answered by:', p.rolesAllowedToAnswer.join(', '))}`,
    `    ${field('retention:', `${p.retentionDays} days`)}`,
  ]),
];

/**
 * A version's hash, checked here against the content shown, and who has signed it: a party reading `show` reads
 * the content its signature would cover.
 */
const describeVersion = (agreement: AgreementView, version: AgreementVersion): string[] => {
  const computed = contentHashOf(version.content);
  const tags = [
    ...(version.version === agreement.latestVersion ? ['latest'] : []),
    ...(version.version === versionNumberInForce(agreement) ? ['in force'] : []),
  ];
  const width = Math.max(...version.content.parties.map((p) => p.length));
  return [
    `version ${version.version}${tags.length === 0 ? '' : ` (${tags.join(', ')})`}: created ${version.createdAt} by ${version.createdBy}`,
    `  content hash ${version.contentHash}${computed === version.contentHash ? ' (matches the content)' : ` DOES NOT MATCH the content, which hashes to ${computed}: do not sign it`}`,
    version.activatedAt === undefined
      ? `  awaiting signatures from: ${unsignedParties(version).join(', ')}`
      : `  signed by every party; active since ${version.activatedAt}`,
    ...version.content.parties.map((party) => {
      const signature = version.signatures.find((s) => s.organisationId === party);
      const name = party.padEnd(width);
      if (signature === undefined) return `    ${name}  not signed`;
      const hash =
        signature.contentHash === version.contentHash ? '' : ` over ANOTHER hash ${signature.contentHash}`;
      return `    ${name}  signed ${signature.signedAt} by ${signature.userId} (${signature.role}) via ${signature.clientId}${hash}`;
    }),
  ];
};

export const runAgreementShow = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const id = agreementIdOf(operands, 'show');
  const number = versionOption(values.version);
  const { client, url } = await connect(values, io);
  const { agreement } = successBody(await reach(url, () => client.getAgreement(id)), values, io);
  if (values.json) return;
  const shown = versionOf(agreement, number);
  const reviewOverdue =
    agreement.standing.reviewOverdue === true && versionNumberInForce(agreement) === shown.version;
  const versions =
    number === undefined ? [...agreement.versions].sort((a, b) => b.version - a.version) : [shown];
  io.stdout(
    `${[
      `${agreement.id}: ${shown.content.title}`,
      field('standing:', describeStanding(agreement)),
      field('content of:', `version ${shown.version} of ${agreement.latestVersion}`),
      ...describeContent(shown.content, reviewOverdue),
      ...versions.flatMap((v) => describeVersion(agreement, v)),
    ].join('\n')}\n`,
  );
};

export const runAgreementList = async ({ values, io }: CommandInput): Promise<void> => {
  const { client, url } = await connect(values, io);
  const body = successBody(await reach(url, () => client.listAgreements()), values, io);
  if (values.json) return;
  const agreements = [...body.agreements].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (agreements.length === 0) return io.stdout('no agreements\n');
  const width = Math.max(...agreements.map((a) => a.id.length));
  io.stdout(
    `${agreements
      .map((a) => {
        const content = latestContentOf(a);
        return [
          `${a.id.padEnd(width)}  ${content?.title ?? ''}`,
          `${' '.repeat(width)}  ${describeStanding(a)}; latest version ${a.latestVersion}; parties ${content?.parties.join(', ') ?? 'unknown'}`,
        ].join('\n');
      })
      .join('\n')}\n`,
  );
};

/**
 * Keys of the file that the schema does not know and would silently drop: a misspelt `validTo` must not become an
 * agreement with no end date.
 */
const unknownKeys = (raw: unknown, parsed: unknown, path = ''): string[] => {
  if (Array.isArray(raw) && Array.isArray(parsed)) {
    return raw.flatMap((item, i) => unknownKeys(item, parsed[i], `${path}${i}.`));
  }
  if (typeof raw !== 'object' || raw === null || typeof parsed !== 'object' || parsed === null) return [];
  const known = new Map(Object.entries(parsed));
  return Object.entries(raw).flatMap(([key, value]) =>
    known.has(key) ? unknownKeys(value, known.get(key), `${path}${key}.`) : [`${path}${key}`],
  );
};

const signHint = (id: string, version: number, parties: readonly string[]) =>
  `each party's IG lead or Caldicott guardian signs it: pbx agreement sign ${id}${version === 1 ? '' : ` --version ${version}`} --as <party>-system --sub <party>.ig-lead (parties: ${parties.join(', ')})`;

/** The agreement content in FILE, checked here as the exchange will check it: nothing is sent if it fails. */
const readAgreementContent = async (io: Io, file: string): Promise<AgreementContent> => {
  const json = await readJsonInput(io, file);
  const parsed = agreementContentSchema.safeParse(json);
  const fields = new Set(Object.keys(agreementContentSchema.shape));
  const unknown = parsed.success
    ? unknownKeys(json, parsed.data)
    : typeof json === 'object' && json !== null
      ? Object.keys(json).filter((key) => !fields.has(key))
      : [];
  const problems = [
    ...(parsed.success ? [] : problemsOf(parsed.error)),
    ...unknown.map((key) => `${key}: not a field of an agreement`),
  ];
  if (!parsed.success || problems.length > 0) {
    const shown = file === '-' ? 'stdin' : file;
    throw new CliError('LOCAL_INPUT', `${shown} is not a valid agreement; nothing was sent`, problems);
  }
  return parsed.data;
};

/** The exchange must have recorded the content sent, byte for byte in canonical form, before anyone signs it. */
const checkRecordedHash = (id: string, version: AgreementVersion, content: AgreementContent) => {
  const expected = contentHashOf(content);
  if (version.contentHash !== expected) {
    throw new CliError(
      'UNTRUSTED_ANSWER',
      `the exchange recorded ${id} version ${version.version}, but states its content hash as ${version.contentHash}, not ${expected} as the file's content hashes`,
      [`read it with pbx agreement show ${id} --version ${version.version} before anyone signs it`],
    );
  }
};

export const runAgreementCreate = async ({ values, io }: CommandInput): Promise<void> => {
  if (values.file === undefined) {
    throw usageError('missing --file FILE: the agreement content as JSON (- reads it from stdin)');
  }
  if (values.id !== undefined && !agreementIdSchema.safeParse(values.id).success) {
    throw usageError(
      `--id must be isa- and 3 to 60 lower-case letters, digits and hyphens, not "${values.id}"`,
    );
  }
  const content = await readAgreementContent(io, values.file);
  const { client, url } = await connect(values, io);
  const response = await reach(url, () => client.createAgreement(content, values.id));
  const { agreement } = successBody(response, values, io);
  const version = versionOf(agreement, undefined);
  checkRecordedHash(agreement.id, version, content);
  if (values.json) return;
  io.stdout(
    `${[
      `created ${agreement.id} version ${version.version}: ${content.title}`,
      `content hash ${version.contentHash}`,
      signHint(agreement.id, version.version, content.parties),
    ].join('\n')}\n`,
  );
};

export const runAgreementPropose = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const id = agreementIdOf(operands, 'change');
  if (values.file === undefined) {
    throw usageError('missing --file FILE: the new content as JSON (- reads it from stdin)');
  }
  const content = await readAgreementContent(io, values.file);
  const { client, url } = await connect(values, io);
  const { version } = successBody(
    await reach(url, () => client.proposeAgreementVersion(id, content)),
    values,
    io,
  );
  checkRecordedHash(id, version, content);
  if (values.json) return;
  io.stdout(
    `${[
      `proposed ${id} version ${version.version}: ${content.title}`,
      `content hash ${version.contentHash}`,
      'the version in force stays in force until every party has signed this one',
      signHint(id, version.version, content.parties),
    ].join('\n')}\n`,
  );
};

/**
 * Signs what the signer reads: the content hash is computed here from the content the exchange sent, and the
 * signature refused if it differs from the hash the exchange states (or from --hash, the hash the signer
 * reviewed). The exchange cannot have a party sign a hash over content it did not show.
 */
export const runAgreementSign = async ({ values, operands, io }: CommandInput): Promise<void> => {
  const id = agreementIdOf(operands, 'sign');
  const number = versionOption(values.version);
  const reviewed = values.hash;
  const { client, url } = await connect(values, io);
  const agreement = await fetchAgreement(client, url, id, values, io);
  const version = versionOf(agreement, number);
  const computed = contentHashOf(version.content);
  const name = `${id} version ${version.version}`;
  if (computed !== version.contentHash) {
    throw new CliError(
      'UNTRUSTED_ANSWER',
      `refusing to sign ${name}: the exchange states its content hash as ${version.contentHash}, but the content it sent hashes to ${computed}`,
      ['a signature over the stated hash would not be over the content you read; nothing was signed'],
    );
  }
  if (reviewed !== undefined && reviewed !== computed) {
    throw new CliError(
      'UNTRUSTED_ANSWER',
      `refusing to sign ${name}: its content hash is ${computed}, not the ${reviewed} you reviewed`,
      [`read it again with pbx agreement show ${id} --version ${version.version}; nothing was signed`],
    );
  }
  const response = await reach(url, () => client.signAgreementVersion(id, version.version, computed));
  const { version: signed } = successBody(response, values, io);
  if (values.json) return;
  const mine = signed.signatures.find(
    (s) => !version.signatures.some((before) => before.organisationId === s.organisationId),
  );
  const awaiting = unsignedParties(signed);
  io.stdout(
    `${[
      `signed ${name} (${signed.content.title})${mine === undefined ? '' : ` for ${mine.organisationId} as ${mine.userId} (${mine.role})`}`,
      `content hash ${computed}`,
      signed.activatedAt === undefined
        ? `awaiting signatures from: ${awaiting.join(', ')}`
        : `every party has signed: version ${signed.version} is active since ${signed.activatedAt}`,
    ].join('\n')}\n`,
  );
};

const pastTense: Record<AgreementStandingChange, string> = {
  suspend: 'suspended',
  resume: 'resumed',
  revoke: 'revoked',
};

export const runAgreementStandingChange =
  (change: AgreementStandingChange) =>
  async ({ values, operands, io }: CommandInput): Promise<void> => {
    const id = agreementIdOf(operands, change);
    const reason = values.reason?.trim();
    if (reason === undefined || reason === '') {
      throw usageError(`missing --reason TEXT: why the agreement is ${pastTense[change]} (it is recorded)`);
    }
    const { client, url } = await connect(values, io);
    const response = await reach(url, () => client.changeAgreementStanding(id, change, reason));
    const { agreement } = successBody(response, values, io);
    if (values.json) return;
    io.stdout(`${pastTense[change]} ${agreement.id}\nstanding: ${describeStanding(agreement)}\n`);
  };
