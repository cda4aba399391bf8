import { describe, expect, it } from 'vitest';
import type { AlertDraft } from '#shared/domain/alerts/alert.ts';
import { detectAnomalies, stateKeysOf } from '#shared/domain/alerts/detect.ts';
import { ruleContextOf } from '#shared/domain/alerts/detect-anomalies.ts';
import type { RuleState } from '#shared/domain/alerts/rule-state.ts';
import { alertRules } from '#shared/domain/alerts/rules.ts';
import { defaultAlertThresholds, isWithinWorkingHours } from '#shared/domain/alerts/thresholds.ts';
import { type AuditEntry, type AuditFacts, newAuditEntry } from '#shared/domain/audit/audit-entry.ts';
import type { IndexedEntry } from '#shared/domain/audit/search.ts';
import type { Registry } from '#shared/domain/registry/registry.ts';

// The anomaly rules (shared/domain/alerts/rules.ts) without a database: for each rule a scenario that must raise
// its alert and one that must not, folded through the detector's pure batch (detect.ts) as the schedule folds them.

/** A Wednesday, 10:00 in London (BST): inside working hours. */
const weekday = Date.parse('2026-07-01T09:00:00Z');
const minutes = (m: number, from = weekday) => new Date(from + m * 60_000);
const ref = (n: number) => `sr1.north-west-bcu.${String(n).padStart(42, 'A')}A`;

const registry: Registry = {
  organisations: [
    { id: 'lb-brent', name: 'Brent', kind: 'local-authority' },
    {
      id: 'lb-harrow',
      name: 'Harrow',
      kind: 'local-authority',
      alertThresholds: { bulkAccessChildren: 3, refusalsPerHour: 2, rareClientFetches: 1 },
    },
  ],
  footprints: [],
  clients: [
    { id: 'lb-brent-system', organisationId: 'lb-brent', name: 'Brent', status: 'active' },
    { id: 'lb-brent-mobile', organisationId: 'lb-brent', name: 'Brent mobile', status: 'active' },
    { id: 'lb-harrow-system', organisationId: 'lb-harrow', name: 'Harrow', status: 'active' },
  ],
  users: [],
};
const context = ruleContextOf(registry);

const brentPractitioner = {
  kind: 'client' as const,
  clientId: 'lb-brent-system',
  organisationId: 'lb-brent',
  userId: 'lb-brent.practitioner',
  role: 'practitioner',
};

const entry = (facts: Partial<AuditFacts>, at: Date): AuditEntry =>
  newAuditEntry({ actor: brentPractitioner, action: 'request.view', outcome: 'allowed', ...facts }, at);

/** Folds entries, as leaves from 0, through the detector in batches of `batch`, carrying the state across. */
const detect = (entries: readonly AuditEntry[], batch = entries.length): AlertDraft[] => {
  const leaves: IndexedEntry[] = entries.map((e, index) => ({ index, entry: e }));
  const stored = new Map<string, RuleState>();
  const alerts: AlertDraft[] = [];
  for (let start = 0; start < leaves.length; ) {
    const slice = leaves.slice(start, start + batch);
    const keys = new Set(stateKeysOf(slice, context));
    const loaded = new Map([...stored].filter(([key]) => keys.has(key)));
    const out = detectAnomalies(loaded, slice, context, { maxItems: 90, itemsOfAlert: () => 7 });
    for (const [key, state] of out.changes) stored.set(key, state);
    alerts.push(...out.alerts);
    start += out.folded;
  }
  return alerts;
};
const rulesOf = (alerts: readonly AlertDraft[]) => alerts.map((a) => a.rule);

describe('the rule definitions', () => {
  it('gives every rule one id, a name and a default threshold', () => {
    const ids = alertRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(7);
    for (const rule of alertRules) {
      expect(rule.name.length).toBeGreaterThan(10);
      expect(rule.defaultThreshold.length).toBeGreaterThan(5);
    }
  });
});

describe('bulk access', () => {
  const touching = (children: number, userId = 'lb-brent.practitioner', organisationId = 'lb-brent') =>
    Array.from({ length: children }, (_, n) =>
      entry({ actor: { ...brentPractitioner, userId, organisationId }, subjectRef: ref(n) }, minutes(n % 50)),
    );
  const n = defaultAlertThresholds.bulkAccessChildren;

  it('fires once when one user touches more than N distinct children in an hour, naming every entry', () => {
    const alerts = detect(touching(n + 5), 4);
    expect(rulesOf(alerts)).toEqual(['bulk-access']);
    expect(alerts[0]).toMatchObject({
      userId: 'lb-brent.practitioner',
      clientId: 'lb-brent-system',
      organisations: ['lb-brent'],
      threshold: n,
      observed: n + 1,
      entries: Array.from({ length: n + 1 }, (_, i) => i),
    });
  });

  it('does not fire at N children, for the same child touched again, or across two hours', () => {
    const repeated = [...touching(n), ...touching(n)];
    expect(detect(repeated)).toEqual([]);
    const split = [
      ...touching(n),
      ...Array.from({ length: n }, (_, i) => entry({ subjectRef: ref(100 + i) }, minutes(60 + i))),
    ];
    expect(detect(split)).toEqual([]);
  });

  it("judges by the acting organisation's own threshold", () => {
    const harrow = touching(4, 'lb-harrow.practitioner', 'lb-harrow');
    expect(rulesOf(detect(harrow))).toEqual(['bulk-access']);
    expect(detect(harrow.slice(0, 3))).toEqual([]);
  });
});

