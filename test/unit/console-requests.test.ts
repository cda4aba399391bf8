import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AgreementView, DataRequestView } from '#client/pbx-client.ts';
import { bytesProblem } from '#client/share-bytes.ts';
import { checkDecision, decisionValuesOf } from '#console/requests/decide.ts';
import { actionsFor, approvedCategories, historyOf } from '#console/requests/history.ts';
import { plainReason } from '#console/requests/labels.ts';
import { listQueryOf, nextPageHref, requestRows } from '#console/requests/list.ts';
import {
  checkNewRequest,
  idempotencyKeyFor,
  type RequestChoice,
  requestChoices,
  valuesOf,
} from '#console/requests/new-request.ts';
import { agreementSeed } from '#local/seed/agreement-seed.ts';
import { idempotencyKeySchema } from '#shared/domain/requests/idempotency.ts';

const names = new Map([
  ['lb-brent', 'London Borough of Brent'],
  ['lb-harrow', 'London Borough of Harrow'],
]);

const request = (overrides: Partial<DataRequestView> = {}): DataRequestView => ({
  id: '01JZ8M6Q3T5R0Y4B2N7K9C1D3E',
  status: 'submitted',
  requester: { organisationId: 'lb-brent', clientId: 'lb-brent-console', userId: 'lb-brent.practitioner' },
  responderOrganisationId: 'lb-harrow',
  agreement: { id: 'isa-nw-bcu-mash', version: 1 },
  purpose: 'SAFEGUARDING_REFERRAL_MASH',
  dataCategories: ['identity-residence', 'protection-status', 'education-attendance'],
  lawfulBasis: ['UKGDPR-6-1-e'],
  consent: { state: 'not-applicable' },
  subjectRef: 'sr1.north-west-bcu.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  urgency: 'urgent',
  justification: 'MASH referral',
  requestHash: 'x',
  submittedAt: '2026-12-01T09:00:00.000Z',
  dueAt: '2026-12-02T09:00:00.000Z',
  revision: 1,
  overdue: false,
  ...overrides,
});

describe('the inbox and outbox', () => {
  it('turns the filters of the GET form into the exchange query, refusing what is not a filter', () => {
    const { query, problems, filters } = listQueryOf('inbox', {
      status: 'submitted',
      overdue: 'true',
      dueBefore: '2026-12-31',
      after: '01JZ8M6Q3T5R0Y4B2N7K9C1D3E',
    });
    expect(problems.errors).toEqual([]);
    expect(Object.fromEntries(query)).toEqual({
      box: 'inbox',
      limit: '25',
      status: 'submitted',
      overdue: 'true',
      dueBefore: '2026-12-31T00:00:00Z',
      after: '01JZ8M6Q3T5R0Y4B2N7K9C1D3E',
    });
    expect(nextPageHref('inbox', filters, '01JZ8M6Q3T5R0Y4B2N7K9C1D3F')).toBe(
      '/requests/inbox?status=submitted&overdue=true&dueBefore=2026-12-31&after=01JZ8M6Q3T5R0Y4B2N7K9C1D3F',
    );
    expect(nextPageHref('inbox', filters, undefined)).toBeUndefined();

    const bad = listQueryOf('outbox', { status: 'lost', dueBefore: '2026-02-30', after: 'not-an-id' });
    expect(bad.problems.errors.map((e) => e.href)).toEqual(['#status', '#dueBefore']);
    expect(Object.fromEntries(bad.query)).toEqual({ box: 'outbox', limit: '25' });
  });

  it('flags an overdue request with a red tag, and names the other party', () => {
    const [row] = requestRows([request({ overdue: true })], 'inbox', names, (iso) => iso.slice(0, 10));
    expect(row?.[1]).toEqual({ text: 'London Borough of Brent' });
    expect(row?.[3]).toEqual({
      html: '2026-12-02 <strong class="govuk-tag govuk-tag--red">Overdue</strong>',
    });
    const [outRow] = requestRows([request()], 'outbox', names, (iso) => iso.slice(0, 10));
    expect(outRow?.[1]).toEqual({ text: 'London Borough of Harrow' });
    expect(outRow?.[3]).toEqual({ html: '2026-12-02' });
  });
});

