import { describe, expect, it } from 'vitest';
import { auditCsv, csvField } from '#client/audit-csv.ts';
import { parseEvidenceRange } from '#console/audit-evidence.ts';
import {
  actorText,
  collectSearch,
  entryRow,
  type IndexedEntry,
  leafView,
  maxCsvEntries,
  parseAuditSearchForm,
  type SearchPage,
  searchQueryString,
} from '#console/audit-view.ts';
import { type AuditEntry, auditEntrySchema } from '#shared/domain/audit/audit-entry.ts';

const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry =>
  auditEntrySchema.parse({
    id: '01JDQ4Z8M6V3K2W9X7Y5T4R3S2',
    time: '2026-12-03T08:27:01.096Z',
    actor: {
      kind: 'client',
      clientId: 'lb-brent-console',
      userId: 'lb-brent.ig-lead',
      organisationId: 'lb-brent',
    },
    action: 'agreement.suspend',
    target: { type: 'agreement', id: 'isa-nw-bcu-mash' },
    outcome: 'allowed',
    reasonCodes: [],
    ...overrides,
  });

describe('the audit search form', () => {
  it('turns the fields into the exchange filter, the "to" day included', () => {
    const form = parseAuditSearchForm({
      'from-day': '1',
      'from-month': '12',
      'from-year': '2026',
      'to-day': '3',
      'to-month': '12',
      'to-year': '2026',
      action: ' request.submit ',
      outcome: 'refused',
      organisation: 'lb-harrow',
      agreement: 'isa-nw-bcu-mash',
      purpose: 'CDR_CASE_REVIEW',
      subject: 'sr1.brent-harrow-cdop-area.abc',
      cursor: '120',
    });
    expect(form.errors).toEqual([]);
    expect(form.filter).toEqual({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-04T00:00:00.000Z',
      action: 'request.submit',
      outcome: 'refused',
      organisation: 'lb-harrow',
      agreementId: 'isa-nw-bcu-mash',
      purpose: 'CDR_CASE_REVIEW',
      subjectRef: 'sr1.brent-harrow-cdop-area.abc',
    });
    expect(form.cursor).toBe(120);
  });

  it('asks for nothing when empty: the whole visible log from the start', () => {
    const form = parseAuditSearchForm({});
    expect(form).toMatchObject({ errors: [], filter: {}, cursor: 0 });
  });

  it('names every field that is wrong, in the order of the page, with its link', () => {
    const form = parseAuditSearchForm({
      'from-day': '31',
      'from-month': '2',
      'from-year': '2026',
      'to-day': '3',
      'to-year': '2026',
      action: 'Request Submit',
      outcome: 'maybe',
      organisation: 'Brent Council',
      agreement: 'mash',
      purpose: 'GOSSIP',
    });
    expect(form.filter).toBeUndefined();
    expect(form.errors.map((e) => e.href)).toEqual([
      '#from-day',
      '#to-day',
      '#organisation',
      '#action',
      '#outcome',
      '#agreement',
      '#purpose',
    ]);
    expect(form.fieldErrors['from-day']).toBe('The from date must be a real date, like 27 3 2026');
    expect(form.fieldErrors['to-day']).toBe('The to date must include a day, month and year');
    expect(form.values.action).toBe('Request Submit');
  });

  it('refuses a "to" day before the "from" day, and ignores a cursor that is not a leaf index', () => {
    const form = parseAuditSearchForm({
      'from-day': '5',
      'from-month': '12',
      'from-year': '2026',
      'to-day': '3',
      'to-month': '12',
      'to-year': '2026',
      cursor: '-4',
    });
    expect(form.errors).toEqual([
      { text: 'The to date must be the same as or after the from date', href: '#to-day' },
    ]);
    expect(form.cursor).toBe(0);
  });

  it('links pages with the fields as typed, and only those given', () => {
    const form = parseAuditSearchForm({ action: 'audit.search', outcome: '' });
    expect(searchQueryString(form.values, { cursor: '501' })).toBe('action=audit.search&cursor=501');
  });
});

