import { type Command, defaultUrl, type OptionHelp } from './command.ts';

/**
 * Every command with its help. The behaviour is imported when a command runs, so that help and usage errors
 * answer without loading jose and zod.
 */

export const signingOptions: readonly OptionHelp[] = [
  { name: 'as', arg: 'ID', text: 'the client that signs (required); its key is <keys-dir>/<ID>.jwk.json' },
  { name: 'key', arg: 'FILE', text: 'sign with this private JWK instead (--as still names the client)' },
  {
    name: 'keys',
    arg: 'DIR',
    text: 'the keys dir: $PBX_KEYS_DIR, else $PBX_HOME/keys, else .local/keys of the pbx repository',
  },
  { name: 'sub', arg: 'USER', text: 'the user the client acts for, e.g. lb-brent.ig-lead ($PBX_SUB)' },
  { name: 'url', arg: 'URL', text: `the exchange: $PBX_URL, else ${defaultUrl}` },
];

export const commonOptions: readonly OptionHelp[] = [
  { name: 'json', text: "print the exchange's JSON answer as it came" },
  { name: 'help', text: 'show help (also: pbx help COMMAND)' },
];

const clientOption: OptionHelp = {
  name: 'client',
  arg: 'ID',
  text: 'the client whose keys these are (default: the --as client)',
};

const agreementOperand = ['ID'];

const reasonOption: OptionHelp = { name: 'reason', arg: 'TEXT', text: 'why (required; recorded)' };

const standingChange = (change: 'suspend' | 'resume' | 'revoke', summary: string): Command => ({
  words: ['agreement', change],
  synopsis: `agreement ${change} ID --reason TEXT`,
  summary,
  operands: agreementOperand,
  options: [reasonOption],
  signed: true,
  run: async (input) => (await import('./agreement.ts')).runAgreementStandingChange(change)(input),
});

const idempotencyKeyOption: OptionHelp = {
  name: 'idempotency-key',
  arg: 'K',
  text: 'retry a step safely: the same key and call get the first answer (8-128 of A-Z a-z 0-9 _ . : -)',
};

/** `pbx request …`: data requests and shares (docs/REQUESTS.md). */
const requestCommands: readonly Command[] = [
  {
    words: ['request', 'create'],
    synopsis:
      'request create --to ORG --agreement ID --purpose CODE --categories A,B --basis X,Y --consent STATE\n' +
      '  [consent details] (--subject REF | --nhs-number N|-) --urgency U --justification TEXT | --file REQUEST',
    summary:
      'Asks another organisation for information about a child, under an agreement and purpose (as pbx check,\n' +
      'plus the subject, urgency and justification). --nhs-number derives the subject reference here with the\n' +
      "footprint's key (default: the agreement's footprint): the number is never sent or printed. The request is\n" +
      'sent with an Idempotency-Key: --idempotency-key, or a new one printed on stderr to retry with. A refusal\n' +
      'prints every reason (exit 1).',
    operands: [],
    options: [
      { name: 'to', arg: 'ORG', text: 'the organisation asked, e.g. lb-harrow' },
      { name: 'agreement', arg: 'ID', text: 'the agreement the request is made under, isa-…' },
      { name: 'purpose', arg: 'CODE', text: 'the purpose, e.g. SAFEGUARDING_REFERRAL_MASH' },
      { name: 'categories', arg: 'A,B', text: 'data categories asked for, comma-separated' },
      { name: 'basis', arg: 'X,Y', text: 'lawful bases claimed, comma-separated' },
      { name: 'consent', arg: 'STATE', text: 'obtained, refused, not-sought or not-applicable' },
      { name: 'exemption', arg: 'E', text: 'with refused or not-sought: why consent is not relied on' },
      { name: 'rationale', arg: 'TEXT', text: 'why the exemption applies' },
      { name: 'obtained-by', arg: 'WHO', text: 'with obtained: who obtained consent' },
      { name: 'obtained-from', arg: 'WHOM', text: 'child, parent or carer' },
      { name: 'obtained-at', arg: 'ISO', text: 'when consent was obtained' },
      { name: 'subject', arg: 'REF', text: 'the subject reference (pbx subject ref), sr1.…' },
      { name: 'nhs-number', arg: 'N', text: 'derive the reference from this NHS number; - reads stdin' },
      { name: 'footprint', arg: 'ID', text: "with --nhs-number: the footprint (default: the agreement's)" },
      { name: 'key-file', arg: 'FILE', text: "with --nhs-number: the footprint's key file" },
      { name: 'urgency', arg: 'U', text: 'immediate (4 h), urgent (24 h) or routine (120 h) by default' },
      { name: 'justification', arg: 'TEXT', text: 'why the information is needed (the responder reads it)' },
      {
        name: 'placing-authority',
        arg: 'ORG',
        text: 'for a child placed out of borough: who placed the child',
      },
      { name: 'host-authority', arg: 'ORG', text: 'with --placing-authority: where the child is placed' },
      {
        name: 'file',
        arg: 'FILE',
        text: 'the whole request as JSON, as POST /v1/requests takes it (- reads stdin)',
      },
      idempotencyKeyOption,
    ],
    signed: true,
    run: async (input) => (await import('./request.ts')).runRequestCreate(input),
  },
  {
    words: ['request', 'list'],
    synopsis: 'request list --box inbox|outbox [--status S] [--overdue] [--due-before ISO] [--all]',
    summary:
      "Lists your organisation's requests received (inbox) or sent (outbox), newest first: id, status, the\n" +
      'other party, purpose, due date and OVERDUE. One page of up to 100 unless --all, which follows every page.',
    operands: [],
    options: [
      { name: 'box', arg: 'BOX', text: 'inbox (received) or outbox (sent)' },
      {
        name: 'status',
        arg: 'S',
        text: 'submitted, approved, partially-approved, declined, released, expired or withdrawn',
      },
      { name: 'overdue', text: 'only requests still awaiting a decision past their due date' },
      { name: 'due-before', arg: 'ISO', text: 'only requests due before this time' },
      { name: 'all', text: 'follow every page' },
    ],
    signed: true,
    run: async (input) => (await import('./request.ts')).runRequestList(input),
  },
  {
    words: ['request', 'show'],
    synopsis: 'request show ID',
    summary: 'Shows a request to one of its two parties: what was asked and why, the decision, the share.',
    operands: ['ID'],
    options: [],
    signed: true,
    run: async (input) => (await import('./request.ts')).runRequestShow(input),
  },
  {
    words: ['request', 'decide'],
    synopsis:
      'request decide ID --outcome approve|partial|decline --reasons TEXT [--reason-codes A,B] [--withhold A,B]\n' +
      '  [--withheld-description TEXT]',
    summary:
      "The responder's decision, with its reasons (a decision not to share is a record too). A partial approval\n" +
      'says what is withheld: categories, a description, or both; never the withheld data itself.',
    operands: ['ID'],
    options: [
      { name: 'outcome', arg: 'O', text: 'approve, partial or decline' },
      { name: 'reasons', arg: 'TEXT', text: 'why (required; recorded; the audit log holds its SHA-256)' },
      {
        name: 'reason-codes',
        arg: 'A,B',
        text: 'the coded grounds, which the audit log records (NOT_HELD, NOT_NECESSARY, …)',
      },
      { name: 'withhold', arg: 'A,B', text: 'with partial: the requested categories withheld' },
      { name: 'withheld-description', arg: 'TEXT', text: 'with partial: what is withheld, in words' },
      idempotencyKeyOption,
    ],
    signed: true,
    run: async (input) => (await import('./request.ts')).runRequestDecide(input),
  },
  {
    words: ['request', 'release'],
    synopsis: 'request release ID --file PATH --content-type TYPE --categories A,B',
    summary:
      'Releases the payload of an approved request. Its SHA-256 is computed here; a file that fits in a signed\n' +
      'body (about 768 KiB) goes inline, a larger one (up to 200 MiB) is streamed to a presigned upload URL first.\n' +
      'The exchange checks the bytes against the hash. Progress goes to stderr for files over 1 MiB.',
    operands: ['ID'],
    options: [
      { name: 'file', arg: 'PATH', text: 'the payload' },
      { name: 'content-type', arg: 'TYPE', text: 'its media type, e.g. application/pdf' },
      { name: 'categories', arg: 'A,B', text: 'the data categories it carries (requested, not withheld)' },
      idempotencyKeyOption,
    ],
    signed: true,
    run: async (input) => (await import('./request.ts')).runRequestRelease(input),
  },
  {
    words: ['request', 'fetch'],
    synopsis: 'request fetch ID --out PATH',
    summary:
      "Downloads a released share (requester only). Each fetch is counted against the share's limit; the bytes\n" +
      'reach PATH only once their size and SHA-256 match the release (never a partial or unverified file), and an\n' +
      'existing PATH is not replaced. Prints how many fetches are used. Progress on stderr over 1 MiB.',
    operands: ['ID'],
    options: [{ name: 'out', arg: 'PATH', text: 'where to write the share' }, idempotencyKeyOption],
    signed: true,
    run: async (input) => (await import('./request.ts')).runRequestFetch(input),
  },
  {
    words: ['request', 'withdraw'],
    synopsis: 'request withdraw ID',
    summary:
      'The requester withdraws a request (submitted, approved or released); a released share is deleted and no\n' +
      'fetch succeeds after. The request and its audit entries remain.',
    operands: ['ID'],
    options: [idempotencyKeyOption],
    signed: true,
    run: async (input) => (await import('./request.ts')).runRequestWithdraw(input),
  },
];