describe('out of hours', () => {
  const at = (iso: string, role = 'practitioner') =>
    entry({ actor: { ...brentPractitioner, role }, subjectRef: ref(1) }, new Date(iso));

  it('fires for a practitioner at 22:00 London time and on a Saturday, once a day per user', () => {
    expect(rulesOf(detect([at('2026-07-01T21:00:00Z'), at('2026-07-01T21:30:00Z')]))).toEqual([
      'out-of-hours',
    ]);
    expect(rulesOf(detect([at('2026-07-04T11:00:00Z')]))).toEqual(['out-of-hours']);
  });

  it('fires for a user whose roles all keep office hours, and not for one who also holds a role that does not', () => {
    expect(rulesOf(detect([at('2026-07-01T21:00:00Z', 'practitioner,cdop-coordinator')]))).toEqual([
      'out-of-hours',
    ]);
    expect(detect([at('2026-07-01T21:00:00Z', 'practitioner,ig-lead')])).toEqual([]);
  });

  it('does not fire in working hours, for an operator or an IG lead, or for an entry without a child', () => {
    expect(detect([at('2026-07-01T09:00:00Z'), at('2026-12-02T18:30:00Z')])).toEqual([]);
    expect(detect([at('2026-07-01T23:00:00Z', 'operator'), at('2026-07-01T23:00:00Z', 'ig-lead')])).toEqual(
      [],
    );
    expect(detect([entry({ action: 'request.list' }, new Date('2026-07-01T23:00:00Z'))])).toEqual([]);
  });

  it('keeps London time through the clock change: 06:30 UTC is 07:30 in summer, 06:30 in winter', () => {
    expect(isWithinWorkingHours('2026-07-01T06:30:00Z', defaultAlertThresholds.workingHours)).toBe(true);
    expect(isWithinWorkingHours('2026-12-02T06:30:00Z', defaultAlertThresholds.workingHours)).toBe(false);
  });
});

describe('repeated refusals', () => {
  const refused = (count: number, actor: AuditFacts['actor'] = brentPractitioner) =>
    Array.from({ length: count }, (_, i) =>
      entry({ actor, outcome: 'refused', reasonCodes: ['NOT_PERMITTED'] }, minutes(i)),
    );
  const n = defaultAlertThresholds.refusalsPerHour;

  it('fires for the user and for the client when each is refused more than N times in an hour', () => {
    const alerts = detect(refused(n + 1), 3);
    expect(rulesOf(alerts)).toEqual(['repeated-refusals', 'repeated-refusals']);
    expect(alerts.map((a) => a.userId)).toEqual(['lb-brent.practitioner', undefined]);
    expect(alerts.every((a) => a.clientId === 'lb-brent-system' && a.entries.length === n + 1)).toBe(true);
  });

  it('counts unauthenticated refusals against the client the token claimed, for its organisation', () => {
    const alerts = detect(
      refused(n + 1, { kind: 'anonymous', claimedClientId: 'lb-harrow-system' }).slice(0, 3),
    );
    expect(alerts).toMatchObject([
      { rule: 'repeated-refusals', clientId: 'lb-harrow-system', organisations: ['lb-harrow'] },
    ]);
  });

  it('does not fire at N refusals, or for allowed entries', () => {
    expect(detect(refused(n))).toEqual([]);
    expect(detect(Array.from({ length: 3 * n }, (_, i) => entry({}, minutes(i))))).toEqual([]);
  });
});

describe('cross-footprint attempts', () => {
  it('fires on each refusal with a cross-footprint code, for the actor and the parties', () => {
    const alerts = detect([
      entry(
        {
          action: 'request.submit',
          outcome: 'refused',
          reasonCodes: ['SUBJECT_REF_NOT_OF_FOOTPRINT'],
          parties: ['lb-brent', 'lb-harrow'],
        },
        minutes(0),
      ),
      entry(
        { action: 'request.submit', outcome: 'refused', reasonCodes: ['PURPOSE_NOT_FOR_FOOTPRINT'] },
        minutes(1),
      ),
    ]);
    expect(rulesOf(alerts)).toEqual(['cross-footprint', 'cross-footprint']);
    expect(alerts[0]?.organisations).toEqual(['lb-brent', 'lb-harrow']);
  });

  it('does not fire on other refusals', () => {
    expect(
      detect([
        entry(
          { action: 'request.submit', outcome: 'refused', reasonCodes: ['AGREEMENT_NOT_ACTIVE'] },
          minutes(0),
        ),
      ]),
    ).toEqual([]);
  });
});