describe("a request's page", () => {
  it('tells the history in order, with who and when', () => {
    const decided = request({
      status: 'released',
      decision: {
        outcome: 'partial',
        reasons: 'held',
        withheld: { dataCategories: ['education-attendance'] },
        decidedBy: 'lb-harrow.practitioner',
        decidedAt: '2026-12-01T10:00:00.000Z',
      },
      share: {
        objectKey: 'k',
        sha256: 'a'.repeat(64),
        size: 10,
        contentType: 'text/plain',
        dataCategories: ['identity-residence', 'protection-status'],
        releasedBy: 'lb-harrow.practitioner',
        releasedAt: '2026-12-01T11:00:00.000Z',
        expiresAt: '2027-12-01T11:00:00.000Z',
        fetchCount: 1,
        maxFetches: 5,
        lastFetchedAt: '2026-12-01T12:00:00.000Z',
      },
    });
    expect(historyOf(decided, names).map((s) => [s.title, s.by])).toEqual([
      [
        'Asked London Borough of Harrow',
        'lb-brent.practitioner (London Borough of Brent, through lb-brent-console)',
      ],
      ['Approved in part', 'lb-harrow.practitioner'],
      ['Information released', 'lb-harrow.practitioner'],
      ['Downloaded', 'London Borough of Brent'],
    ]);
    expect(approvedCategories(decided)).toEqual(['identity-residence', 'protection-status']);
    expect(actionsFor(decided, 'lb-brent')).toEqual({ decide: false, release: false, download: true });
    expect(actionsFor(decided, 'lb-harrow')).toEqual({ decide: false, release: false, download: false });
    expect(actionsFor(request(), 'lb-harrow')).toEqual({ decide: true, release: false, download: false });
    expect(actionsFor(request(), 'lb-barnet')).toEqual({ decide: false, release: false, download: false });
    const spent = { ...decided, share: decided.share && { ...decided.share, fetchCount: 5 } };
    expect(actionsFor(spent, 'lb-brent').download).toBe(false);
  });
});

const seededAgreements = (): AgreementView[] =>
  agreementSeed.map((a) => ({
    id: a.id,
    latestVersion: 1,
    versions: [
      {
        agreementId: a.id,
        version: 1,
        content: a.content,
        contentHash: 'h',
        createdAt: '2026-01-01T00:00:00.000Z',
        createdBy: 'x',
        signatures: [],
        activatedAt: '2026-01-01T00:00:00.000Z',
      },
    ],
    standing: { state: a.id === 'isa-east-area-missing' ? 'suspended' : 'in-force', version: 1 },
  }));

const mash = (): RequestChoice => {
  const choice = requestChoices(seededAgreements(), 'lb-brent', ['practitioner']).find(
    (c) => c.value === 'isa-nw-bcu-mash/SAFEGUARDING_REFERRAL_MASH',
  );
  if (choice === undefined) throw new Error('no MASH choice');
  return choice;
};

const form = {
  formId: 'f'.repeat(24),
  responder: 'lb-harrow',
  nhsNumber: '943 476 5919',
  dataCategories: ['identity-residence', 'protection-status'],
  lawfulBasis: ['UKGDPR-6-1-e', 'CA1989-s47'],
  consent: 'not-sought',
  exemption: 'would-prejudice-protection',
  rationale: 'seeking consent would put the child at risk',
  urgency: 'urgent',
  justification: 'MASH referral',
};
const now = new Date('2026-12-03T09:00:00Z');