/** `pbx challenge …`: challenges of a request's answer and their escalation (docs/REQUESTS.md). */
const challengeText = (what: string, codes: string): readonly OptionHelp[] => [
  { name: 'reasons', arg: 'TEXT', text: `${what} (required; recorded; the audit log holds its SHA-256)` },
  {
    name: 'reason-codes',
    arg: 'A,B',
    text: `the coded grounds (required), which the audit log records: ${codes}`,
  },
  idempotencyKeyOption,
];
const challengeCommands: readonly Command[] = [
  {
    words: ['challenge', 'raise'],
    synopsis: 'challenge raise ID --reasons TEXT --reason-codes A,B',
    line: 'challenge a decline, a partial approval or an overdue answer',
    summary:
      'The requester (the user who asked, or its IG lead, Caldicott guardian or DPO) challenges a decline, a\n' +
      "partial approval or an answer owed past its due date. Stage 1 goes to the responder's first escalation\n" +
      "role (the agreement's escalation; by default its IG lead, 5 days, then its Caldicott guardian, 10 days).",
    operands: ['ID'],
    options: challengeText('why the answer is disputed', 'NEEDED_TO_SAFEGUARD, WITHHELD_TOO_MUCH, …'),
    signed: true,
    run: async (input) => (await import('./challenge.ts')).runChallengeRaise(input),
  },
  {
    words: ['challenge', 'list'],
    synopsis: 'challenge list ID',
    line: "a request's challenges, each stage and its outcome",
    summary:
      "Shows a request's challenges to one of its two parties: each stage, its role, due date and outcome.",
    operands: ['ID'],
    options: [],
    signed: true,
    run: async (input) => (await import('./challenge.ts')).runChallengeList(input),
  },
  {
    words: ['challenge', 'escalate'],
    synopsis: 'challenge escalate ID N --reasons TEXT --reason-codes A,B',
    line: 'take a challenge a stage further',
    summary:
      "The requester escalates challenge N to the responder's next escalation role: after an outcome it\n" +
      "disputes (upheld, resolved otherwise), or none by the stage's due date; up to the last stage.",
    operands: ['ID', 'N'],
    options: challengeText('why it goes further', 'OUTCOME_NOT_ADDRESSED, NO_ANSWER_IN_TIME, …'),
    signed: true,
    run: async (input) => (await import('./challenge.ts')).runChallengeEscalate(input),
  },
  {
    words: ['challenge', 'outcome'],
    synopsis:
      'challenge outcome ID N --outcome upheld|overturned|resolved-otherwise --reasons TEXT --reason-codes A,B\n' +
      '  [--file DECISION]',
    line: "record the outcome of a challenge's stage",
    summary:
      "The responder's user with the stage's escalation role records its outcome. An overturn carries the new\n" +
      'decision (--file, JSON as POST /v1/requests/{id}/decision takes it: outcome, reasons, reasonCodes,\n' +
      'withheld), and the request is decided anew.',
    operands: ['ID', 'N'],
    options: [
      { name: 'outcome', arg: 'O', text: 'upheld, overturned or resolved-otherwise' },
      { name: 'file', arg: 'DECISION', text: 'with overturned: the new decision as JSON (- reads stdin)' },
      ...challengeText("the stage's outcome", 'DECISION_CORRECT, DECISION_WRONG, …'),
    ],
    signed: true,
    run: async (input) => (await import('./challenge.ts')).runChallengeOutcome(input),
  },
];