describe('access under an agreement past review', () => {
  const flagged = (at: Date, version = 1) =>
    entry(
      {
        reviewOverdue: true,
        agreement: { id: 'isa-nw-bcu-mash', version },
        parties: ['lb-brent', 'lb-harrow'],
      },
      at,
    );

  it('fires on the first flagged access of the day for each agreement version', () => {
    const alerts = detect([
      flagged(minutes(0)),
      flagged(minutes(5)),
      flagged(minutes(6), 2),
      flagged(minutes(60 * 24)),
    ]);
    expect(rulesOf(alerts)).toEqual(['past-review', 'past-review', 'past-review']);
    expect(alerts[0]).toMatchObject({ organisations: ['lb-brent', 'lb-harrow'], entries: [0] });
  });

  it('does not fire without the flag, or when the access was refused', () => {
    expect(detect([entry({ agreement: { id: 'isa-nw-bcu-mash', version: 1 } }, minutes(0))])).toEqual([]);
    expect(
      detect([
        entry({ reviewOverdue: true, outcome: 'refused', agreement: { id: 'a', version: 1 } }, minutes(0)),
      ]),
    ).toEqual([]);
  });
});

describe('a share fetched from a rarely used client', () => {
  const fetch = (clientId: string, at: Date) =>
    entry({ action: 'share.fetch', actor: { ...brentPractitioner, clientId } }, at);
  const usual = Array.from({ length: defaultAlertThresholds.rareClientFetches }, (_, i) =>
    fetch('lb-brent-system', minutes(i * 60 * 24)),
  );

  it('fires when a client with fewer than N fetches in 30 days fetches, after N from the usual one', () => {
    const alerts = detect([...usual, fetch('lb-brent-mobile', minutes(5 * 60 * 24))]);
    expect(alerts).toMatchObject([
      { rule: 'rare-client', clientId: 'lb-brent-mobile', entries: [usual.length] },
    ]);
  });

  it('does not fire for the usual client, for an organisation with no history, or once fetches are old', () => {
    expect(detect([...usual, fetch('lb-brent-system', minutes(5 * 60 * 24))])).toEqual([]);
    expect(detect([fetch('lb-brent-mobile', minutes(0))])).toEqual([]);
    expect(detect([...usual, fetch('lb-brent-mobile', minutes(40 * 60 * 24))])).toEqual([]);
  });
});

describe('a key used after it was reported lost', () => {
  const revoke = (reasonCodes: string[]) =>
    entry(
      {
        action: 'registry.client-key.revoke',
        target: { type: 'client-key', id: 'lb-brent-system/kid-lost-0001' },
        reasonCodes,
      },
      minutes(0),
    );
  const tried = (kid = 'kid-lost-0001') =>
    entry(
      {
        actor: { kind: 'anonymous', claimedClientId: 'lb-brent-system', claimedKeyId: kid },
        action: 'request.authenticate',
        target: { type: 'route', id: 'GET /v1/requests' },
        outcome: 'refused',
        reasonCodes: ['KEY_REVOKED'],
      },
      minutes(10),
    );

  it('fires on a request signed with a key revoked as lost, naming the revocation and the attempt', () => {
    const alerts = detect([revoke(['KEY_LOST']), tried()], 1);
    expect(alerts).toMatchObject([
      { rule: 'lost-key-used', clientId: 'lb-brent-system', organisations: ['lb-brent'], entries: [0, 1] },
    ]);
    expect(rulesOf(detect([revoke(['KEY_COMPROMISED']), tried()]))).toEqual(['lost-key-used']);
  });

  it('does not fire for a key revoked for another reason, or for another key', () => {
    expect(detect([revoke(['KEY_SUPERSEDED']), tried()])).toEqual([]);
    expect(detect([revoke([]), tried()])).toEqual([]);
    expect(detect([revoke(['KEY_LOST']), tried('kid-other-0002')])).toEqual([]);
  });
});

describe('the batch budget', () => {
  it('stops before the entry whose alerts would not fit, and the next batch picks it up', () => {
    const refusals = Array.from({ length: 6 }, (_, i) =>
      entry({ outcome: 'refused', reasonCodes: ['SUBJECT_REF_NOT_OF_FOOTPRINT'] }, minutes(i)),
    );
    const leaves = refusals.map((e, index) => ({ index, entry: e }));
    const out = detectAnomalies(new Map(), leaves, context, { maxItems: 20, itemsOfAlert: () => 7 });
    expect(out.folded).toBeLessThan(6);
    expect(out.alerts.length * 7 + out.changes.size).toBeLessThanOrEqual(20);
    expect(rulesOf(detect(refusals, 2)).filter((r) => r === 'cross-footprint')).toHaveLength(6);
  });
});
