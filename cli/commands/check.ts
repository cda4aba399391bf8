import { type ShareRequest, shareRequestSchema } from '#shared/domain/agreements/decide.ts';
import { decisionSchema } from '#shared/http/api-contract.ts';
import { CliError, usageError } from './cli-error.ts';
import { type CommandInput, type OptionName, type OptionValues, parseInstant } from './command.ts';
import { connect, reach, successBody } from './connect.ts';
import { problemsOf, readJsonInput } from './json-input.ts';

/** The request's fields, by the option that sets each: problems are reported in the words the user typed. */
const optionOfField: Record<string, OptionName> = {
  responderOrganisationId: 'to',
  agreementId: 'agreement',
  purpose: 'purpose',
  dataCategories: 'categories',
  lawfulBasis: 'basis',
  'consent.state': 'consent',
  'consent.exemption': 'exemption',
  'consent.rationale': 'rationale',
  'consent.obtainedBy': 'obtained-by',
  'consent.obtainedFrom': 'obtained-from',
  'consent.obtainedAt': 'obtained-at',
};

export const requestOptions: readonly OptionName[] = Object.values(optionOfField);
const requiredOptions: readonly OptionName[] = [
  'to',
  'agreement',
  'purpose',
  'categories',
  'basis',
  'consent',
];
const consentDetail: Record<string, readonly OptionName[]> = {
  obtained: ['obtained-by', 'obtained-from', 'obtained-at'],
  refused: ['exemption', 'rationale'],
  'not-sought': ['exemption', 'rationale'],
  'not-applicable': [],
};

export const listOf = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

export const optionNameOf = (path: string): string => {
  const [field, index] = /^(.*?)(?:\.(\d+))?$/.exec(path)?.slice(1) ?? [path];
  const option = field === undefined ? undefined : optionOfField[field];
  if (option === undefined) return path;
  return index === undefined ? `--${option}` : `--${option} item ${Number(index) + 1}`;
};

/** The request as the options state it; a detail that does not belong to the consent state given is refused. */
export const requestFromOptions = (values: OptionValues): unknown => {
  const missing = requiredOptions.filter((o) => values[o] === undefined);
  if (missing.length > 0) {
    throw usageError(
      `missing ${missing.map((o) => `--${o}`).join(', ')} (or give the whole request with --file)`,
    );
  }
  const state = values.consent ?? '';
  const allowed = consentDetail[state];
  if (allowed === undefined) {
    throw usageError(
      `--consent must be one of ${Object.keys(consentDetail).join(', ')}, not "${values.consent}"`,
    );
  }
  const misplaced = Object.values(consentDetail)
    .flat()
    .filter((o) => values[o] !== undefined && !allowed.includes(o));
  if (misplaced.length > 0) {
    const named = [...new Set(misplaced)].map((o) => `--${o}`);
    throw usageError(
      `${named.join(', ')} ${named.length === 1 ? 'does' : 'do'} not go with --consent ${state}`,
    );
  }
  const obtainedAt = parseInstant('obtained-at', values['obtained-at']);
  const detail = {
    exemption: values.exemption,
    rationale: values.rationale,
    obtainedBy: values['obtained-by'],
    obtainedFrom: values['obtained-from'],
    obtainedAt,
  };
  return {
    responderOrganisationId: values.to,
    agreementId: values.agreement,
    purpose: values.purpose,
    dataCategories: listOf(values.categories ?? ''),
    lawfulBasis: listOf(values.basis ?? ''),
    consent: {
      state,
      ...Object.fromEntries(Object.entries(detail).filter(([, value]) => value !== undefined)),
    },
  };
};

const readRequest = async ({ values, io }: CommandInput): Promise<ShareRequest> => {
  const fromFile = values.file !== undefined;
  if (fromFile) {
    const mixed = requestOptions.filter((o) => values[o] !== undefined);
    if (mixed.length > 0) {
      throw usageError(`--file gives the whole request: leave out ${mixed.map((o) => `--${o}`).join(', ')}`);
    }
  }
  const request =
    values.file === undefined ? requestFromOptions(values) : await readJsonInput(io, values.file);
  const parsed = shareRequestSchema.safeParse(request);
  if (!parsed.success) {
    const problems = problemsOf(parsed.error, fromFile ? undefined : optionNameOf);
    if (fromFile) throw new CliError('LOCAL_INPUT', 'the request is not valid; nothing was sent', problems);
    throw usageError('the request is not valid; nothing was sent', problems);
  }
  return parsed.data;
};

/**
 * `pbx check`: asks the exchange whether it would allow this request from the caller, and why not. Prints
 * `permit` or `deny` on the first line, then every reason; exits 0 on permit and 1 on deny, so a script can ask.
 */
export const runCheck = async (input: CommandInput): Promise<void> => {
  const { values, io } = input;
  const request = await readRequest(input);
  const { client, url } = await connect(values, io);
  const body = successBody(await reach(url, () => client.evaluateRequest(request)), values, io);
  const parsed = decisionSchema.safeParse(body);
  if (!parsed.success) {
    throw new CliError(
      'UNTRUSTED_ANSWER',
      "the exchange's answer is not a decision",
      problemsOf(parsed.error),
    );
  }
  const { decision, reasons, agreement, reviewOverdue } = parsed.data;
  io.setExitStatus(decision === 'permit' ? 0 : 1);
  if (values.json) return;
  io.stdout(
    `${[
      decision,
      ...(agreement === undefined ? [] : [`  judged by ${agreement.id} version ${agreement.version}`]),
      ...(reviewOverdue === true ? ['  note: the agreement is past its review date'] : []),
      ...reasons.map((r) => `  ${r.code}: ${r.message}`),
    ].join('\n')}\n`,
  );
};