/** `pbx cdop …`: the child death overview panel's case workspace (docs/CDOP.md). */
const caseOperand = ['CASE'];
const cdopCommands: readonly Command[] = [
  {
    words: ['cdop', 'open'],
    synopsis:
      'cdop open --borough COUNCIL --date-of-death YYYY-MM-DD --expected|--unexpected\n' +
      '  (--place in-footprint | --place-area AREA) [--place-category C] --notifying ORG\n' +
      '  (--nhs-number N|- [--footprint ID] [--key-file FILE] | --subject-ref REF)',
    summary:
      "A CDOP manager or coordinator opens a case on notification of a child's death; prints the case id and the\n" +
      'agencies to ask. --nhs-number derives the subject reference here with the key of the CDOP footprint that\n' +
      'contains the borough (read from the registry, or --footprint): the number is never sent or printed. A child\n' +
      "who lived in another CDOP's area is not opened: the answer names the CDOP to notify. Sent with an\n" +
      'Idempotency-Key: --idempotency-key, or a new one printed on stderr to retry with.',
    operands: [],
    options: [
      {
        name: 'borough',
        arg: 'COUNCIL',
        text: 'the council of the borough the child lived in, e.g. lb-havering',
      },
      { name: 'date-of-death', arg: 'DATE', text: 'YYYY-MM-DD' },
      { name: 'expected', text: 'the death was expected' },
      { name: 'unexpected', text: 'the death was unexpected (the joint agency response applies)' },
      { name: 'place', arg: 'in-footprint', text: "the child died within the CDOP's footprint" },
      { name: 'place-area', arg: 'AREA', text: 'or: the area the child died in, outside the footprint' },
      {
        name: 'place-category',
        arg: 'C',
        text: 'hospital, home, public-place, other-residence, other or unknown',
      },
      { name: 'notifying', arg: 'ORG', text: 'the organisation that notified the death' },
      { name: 'nhs-number', arg: 'N', text: "the child's NHS number; - reads stdin (never sent or printed)" },
      {
        name: 'footprint',
        arg: 'ID',
        text: 'with --nhs-number: the CDOP footprint (default: from the registry)',
      },
      { name: 'key-file', arg: 'FILE', text: "with --nhs-number: the footprint's key file" },
      { name: 'subject-ref', arg: 'REF', text: 'or: the reference already derived (pbx subject ref), sr1.…' },
      idempotencyKeyOption,
    ],
    signed: true,
    run: async (input) => (await import('./cdop.ts')).runCdopOpen(input),
  },
  {
    words: ['cdop', 'list'],
    synopsis: 'cdop list [--status open|closed]',
    summary:
      "Lists your CDOP's cases (id, status, borough, date of death), then the reports outstanding on open cases\n" +
      'by agency, the most overdue first.',
    operands: [],
    options: [{ name: 'status', arg: 'S', text: 'open or closed (default: both)' }],
    signed: true,
    run: async (input) => (await import('./cdop.ts')).runCdopList(input),
  },
  {
    words: ['cdop', 'status'],
    synopsis: 'cdop status CASE',
    summary:
      'Shows a case: each agency asked with its report status, days overdue and reasons if declined; asks\n' +
      'refused with the agreement needed; the agencies still to ask; the timeline.',
    operands: caseOperand,
    options: [],
    signed: true,
    run: async (input) => (await import('./cdop.ts')).runCdopStatus(input),
  },
  {
    words: ['cdop', 'request'],
    synopsis: 'cdop request CASE --agency ORG [--agency ORG …] [--strict]',
    summary:
      "Asks agencies for their reports: a data request to each under the CDOP's child death review agreement.\n" +
      'Prints each ask permitted (request id, due date) or refused (every reason, and the agreement needed).\n' +
      'Exit 0 when the call succeeds, refusals or not; --strict exits 1 if any ask was refused.',
    operands: caseOperand,
    options: [
      { name: 'agency', arg: 'ORG', text: 'an agency to ask (repeat it, or A,B)' },
      { name: 'strict', text: 'exit 1 when any ask is refused' },
      idempotencyKeyOption,
    ],
    signed: true,
    run: async (input) => (await import('./cdop.ts')).runCdopRequest(input),
  },
  {
    words: ['cdop', 'report'],
    synopsis: 'cdop report REQUEST --file FORM | --decline --reasons TEXT',
    summary:
      "An agency answers a CDOP's report request. The reporting form (JSON) is checked here against its version's\n" +
      'schema (problems named by path, never by value); then the request is approved, if still submitted, and\n' +
      'the form released as its share (as pbx request decide and release). --decline declines it instead.',
    operands: ['REQUEST'],
    options: [
      {
        name: 'file',
        arg: 'FORM',
        text: 'the reporting form as JSON (shared/domain/cdop/reporting-form.ts)',
      },
      { name: 'decline', text: 'decline the request instead (with --reasons)' },
      { name: 'reasons', arg: 'TEXT', text: 'why (default on approval: "report attached")' },
      idempotencyKeyOption,
    ],
    signed: true,
    run: async (input) => (await import('./cdop.ts')).runCdopReport(input),
  },
  {
    words: ['cdop', 'pack'],
    synopsis: 'cdop pack CASE [--assemble] [--out FILE]',
    summary:
      'Shows the latest panel pack (the de-identified reports, the facts, who is outstanding), its hash checked\n' +
      'here; --assemble assembles it anew from the reports received first. --out writes the pack as JSON.',
    operands: caseOperand,
    options: [
      { name: 'assemble', text: 'assemble the pack from the reports received, then show it' },
      { name: 'out', arg: 'FILE', text: 'write the pack here (readable by you only; never replaced)' },
      idempotencyKeyOption,
    ],
    signed: true,
    run: async (input) => (await import('./cdop.ts')).runCdopPack(input),
  },
  {
    words: ['cdop', 'close'],
    synopsis: 'cdop close CASE --analysis FILE',
    summary:
      "Closes a case with the panel's analysis form (category of death, modifiable factors, learning themes),\n" +
      "checked here against its version's schema first.",
    operands: caseOperand,
    options: [
      { name: 'analysis', arg: 'FILE', text: "the panel's analysis form as JSON; - reads stdin" },
      idempotencyKeyOption,
    ],
    signed: true,
    run: async (input) => (await import('./cdop.ts')).runCdopClose(input),
  },
  {
    words: ['cdop', 'export'],
    synopsis: 'cdop export CASE [--version V] [--out FILE]',
    summary:
      "A closed case in the shape of the national child mortality database's forms, checked against its\n" +
      "version's schema. It holds identifying details: write it with --out, for the NCMD only.",
    operands: caseOperand,
    options: [
      { name: 'version', arg: 'V', text: 'the NCMD export version (default: the newest)' },
      { name: 'out', arg: 'FILE', text: 'write the export here (readable by you only; never replaced)' },
    ],
    signed: true,
    run: async (input) => (await import('./cdop.ts')).runCdopExport(input),
  },
  {
    words: ['cdop', 'figures'],
    synopsis: 'cdop figures --year YYYY [--internal]',
    summary:
      "The CDOP's figures for the financial year from 1 April YYYY, by borough of residence: deaths notified,\n" +
      'reviewed, closed, with modifiable factors, by category, by quarter; and the learning themes. Small numbers\n' +
      'are suppressed for publication (<5, c) unless --internal.',
    operands: [],
    options: [
      { name: 'year', arg: 'YYYY', text: 'the year the financial year starts in' },
      { name: 'internal', text: 'exact counts, not for publication' },
    ],
    signed: true,
    run: async (input) => (await import('./cdop.ts')).runCdopFigures(input),
  },
];