describe('audit rows and CSV', () => {
  it('says who acted through which client', () => {
    expect(actorText(entry())).toBe('lb-brent.ig-lead through lb-brent-console');
    expect(actorText(entry({ actor: { kind: 'system' } }))).toBe('the exchange itself');
    expect(actorText(entry({ actor: { kind: 'anonymous', claimedClientId: 'lb-x-system' } }))).toBe(
      'an unconfirmed caller claiming to be lb-x-system',
    );
  });

  it('shows an entry as a table row', () => {
    const row = entryRow({
      index: 7,
      entry: entry({ agreement: { id: 'isa-nw-bcu-mash', version: 2 }, reasonCodes: ['NOT_PERMITTED'] }),
    }).map((cell) => cell.text);
    expect(row).toEqual([
      '7',
      '2026-12-03 08:27:01',
      'agreement.suspend',
      'Allowed',
      'lb-brent.ig-lead through lb-brent-console',
      'agreement isa-nw-bcu-mash',
      'Agreement isa-nw-bcu-mash version 2. Reasons: NOT_PERMITTED',
    ]);
  });

  it('shows a leaf of a pack in words when its entry is seen, else only as its hash', () => {
    expect(leafView({ index: 4, leafHash: 'h=', entry: entry() })).toEqual({
      index: 4,
      leafHash: 'h=',
      seen: '2026-12-03 08:27:01: agreement.suspend, allowed, by lb-brent.ig-lead through lb-brent-console',
    });
    expect(leafView({ index: 5, leafHash: 'g=' })).toEqual({ index: 5, leafHash: 'g=', seen: undefined });
  });

  it('guards every cell a spreadsheet would run as a formula, and quotes as RFC 4180 says', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) {
      expect(csvField(`${start}HYPERLINK("x")`).replace(/^"/, '').startsWith("'")).toBe(true);
    }
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('plain.text')).toBe('plain.text');
    expect(csvField(undefined)).toBe('');
    expect(csvField(12)).toBe('12');
  });

  it('writes the columns of pbx audit search, one row per entry', () => {
    const csv = auditCsv([{ index: 3, entry: entry({ subjectRef: '-sr1.x' }) }]);
    expect(csv.split('\r\n')).toEqual([
      'time,index,action,outcome,reasonCodes,actorClient,actorUser,actorOrganisation,target,agreement,purpose,subjectRef',
      "2026-12-03T08:27:01.096Z,3,agreement.suspend,allowed,,lb-brent-console,lb-brent.ig-lead,lb-brent,agreement:isa-nw-bcu-mash,,,'-sr1.x",
      '',
    ]);
  });
});

describe('following the exchange’s search pages', () => {
  const indexed = (from: number, count: number): IndexedEntry[] =>
    Array.from({ length: count }, (_, i) => ({ index: from + i, entry: entry() }));

  it('goes on through pages the scan bound left short, until it has enough', async () => {
    const asked: [number, number][] = [];
    const pages: Record<number, SearchPage> = {
      0: { entries: indexed(0, 10), next: 20_000 },
      20000: { entries: [], next: 40_000 },
      40000: { entries: indexed(40_000, 45), next: 40_045 },
    };
    const found = await collectSearch(
      async (cursor, limit) => {
        asked.push([cursor, limit]);
        return pages[cursor] ?? { entries: [] };
      },
      { cursor: 0, want: 50, maxCalls: 5 },
    );
    expect(asked).toEqual([
      [0, 50],
      [20_000, 40],
      [40_000, 40],
    ]);
    expect(found).toMatchObject({ kind: 'entries', next: 40_045 });
    if (found.kind === 'entries') expect(found.entries).toHaveLength(55);
  });

  it('stops after its calls, saying where to go on; ends when the exchange gives no next', async () => {
    const endless = await collectSearch(async (cursor) => ({ entries: [], next: cursor + 1 }), {
      cursor: 5,
      want: 50,
      maxCalls: 3,
    });
    expect(endless).toEqual({ kind: 'entries', entries: [], next: 8 });
    const done = await collectSearch(async () => ({ entries: indexed(0, 2) }), {
      cursor: 0,
      want: maxCsvEntries,
      maxCalls: 50,
    });
    expect(done).toMatchObject({ kind: 'entries', next: undefined });
  });

  it("passes on a scrutineer's counts, and refuses a cursor that goes back", async () => {
    const counts = await collectSearch(
      async () => ({ counts: [{ action: 'request.submit', outcome: 'allowed', count: '<5' }] }),
      { cursor: 0, want: 50, maxCalls: 5 },
    );
    expect(counts).toEqual({
      kind: 'counts',
      counts: [{ action: 'request.submit', outcome: 'allowed', count: '<5' }],
    });
    await expect(
      collectSearch(async () => ({ entries: [], next: 3 }), { cursor: 3, want: 50, maxCalls: 5 }),
    ).rejects.toThrow('cursor 3 after 3');
  });
});

describe('the evidence range form', () => {
  it('is the whole log when empty, and a range of entries both included otherwise', () => {
    expect(parseEvidenceRange({}, 10)).toMatchObject({ given: false, range: undefined, errors: [] });
    expect(parseEvidenceRange({ first: '2', last: '2' }, 10)).toMatchObject({
      range: { first: 2, last: 2 },
      errors: [],
    });
  });

  it('names what is wrong with each number', () => {
    const missing = parseEvidenceRange({ first: '3' }, 10);
    expect(missing.errors).toEqual([{ text: 'Enter the last entry number', href: '#last' }]);
    const beyond = parseEvidenceRange({ first: 'x', last: '10' }, 10);
    expect(beyond.fieldErrors).toEqual({
      first: 'The first entry number must be a whole number, like 120',
      last: 'The last entry number must be 9 or lower: the latest checkpoint holds entries 0 to 9',
    });
    const backwards = parseEvidenceRange({ first: '5', last: '4' }, 10);
    expect(backwards.fieldErrors).toEqual({
      last: 'The last entry number must be the same as or after the first',
    });
    expect(parseEvidenceRange({ first: '0', last: '0' }, 0).fieldErrors.first).toBe(
      'No checkpoint of the log holds any entries yet',
    );
  });
});