describe('the new request form', () => {
  it('offers only agreements in force, for the purposes the person may ask under, and their other parties', () => {
    const choices = requestChoices(seededAgreements(), 'lb-brent', ['practitioner']);
    expect(choices.map((c) => c.value)).toEqual([
      'isa-nw-bcu-mash/SAFEGUARDING_REFERRAL_MASH',
      'isa-nw-bcu-mash/MISSING_CHILD',
      'isa-brent-harrow-cdop/CDR_CASE_REVIEW',
    ]);
    expect(mash().responders).toEqual(['lb-barnet', 'lb-harrow', 'met-nw-bcu']);
    // Havering's missing-child agreement is suspended here: only its CDOP agreement is offered.
    expect(requestChoices(seededAgreements(), 'lb-havering', ['practitioner']).map((c) => c.value)).toEqual([
      'isa-bhr-cdop/CDR_CASE_REVIEW',
    ]);
    expect(requestChoices(seededAgreements(), 'lb-brent', ['ig-lead'])).toEqual([]);
  });

  it('builds the submission from a valid form, the NHS number kept apart for the subject reference', () => {
    const { problems, checked } = checkNewRequest(valuesOf(form), mash(), now);
    expect(problems.errors).toEqual([]);
    expect(checked?.nhsNumber).toBe('9434765919');
    const submission = checked?.submission('sr1.north-west-bcu.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(submission).toMatchObject({
      responderOrganisationId: 'lb-harrow',
      agreementId: 'isa-nw-bcu-mash',
      purpose: 'SAFEGUARDING_REFERRAL_MASH',
      consent: { state: 'not-sought', exemption: 'would-prejudice-protection' },
      urgency: 'urgent',
    });
    expect(JSON.stringify(submission)).not.toContain('9434765919');
  });

  it('gives each field its inline error: NHS number checksum, choices outside the agreement, consent details', () => {
    const { problems } = checkNewRequest(
      valuesOf({
        ...form,
        nhsNumber: '9434765918',
        responder: 'lb-havering',
        dataCategories: ['child-death-details'],
        lawfulBasis: [],
        exemption: '',
        rationale: ' ',
        urgency: 'whenever',
        justification: '',
      }),
      mash(),
      now,
    );
    expect(problems.errors.map((e) => e.href)).toEqual([
      '#responder',
      '#dataCategories',
      '#lawfulBasis',
      '#exemption',
      '#rationale',
      '#urgency',
      '#justification',
      '#nhsNumber',
    ]);
    expect(checkNewRequest(valuesOf({ ...form, nhsNumber: '12345' }), mash(), now).problems.errors).toEqual([
      { href: '#nhsNumber', text: 'Enter an NHS number of 10 digits, like 943 476 5919' },
    ]);
    const obtained = {
      ...form,
      consent: 'obtained',
      obtainedFrom: 'parent',
      obtainedBy: 'the social worker',
    };
    expect(
      checkNewRequest(
        valuesOf({ ...obtained, 'obtainedOn-day': '4', 'obtainedOn-month': '12', 'obtainedOn-year': '2026' }),
        mash(),
        now,
      ).problems.errors,
    ).toEqual([
      { href: '#obtainedOn-day', text: 'The date consent was obtained must be today or in the past' },
    ]);
    const ok = checkNewRequest(
      valuesOf({ ...obtained, 'obtainedOn-day': '1', 'obtainedOn-month': '12', 'obtainedOn-year': '2026' }),
      mash(),
      now,
    );
    expect(
      ok.checked?.submission('sr1.north-west-bcu.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').consent,
    ).toEqual({
      state: 'obtained',
      obtainedFrom: 'parent',
      obtainedBy: 'the social worker',
      obtainedAt: '2026-12-01T00:00:00.000Z',
    });
  });

  it('keys a submission by its form and content: the same form twice is one call, a changed one another', () => {
    const submission = checkNewRequest(valuesOf(form), mash(), now).checked?.submission(
      'sr1.north-west-bcu.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    if (submission === undefined) throw new Error('no submission');
    const key = idempotencyKeyFor(form.formId, submission);
    expect(idempotencyKeySchema.safeParse(key).success).toBe(true);
    expect(idempotencyKeyFor(form.formId, { ...submission })).toBe(key);
    expect(idempotencyKeyFor(form.formId, { ...submission, urgency: 'routine' })).not.toBe(key);
    expect(idempotencyKeyFor('g'.repeat(24), submission)).not.toBe(key);
  });
});

describe('the decision form', () => {
  it('needs an outcome and reasons, and for a partial approval something kept and something withheld', () => {
    const asked = request();
    expect(checkDecision(decisionValuesOf({}), asked).problems.errors.map((e) => e.href)).toEqual([
      '#outcome',
      '#reasons',
    ]);
    expect(
      checkDecision(decisionValuesOf({ outcome: 'partial', reasons: 'r', kept: asked.dataCategories }), asked)
        .problems.errors,
    ).toEqual([
      { href: '#kept', text: 'Leave unticked the information you will not share, or approve the request' },
    ]);
    expect(
      checkDecision(decisionValuesOf({ outcome: 'partial', reasons: 'r' }), asked).problems.errors.map(
        (e) => e.href,
      ),
    ).toEqual(['#kept']);
    expect(
      checkDecision(
        decisionValuesOf({ outcome: 'partial', reasons: ' held ', kept: ['identity-residence'] }),
        asked,
      ).decision,
    ).toEqual({
      outcome: 'partial',
      reasons: 'held',
      withheld: { dataCategories: ['protection-status', 'education-attendance'] },
    });
    expect(
      checkDecision(
        decisionValuesOf({ outcome: 'decline', reasons: 'not held', kept: ['identity-residence'] }),
        asked,
      ).decision,
    ).toEqual({ outcome: 'decline', reasons: 'not held' });
  });
});

describe('refusals and downloads', () => {
  it("puts the exchange's reasons into sentences, codes into words", () => {
    expect(
      plainReason('REQUEST_REFUSED: the lawful bases claimed do not cover the data: ART9_GROUND_MISSING'),
    ).toBe(
      'The lawful bases claimed do not cover the data: special category data (such as health) needs a UK GDPR Article 9 condition.',
    );
    expect(plainReason('the agreement is suspended')).toBe('The agreement is suspended.');
  });

  it('accepts bytes only when their size and SHA-256 are what the exchange recorded', () => {
    const bytes = new TextEncoder().encode('the share');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(bytesProblem(bytes, { sha256, size: bytes.byteLength })).toBeUndefined();
    const flipped = Uint8Array.from(bytes);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(bytesProblem(flipped, { sha256, size: bytes.byteLength })?.fault).toBe('sha256');
    expect(bytesProblem(bytes.subarray(1), { sha256, size: bytes.byteLength })?.fault).toBe('size');
    expect(bytesProblem(new Uint8Array([...bytes, 0]), { sha256, size: bytes.byteLength })?.fault).toBe(
      'size',
    );
  });
});