/** `pbx ig …`: the IG questions and the PQA report (docs/IG.md), each one `GET /v1/ig/*` call. */
const igFormatOptions: readonly OptionHelp[] = [
  { name: 'csv', text: 'write the main table as CSV (RFC 4180) instead of a table' },
];
const igPeriodOptions: readonly OptionHelp[] = [
  { name: 'from', arg: 'YYYY-MM', text: 'the first month, included (default: 11 months before --to)' },
  { name: 'to', arg: 'YYYY-MM', text: 'the last month, included (default: this month; months in UTC)' },
  ...igFormatOptions,
];
const igScopeNote =
  'The exchange answers from its projection of the audit log (a few seconds behind it) and audits the question.\n' +
  "An IG lead, Caldicott guardian or DPO sees their organisation's rows, the operator every row, a scrutineer\n" +
  'counts only (under 5 shown as <5).';

const igPeriodQuestion = (
  name:
    | 'refusals'
    | 'without-agreement'
    | 'cross-footprint'
    | 'past-review'
    | 'consent-not-sought'
    | 'placements'
    | 'outcomes'
    | 'challenges',
  line: string,
  summary: string,
): Command => ({
  words: ['ig', name],
  synopsis: `ig ${name} [--from YYYY-MM] [--to YYYY-MM] [--csv]`,
  line,
  summary: `${summary}\n${igScopeNote}`,
  operands: [],
  options: igPeriodOptions,
  signed: true,
  run: async (input) => (await import('./ig.ts')).runIgPeriodQuestion(name)(input),
});

const igCommands: readonly Command[] = [
  {
    words: ['ig', 'child'],
    synopsis: 'ig child --nhs-number N|- [--footprint A,B] [--key-file FILE] [--disclosure] [--csv]',
    line: "all access to one child's data, from the NHS number",
    summary:
      'Every audit entry that touched one child, across your footprints, oldest first. The NHS number is turned\n' +
      "here into the child's subject reference in each footprint you belong to (the operator: every footprint)\n" +
      'whose key is in the keys dir; only the references are sent, and the number is never printed.\n' +
      'With --disclosure, the subject access report instead: fit to print, in plain words, entries restricted by\n' +
      'an organisation withheld, and the report says how many were (never which).\n' +
      igScopeNote,
    operands: [],
    options: [
      { name: 'nhs-number', arg: 'N', text: "the child's NHS number; - reads it from stdin (never sent)" },
      { name: 'footprint', arg: 'A,B', text: 'only these footprints (default: every footprint of yours)' },
      { name: 'key-file', arg: 'FILE', text: "with one --footprint: that footprint's key file" },
      {
        name: 'disclosure',
        text: 'the subject access report, fit to disclose to the child (text or --json)',
      },
      {
        name: 'keys',
        arg: 'DIR',
        text: 'the keys dir: $PBX_KEYS_DIR, else $PBX_HOME/keys, else .local/keys of the pbx repository',
      },
      ...igFormatOptions,
    ],
    signed: true,
    run: async (input) => (await import('./ig.ts')).runIgChild(input),
  },
  // Who looked at this child, and subject access (docs/IG.md): restrictions of entries from the report.
  {
    words: ['ig', 'restrict'],
    synopsis: 'ig restrict INDEX --reason-code C --reason TEXT --until YYYY-MM-DD',
    line: 'withhold an entry about a child from subject access reports, until a date',
    summary:
      "Restricts the entry at leaf INDEX (pbx ig child shows it) from the child's subject access reports until\n" +
      'the end of --until (UTC), under a DPA 2018 Schedule 2 exemption: --reason-code crime-prevention,\n' +
      'serious-harm, third-party, legal-privilege or other, and --reason in words (kept with the restriction; the\n' +
      'audit log holds its SHA-256). Only for entries that concern your organisation; IG lead, Caldicott guardian\n' +
      'or DPO. The entry stays in pbx ig child, marked restricted.',
    operands: ['INDEX'],
    options: [
      { name: 'reason-code', arg: 'C', text: 'the exemption relied on, coded' },
      { name: 'reason', arg: 'TEXT', text: 'why, in words' },
      { name: 'until', arg: 'YYYY-MM-DD', text: 'the end date (today or later)' },
    ],
    signed: true,
    run: async (input) => (await import('./ig.ts')).runIgRestrict(input),
  },
  {
    // Before `ig restrictions`: the first command whose words match is the one run.
    words: ['ig', 'restrictions', 'lift'],
    synopsis: 'ig restrictions lift ID --reason TEXT',
    line: 'lift a restriction before its end date',
    summary:
      "Lifts one of your organisation's restrictions before its end date, with a reason: the entry is disclosed\n" +
      'in subject access reports again.',
    operands: ['ID'],
    options: [{ name: 'reason', arg: 'TEXT', text: 'why it is lifted early' }],
    signed: true,
    run: async (input) => (await import('./ig.ts')).runIgLiftRestriction(input),
  },
  {
    words: ['ig', 'restrictions'],
    synopsis: 'ig restrictions',
    line: "your organisation's restrictions of entries, in force or not",
    summary: "Your organisation's restrictions of entries from subject access reports, newest first.",
    operands: [],
    options: [],
    signed: true,
    run: async (input) => (await import('./ig.ts')).runIgRestrictions(input),
  },
  {
    words: ['ig', 'requests'],
    synopsis:
      'ig requests [--from YYYY-MM] [--to YYYY-MM] [--by month|quarter]\n' +
      '  [--group purpose|footprint|organisation|pair] [--csv]',
    line: 'requests by month or quarter: counts, approval rate, response times',
    summary:
      'Requests by month (or quarter) of submission, grouped by purpose, footprint, organisation or pair of\n' +
      'organisations: accepted, refused, approved, partial, declined, released, withdrawn, closed; the approval\n' +
      'rate; and the median and 90th-percentile time to a decision, to the hour bucket it falls in (<=24 h).\n' +
      igScopeNote,
    operands: [],
    options: [
      ...igPeriodOptions.slice(0, 2),
      { name: 'by', arg: 'PERIOD', text: 'month (default) or quarter' },
      { name: 'group', arg: 'G', text: 'purpose, footprint, organisation or pair (default)' },
      ...igFormatOptions,
    ],
    signed: true,
    run: async (input) => (await import('./ig.ts')).runIgRequests(input),
  },
  igPeriodQuestion(
    'refusals',
    'refusals by the exchange and declines by people, with reason codes',
    'Refusals by the decision engine and declines by people, by organisation pair, step and reason code, with\n' +
      'totals by reason code.',
  ),
  igPeriodQuestion(
    'past-review',
    'requests made under agreements past their review date',
    'Requests made under an agreement version past its review date: accepted (flagged) and refused\n' +
      '(AGREEMENT_REVIEW_OVERDUE), by agreement version and organisation pair.',
  ),
  igPeriodQuestion(
    'without-agreement',
    'access attempted without an agreement in force',
    'Access attempted without an agreement in force: none by that id, not signed by every party, suspended,\n' +
      'revoked, expired or not yet valid; by organisation pair and reason code.',
  ),
  igPeriodQuestion(
    'cross-footprint',
    'attempts across footprints',
    "Attempts across footprints: the requester, the responder, the child or the purpose outside the agreement's\n" +
      'footprint; by organisation pair and reason code.',
  ),
  igPeriodQuestion(
    'consent-not-sought',
    'requests where consent was not sought, with the reason',
    'Accepted requests where consent was not sought, by pair, purpose, footprint and the DPA 2018 Sch 1\n' +
      'para 18(2) reason, with totals by reason.',
  ),
  igPeriodQuestion(
    'placements',
    'requests about children placed out of borough',
    'Requests about children placed out of borough, by placing and host authority, pair and purpose: accepted,\n' +
      'approved, partial, declined, released.',
  ),
  igPeriodQuestion(
    'outcomes',
    'did each requester get an outcome, and how long it took',
    'For requests submitted in the period, by pair: how many got an outcome (decided, withdrawn or closed) and\n' +
      'how many are open, the outcome rate, and the median and 90th-percentile time to the outcome.',
  ),
  igPeriodQuestion(
    'challenges',
    'challenges of answers and their outcomes',
    "Challenges of requests' answers by month and organisation pair: raised, escalated, upheld, overturned,\n" +
      'resolved otherwise, and stages left past their due date.',
  ),
  {
    words: ['ig', 'outstanding'],
    synopsis: 'ig outstanding [--from YYYY-MM] [--to YYYY-MM] [--csv]',
    line: 'open requests by responder, due and overdue',
    summary:
      'What each responder owes now: requests awaiting a decision, or approved and not released; how many are\n' +
      'overdue and by how long, and (but for a scrutineer) each open request, most overdue first. Every open\n' +
      'request, unless --from or --to limit the months of submission.\n' +
      igScopeNote,
    operands: [],
    options: igPeriodOptions,
    signed: true,
    run: async (input) => (await import('./ig.ts')).runIgPeriodQuestion('outstanding')(input),
  },
  {
    words: ['ig', 'report'],
    synopsis: 'ig report --quarter YYYYQn [--footprint ID] [--csv]',
    line: 'the PQA quarterly report of a partnership, small numbers suppressed',
    summary:
      "The performance and quality assurance (PQA) group's quarterly dataset for a footprint: the indicators of\n" +
      'the questions above for the whole footprint, one per line (section, item, measure, value), every count\n' +
      'under 5 shown as <5. --csv writes it for a spreadsheet.',
    operands: [],
    options: [
      { name: 'quarter', arg: 'YYYYQn', text: 'the quarter, e.g. 2026Q3 (July to September)' },
      { name: 'footprint', arg: 'ID', text: 'the footprint (default: your one footprint, if you have one)' },
      ...igFormatOptions,
    ],
    signed: true,
    run: async (input) => (await import('./ig.ts')).runIgReport(input),
  },
];

/**
 * `pbx ig alerts`: the anomaly alerts for IG leads (docs/IG.md "Anomaly alerts"). Acknowledge and close come
 * first, so that their words are matched before the listing's.
 */
const alertNote = {
  name: 'note',
  arg: 'TEXT',
  text: 'why (required; the exchange keeps only its SHA-256)',
} as const;
const alertActionCommand = (action: 'acknowledge' | 'close', summary: string): Command => ({
  words: ['ig', 'alerts', action],
  synopsis: `ig alerts ${action} ID --note TEXT`,
  line: `${action} an alert with a note`,
  summary,
  operands: ['ID'],
  options: [alertNote],
  signed: true,
  run: async (input) => (await import('./alerts.ts')).runIgAlertAction(action)(input),
});
const igAlertCommands: readonly Command[] = [
  alertActionCommand(
    'acknowledge',
    'Acknowledges an open alert: you have seen it and are looking into it. Audited, with the note as its\n' +
      'SHA-256 only. For an IG lead, Caldicott guardian or DPO of an organisation it concerns, or the operator.',
  ),
  alertActionCommand(
    'close',
    'Closes an open or acknowledged alert, with what was found or done. Audited, with the note as its SHA-256\n' +
      'only. For an IG lead, Caldicott guardian or DPO of an organisation it concerns, or the operator.',
  ),
  {
    words: ['ig', 'alerts'],
    synopsis: 'ig alerts [--status open|acknowledged|closed]',
    line: 'anomaly alerts: bulk access, out of hours, refusals, lost keys, ...',
    summary:
      "The anomaly alerts of your organisation (the operator: every organisation's), newest first: each with its\n" +
      'rule, status, time, the user and client concerned and the leaf indexes of the audit entries that raised\n' +
      'it (pbx audit leaves shows them). For an IG lead, Caldicott guardian or DPO, or the operator.',
    operands: [],
    options: [{ name: 'status', arg: 'S', text: 'only alerts open, acknowledged or closed' }],
    signed: true,
    run: async (input) => (await import('./alerts.ts')).runIgAlerts(input),
  },
];

export const commands: readonly Command[] = [
  {
    words: ['keygen'],
    synopsis: 'keygen [--alg ES256|EdDSA] [--out FILE]',
    summary:
      'Generates a signing key pair (kid: its RFC 7638 thumbprint). The private JWK goes to FILE (mode 0600,\n' +
      'never overwritten) or, without --out, to stdout. The public JWK, to register with pbx keys add, goes to\n' +
      'stdout with --out and to stderr without.',
    operands: [],
    options: [
      { name: 'alg', arg: 'ALG', text: 'ES256 (default) or EdDSA' },
      { name: 'out', arg: 'FILE', text: 'write the private JWK here, readable by you only' },
    ],
    signed: false,
    run: async (input) => (await import('./keygen.ts')).runKeygen(input),
  },
  {
    words: ['whoami'],
    synopsis: 'whoami',
    summary: 'Asks the exchange who it takes you to be: client, organisation, key and the user acted for.',
    operands: [],
    options: [],
    signed: true,
    run: async (input) => (await import('./whoami.ts')).runWhoami(input),
  },
  {
    words: ['keys', 'list'],
    synopsis: 'keys list [--client ID]',
    summary: "Lists a client's keys with their status and validity.",
    operands: [],
    options: [clientOption],
    signed: true,
    run: async (input) => (await import('./keys.ts')).runKeysList(input),
  },
  {
    words: ['keys', 'add'],
    synopsis: 'keys add --jwk FILE [--client ID] [--not-before ISO] [--not-after ISO]',
    summary:
      'Registers a public key for a client. Rotation is adding the new key, then revoking the old one.\n' +
      'Given a private JWK, only its public half is sent.',
    operands: [],
    options: [
      { name: 'jwk', arg: 'FILE', text: 'the key: a public JWK, or a private one (e.g. from pbx keygen)' },
      clientOption,
      { name: 'not-before', arg: 'ISO', text: 'usable from this date-time (default: now)' },
      { name: 'not-after', arg: 'ISO', text: 'usable until this date-time (default: no end)' },
    ],
    signed: true,
    run: async (input) => (await import('./keys.ts')).runKeysAdd(input),
  },
  {
    words: ['keys', 'revoke'],
    synopsis: 'keys revoke KID [--client ID] [--reason lost|compromised|superseded]',
    summary:
      'Revokes a key at once: the next request signed with it is refused. A client cannot revoke its own\n' +
      'last usable key: add another first. A key revoked as lost or compromised is watched: a request signed\n' +
      "with it later raises an alert for your organisation's IG leads (pbx ig alerts).",
    operands: ['KID'],
    options: [clientOption, { name: 'reason', arg: 'R', text: 'why: lost, compromised or superseded' }],
    signed: true,
    run: async (input) => (await import('./keys.ts')).runKeysRevoke(input),
  },
  {
    words: ['call'],
    synopsis: 'call METHOD PATH [--body FILE]',
    summary:
      'Sends one signed request with any method and path (with its query); prints the status and body.',
    operands: ['METHOD', 'PATH'],
    options: [{ name: 'body', arg: 'FILE', text: 'the request body, sent as JSON; - reads it from stdin' }],
    signed: true,
    run: async (input) => (await import('./call.ts')).runCall(input),
  },
  {
    words: ['agreement', 'list'],
    synopsis: 'agreement list',
    summary: 'Lists the agreements with their title, standing, latest version and parties.',
    operands: [],
    options: [],
    signed: true,
    run: async (input) => (await import('./agreement.ts')).runAgreementList(input),
  },
  {
    words: ['agreement', 'show'],
    synopsis: 'agreement show ID [--version N]',
    summary:
      "Shows an agreement: its standing; a version's parties, footprint, purposes (data categories, lawful\n" +
      'basis, consent rule, roles, retention), validity and review date; and for each version its content hash,\n' +
      'checked here against the content shown, and who has signed it. --version N shows that version only.',
    operands: agreementOperand,
    options: [{ name: 'version', arg: 'N', text: 'show this version (default: the latest, and list all)' }],
    signed: true,
    run: async (input) => (await import('./agreement.ts')).runAgreementShow(input),
  },
  {
    words: ['agreement', 'create'],
    synopsis: 'agreement create --file FILE [--id ID]',
    summary:
      'Drafts an agreement as its version 1 from FILE, the content as JSON (title, parties, footprintId,\n' +
      'purposes, validFrom, validTo, reviewDate, blockWhenReviewOverdue, dpiaReference,\n' +
      'appropriatePolicyDocument). The content is checked here first, lawful-basis pairing rules included, and\n' +
      "nothing is sent if it fails. Sign with the --sub of a party's IG lead or Caldicott guardian; the version\n" +
      'comes into force when every party has signed it with pbx agreement sign.',
    operands: [],
    options: [
      { name: 'file', arg: 'FILE', text: 'the agreement content as JSON; - reads it from stdin' },
      { name: 'id', arg: 'ID', text: 'the agreement id, isa-… (default: one the exchange chooses)' },
    ],
    signed: true,
    run: async (input) => (await import('./agreement.ts')).runAgreementCreate(input),
  },
  {
    words: ['agreement', 'propose'],
    synopsis: 'agreement propose ID --file FILE',
    summary:
      'Proposes changed content (FILE, as for create) as the next version of an agreement. The version in\n' +
      'force stays in force until every party has signed the new one (pbx agreement sign ID --version N).',
    operands: agreementOperand,
    options: [{ name: 'file', arg: 'FILE', text: 'the new content as JSON; - reads it from stdin' }],
    signed: true,
    run: async (input) => (await import('./agreement.ts')).runAgreementPropose(input),
  },
  {
    words: ['agreement', 'sign'],
    synopsis: 'agreement sign ID [--version N] [--hash HASH]',
    summary:
      "Signs a version for the caller's organisation (--sub: its IG lead or Caldicott guardian). The content\n" +
      'hash is computed here from the content the exchange sends; if it differs from the hash the exchange\n' +
      'states, or from --hash, nothing is signed (exit 1): you sign the content you read.',
    operands: agreementOperand,
    options: [
      { name: 'version', arg: 'N', text: 'the version to sign (default: the latest)' },
      {
        name: 'hash',
        arg: 'HASH',
        text: 'the content hash you reviewed (pbx agreement show); sign only that',
      },
    ],
    signed: true,
    run: async (input) => (await import('./agreement.ts')).runAgreementSign(input),
  },
  standingChange(
    'suspend',
    'Suspends an agreement: every request under it is refused (AGREEMENT_SUSPENDED) until it is resumed.',
  ),
  standingChange('resume', 'Lifts a suspension: the version signed by every party is in force again.'),
  standingChange(
    'revoke',
    'Revokes an agreement, for good: every request under it is refused (AGREEMENT_REVOKED).',
  ),
  {
    words: ['check'],
    synopsis:
      'check --to ORG --agreement ID --purpose CODE --categories A,B --basis X,Y --consent STATE [consent details] | --file REQUEST',
    summary:
      'Asks the exchange whether it would allow this request from you (--as, --sub) and why: prints permit or\n' +
      'deny, then every reason code with its message. A dry run: nothing is shared, the decision is audited.\n' +
      'Consent details: with --consent obtained, --obtained-by, --obtained-from and --obtained-at; with refused\n' +
      'or not-sought, --exemption and --rationale (a DPA 2018 Sch 1 para 18(2) reason).\n' +
      'Exit status: 0 permit; 1 deny (or the exchange refused the question); 2 usage error.',
    operands: [],
    options: [
      { name: 'to', arg: 'ORG', text: 'the organisation asked, e.g. lb-harrow' },
      { name: 'agreement', arg: 'ID', text: 'the agreement the request is made under, isa-…' },
      { name: 'purpose', arg: 'CODE', text: 'the purpose, e.g. CDR_CASE_REVIEW' },
      {
        name: 'categories',
        arg: 'A,B',
        text: 'data categories, comma-separated, e.g. health,identity-residence',
      },
      {
        name: 'basis',
        arg: 'X,Y',
        text: 'lawful bases claimed, comma-separated, e.g. UKGDPR-6-1-e,CA2004-s16M',
      },
      { name: 'consent', arg: 'STATE', text: 'obtained, refused, not-sought or not-applicable' },
      {
        name: 'exemption',
        arg: 'E',
        text: 'cannot-be-given, cannot-reasonably-be-expected-to-be-obtained or would-prejudice-protection',
      },
      { name: 'rationale', arg: 'TEXT', text: 'why the exemption applies' },
      { name: 'obtained-by', arg: 'WHO', text: 'who obtained consent' },
      { name: 'obtained-from', arg: 'WHOM', text: 'child, parent or carer' },
      { name: 'obtained-at', arg: 'ISO', text: 'when consent was obtained' },
      {
        name: 'file',
        arg: 'FILE',
        text: 'the whole request as JSON, as POST /v1/decisions:evaluate takes it (- reads stdin)',
      },
    ],
    signed: true,
    run: async (input) => (await import('./check.ts')).runCheck(input),
  },
  {
    words: ['audit', 'export'],
    synopsis: 'audit export --out FILE [--from N] [--to M] [--format evidence|fhir]',
    summary:
      "Writes an evidence pack (pbx-audit-evidence/v2, JSON; docs/AUDIT.md) of the audit log: the exchange's latest\n" +
      'signed checkpoint, every leaf [N, M) (default: the whole log the checkpoint covers) with the entries that\n' +
      "concern your organisation in full and others' as leaf hashes, and the subtree hashes around the range,\n" +
      'in a few pages, checked here before writing. Sign with the --sub of an IG lead, Caldicott guardian, DPO\n' +
      'or operator (who sees every entry). Verify the pack offline with pbx audit verify. With --format fhir,\n' +
      'writes the verified entries in full as FHIR R4 AuditEvent resources (IHE BALP), one JSON a line, each\n' +
      'naming its leaf index and log; leaves seen only as hashes are skipped and counted.',
    operands: [],
    options: [
      { name: 'out', arg: 'FILE', text: 'where to write the pack (or the NDJSON)' },
      { name: 'format', arg: 'F', text: 'evidence (default: the pack) or fhir (NDJSON of AuditEvents)' },
      { name: 'from', arg: 'N', text: 'the first leaf index (default 0)' },
      { name: 'to', arg: 'M', text: "the leaf index to stop before (default: the checkpoint's size)" },
    ],
    signed: true,
    run: async (input) => (await import('./audit.ts')).runAuditExport(input),
  },
  {
    words: ['audit', 'verify'],
    synopsis: 'audit verify FILE [--key VKEY] [--origin O] [--previous-size N --previous-root B64]',
    summary:
      "Verifies an evidence pack (v2 or v1) offline: the checkpoint's signature, that no index of its range is\n" +
      'missing, repeated or out of order, that every entry shown hashes to its leaf, and the root recomputed\n' +
      "from the leaves (v1: every entry's inclusion proof). Without --key it trusts the key the pack names (and\n" +
      "says so): pin the exchange's key.\n" +
      'Exit status: 0 verified (prints the checkpoint size and root); 1 refused, naming the first bad entry.',
    operands: ['FILE'],
    options: [
      { name: 'key', arg: 'VKEY', text: "the exchange's checkpoint verifier key (name+hash+base64)" },
      { name: 'origin', arg: 'O', text: "the log's origin (default: the one the pack names)" },
      { name: 'previous-size', arg: 'N', text: 'the size of a checkpoint seen before: refuse a rollback' },
      { name: 'previous-root', arg: 'B64', text: 'the root of that checkpoint (base64)' },
    ],
    signed: false,
    run: async (input) => (await import('./audit.ts')).runAuditVerify(input),
  },
  {
    words: ['audit', 'witness'],
    synopsis:
      'audit witness --init --key-out FILE --name NAME | audit witness --register --witness-key FILE\n' +
      '  | audit witness --witness-key FILE --state FILE',
    summary:
      'Witnesses the audit log (c2sp.org/tlog-cosignature). With --init, writes a new cosignature key to FILE\n' +
      'and prints its verifier key. Otherwise fetches the latest checkpoint, verifies it with the exchange key\n' +
      'from discovery and, if the state file holds a checkpoint seen before, a consistency proof from it; then\n' +
      'cosigns, sends the cosignature and saves the checkpoint as the new state. Two roots for one size (a split\n' +
      'view) print the evidence and exit 1. With --register, registers the key as the witness of your\n' +
      'organisation (once, before it cosigns). Register and cosign with the --sub of your IG lead.',
    operands: [],
    options: [
      { name: 'init', text: 'generate a witness key instead of witnessing' },
      { name: 'register', text: "register the --witness-key as your organisation's witness" },
      { name: 'key-out', arg: 'FILE', text: 'with --init: where to write the private key (not overwritten)' },
      { name: 'name', arg: 'NAME', text: 'with --init: the key name, e.g. lb-brent-witness' },
      { name: 'witness-key', arg: 'FILE', text: "the witness's private key file (from --init)" },
      { name: 'state', arg: 'FILE', text: 'the last checkpoint witnessed (read if present, then written)' },
    ],
    signed: true,
    run: async (input) => (await import('./witness.ts')).runAuditWitness(input),
  },
  {
    words: ['audit', 'search'],
    synopsis:
      'audit search [--organisation O] [--from ISO] [--to ISO] [--subject REF] [--action A] [--outcome O]\n' +
      '  [--agreement ID] [--purpose P] [--format json|jsonl|csv] [--out FILE]',
    summary:
      'Searches the sequenced audit log, following pages until done (progress on stderr every 1000 entries).\n' +
      'An IG lead, Caldicott guardian or DPO sees entries concerning their organisation, the operator all, a\n' +
      'scrutineer counts by action and outcome only. Every search is itself audited.',
    operands: [],
    options: [
      { name: 'organisation', arg: 'O', text: 'entries where this organisation acted or was the target' },
      { name: 'from', arg: 'ISO', text: 'entries at or after this time' },
      { name: 'to', arg: 'ISO', text: 'entries before this time' },
      { name: 'subject', arg: 'REF', text: 'the pseudonymous subject reference' },
      { name: 'action', arg: 'A', text: 'e.g. request.authenticate' },
      { name: 'outcome', arg: 'O', text: 'allowed, refused or failed' },
      { name: 'agreement', arg: 'ID', text: 'the agreement id' },
      { name: 'purpose', arg: 'P', text: 'the purpose' },
      { name: 'format', arg: 'F', text: 'json, jsonl (default) or csv' },
      { name: 'out', arg: 'FILE', text: 'write here instead of stdout' },
    ],
    signed: true,
    run: async (input) => (await import('./audit-search.ts')).runAuditSearch(input),
  },
  {
    words: ['subject', 'ref'],
    synopsis:
      'subject ref --footprint ID (--nhs-number N|- | --local-id ID --organisation ORG) [--key-file FILE]',
    summary:
      "Prints a child's pseudonymous subject reference in a footprint (docs/SUBJECT-REFERENCES.md): an HMAC of\n" +
      "the NHS number under the footprint's key, the same for every member of the footprint; the exchange never\n" +
      'sees the number. --nhs-number - reads it from stdin (kept out of the process list and shell history). A\n' +
      'local identifier gives a reference of that organisation only. Works offline; the number is never printed.',
    operands: [],
    options: [
      { name: 'footprint', arg: 'ID', text: 'the footprint, e.g. north-west-bcu (required)' },
      { name: 'nhs-number', arg: 'N', text: '10 digits, or 3-3-4 with spaces or hyphens; - reads stdin' },
      { name: 'local-id', arg: 'ID', text: "the organisation's own identifier, when no NHS number is known" },
      { name: 'organisation', arg: 'ORG', text: 'with --local-id: the organisation whose identifier it is' },
      {
        name: 'key-file',
        arg: 'FILE',
        text: "the footprint's key (default: <keys-dir>/<ID>.footprint-key.json)",
      },
      {
        name: 'keys',
        arg: 'DIR',
        text: 'the keys dir: $PBX_KEYS_DIR, else $PBX_HOME/keys, else .local/keys of the pbx repository',
      },
    ],
    signed: false,
    run: async (input) => (await import('./subject.ts')).runSubjectRef(input),
  },
  {
    words: ['events', 'tail'],
    synopsis: 'events tail [--after ID] [--follow] [--interval-ms N]',
    summary:
      "Prints your organisation's domain events (RequestSubmitted, ShareReleased, ...; events/README.md), one\n" +
      'JSON line each, oldest first, from the start of the feed (kept 30 days) or after event ID. With --follow\n' +
      'it keeps polling for new events until interrupted (Ctrl-C). Delivery is at least once elsewhere: dedupe\n' +
      'by event id.',
    operands: [],
    options: [
      { name: 'after', arg: 'ID', text: 'print only events after this event id (the last one you saw)' },
      { name: 'follow', text: 'keep polling for new events until interrupted' },
      { name: 'interval-ms', arg: 'N', text: 'with --follow: milliseconds between polls (default 2000)' },
    ],
    signed: true,
    run: async (input) => (await import('./events.ts')).runEventsTail(input),
  },
  ...requestCommands,
  ...challengeCommands,
  ...cdopCommands,
  ...igCommands,
  ...igAlertCommands,
];
