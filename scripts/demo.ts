import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeTime } from 'ulid';
import * as z from 'zod';
import { runAuditExport, runAuditVerify } from '#cli/commands/audit.ts';
import { type Io, parseCommandLine } from '#cli/commands/command.ts';
import { loadSubjectReferencer, localFootprintKeyFile } from '#cli/subject-reference.ts';
import type { DataRequestView, PbxClient } from '#client/pbx-client.ts';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';
import { type AuditEntry, auditEntrySchema } from '#shared/domain/audit/audit-entry.ts';
import { evidencePackV2Schema } from '#shared/domain/audit/verify-evidence.ts';
import { type ExchangeEvent, exchangeEventSchema } from '#shared/domain/events/exchange-event.ts';
import {
  check,
  demoClientFor,
  demoKeysDir,
  demoUrl,
  discoverExchange,
  expectStatus,
  sha256,
  short,
  storySteps,
  testNhsNumber,
} from './demo-support.ts';

/**
 * `npm run demo`: the story of one data request told against a running `npm start`, with real signed requests,
 * a real subject reference, the decision engine, the audit log and an evidence pack. Each step prints one
 * numbered line (✓ or ✗) and its facts; the exit status is 0 only if every step behaved as the story says.
 * Nothing personal is printed: the NHS number is a random one from the 999 test range, never shown, and the
 * payload is made up. Every run uses fresh idempotency keys and a fresh child, so it can run again and again
 * against the same exchange.
 *
 * PBX_URL (default http://127.0.0.1:8787) and PBX_KEYS_DIR (default .local/keys) say where the exchange and its
 * keys are; the evidence pack is kept in PBX_DEMO_DIR, or a new temporary folder.
 */

const url = demoUrl;
const keysDir = demoKeysDir;
const footprintId = 'north-west-bcu';
const runId = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
/** A little before the run, so that the feeds and the audit search start from it (clocks on one machine). */
const runStart = new Date(Date.now() - 2_000);

const step = storySteps('demo');

/** Polls `probe` until it returns something, for at most `ms`. */
const poll = async <T>(ms: number, probe: () => Promise<T | undefined>): Promise<T | undefined> => {
  const until = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined || Date.now() >= until) return found;
    await sleep(250);
  }
};

// ---- Before the story: is there an exchange, and are its keys here? ----------------------------------------

const discoverySchema = z.looseObject({
  exchangeId: z.string().min(1),
  audit: z.object({ origin: z.string().min(1), checkpointKey: z.string().min(1) }),
});

const discovery = await discoverExchange('demo', discoverySchema);

const clientFor = (user: string) => demoClientFor('demo', discovery.exchangeId, user);

const brent = await clientFor('lb-brent.practitioner');
const harrow = await clientFor('lb-harrow.practitioner');
const brentIgLead = await clientFor('lb-brent.ig-lead');

console.log(`pbx demo against ${url} (exchange "${discovery.exchangeId}"), run ${runId}\n`);

// ---- 1. Brent asks Harrow -----------------------------------------------------------------------------------

const mashRequest = (subjectRef: string) => brentAsksHarrow(subjectRef);

const { request, subjectRef } = await step(
  'Brent practitioner asks Harrow for a child’s records under isa-nw-bcu-mash (urgent, consent not sought)',
  async () => {
    const referenceOf = await loadSubjectReferencer(localFootprintKeyFile(keysDir, footprintId), footprintId);
    const subjectRef = referenceOf({ kind: 'nhs-number', nhsNumber: testNhsNumber() });
    const idempotencyKey = `demo-${runId}-submit`;
    const submitted = expectStatus(
      await brent.submitRequest(mashRequest(subjectRef), idempotencyKey),
      201,
      'submit',
    );
    const retried = expectStatus(
      await brent.submitRequest(mashRequest(subjectRef), idempotencyKey),
      201,
      'retry with the same Idempotency-Key',
    );
    check(
      retried.request.id === submitted.request.id,
      `the retry gave request ${retried.request.id}, not ${submitted.request.id}`,
    );
    const { request } = submitted;
    check(request.status === 'submitted', `the request is ${request.status}, not submitted`);
    return {
      facts: [
        `subject reference ${short(subjectRef, 30)} (derived locally with the ${footprintId} footprint key; the NHS number never left this process)`,
        `request ${request.id}: ${request.status}, agreement ${request.agreement.id} v${request.agreement.version}, purpose ${request.purpose}, due ${request.dueAt}`,
        `retry with the same Idempotency-Key: same request ${retried.request.id}`,
      ],
      value: { request, subjectRef },
    };
  },
);

// ---- 2. Harrow decides in part and releases -------------------------------------------------------------------

const payload = Buffer.from(
  JSON.stringify({
    summary: 'made-up demo record',
    protectionStatus: { childProtectionPlan: false, childInNeed: true },
    addressHistory: [{ from: '2024-09', postcodeDistrict: 'HA1' }],
  }),
);
const payloadHash = sha256(payload);

const inbox = async (): Promise<DataRequestView | undefined> => {
  let after: string | undefined;
  for (let page = 0; page < 20; page += 1) {
    const query = new URLSearchParams({ box: 'inbox', status: 'submitted', limit: '100' });
    if (after !== undefined) query.set('after', after);
    const answer = expectStatus(await harrow.listRequests(query), 200, 'inbox');
    const found = answer.requests.find((r) => r.id === request.id);
    if (found !== undefined || answer.next === undefined) return found;
    after = answer.next;
  }
  return undefined;
};

await step(
  'Harrow practitioner finds it in the inbox, approves in part and releases a JSON payload',
  async () => {
    const seen = await inbox();
    check(seen !== undefined, `request ${request.id} is not in Harrow's inbox`);
    const decided = expectStatus(
      await harrow.decideRequest(
        request.id,
        {
          outcome: 'partial',
          reasons: 'education attendance is held by the school, not by the local authority; ask the school',
          withheld: { dataCategories: ['education-attendance'] },
        },
        `demo-${runId}-decide`,
      ),
      200,
      'decide',
    );
    check(
      decided.request.status === 'partially-approved',
      `the request is ${decided.request.status}, not partially-approved`,
    );
    const released = expectStatus(
      await harrow.releaseShare(
        request.id,
        {
          content: payload.toString('base64'),
          sha256: payloadHash,
          contentType: 'application/json',
          dataCategories: ['identity-residence', 'protection-status'],
        },
        `demo-${runId}-release`,
      ),
      200,
      'release',
    );
    const share = released.request.share;
    check(share !== undefined, 'the released request has no share');
    return {
      facts: [
        `inbox: request ${request.id} from ${seen.requester.organisationId}, ${seen.urgency}, due ${seen.dueAt}`,
        `decision: ${decided.request.status}, withheld education-attendance (reason given)`,
        `released inline: ${share.size} bytes application/json, sha256 ${short(share.sha256)}, categories identity-residence, protection-status`,
      ],
      value: undefined,
    };
  },
);

// ---- 3. Brent fetches ---------------------------------------------------------------------------------------

await step('Brent fetches the share through its grant and checks the SHA-256', async () => {
  const grant = expectStatus(await brent.fetchShare(request.id, `demo-${runId}-fetch`), 200, 'fetch');
  const download = await fetch(grant.grant.url);
  check(download.ok, `the grant URL answered HTTP ${download.status}`);
  const bytes = Buffer.from(await download.arrayBuffer());
  const hash = sha256(bytes);
  check(
    hash === grant.share.sha256,
    `the bytes hash to ${short(hash)}, the exchange says ${short(grant.share.sha256)}`,
  );
  check(hash === payloadHash, 'the bytes are not the ones Harrow released');
  return {
    facts: [
      `grant valid until ${grant.grant.expiresAt}; ${bytes.byteLength} bytes, sha256 ${short(hash)} matches`,
      `fetch ${grant.share.fetchCount} of ${grant.share.maxFetches}; share expires ${grant.share.expiresAt}`,
    ],
    value: undefined,
  };
});

// ---- 4. An over-reaching request is refused ------------------------------------------------------------------

const refusalSchema = z.object({ error: z.string(), message: z.string(), details: z.array(z.string()) });

await step('Brent asks Barnet under the Brent & Harrow CDOP agreement: refused', async () => {
  const refused = await brent.submitRequest(
    {
      ...mashRequest(subjectRef),
      responderOrganisationId: 'lb-barnet',
      agreementId: 'isa-brent-harrow-cdop',
      purpose: 'CDR_CASE_REVIEW',
    },
    `demo-${runId}-overreach`,
  );
  check(refused.status === 403, `expected HTTP 403, got ${refused.status}`);
  const body = refusalSchema.safeParse(refused.body);
  check(
    body.success && body.data.error === 'REQUEST_REFUSED',
    `expected REQUEST_REFUSED, got ${JSON.stringify(refused.body)}`,
  );
  return {
    facts: [`HTTP 403 REQUEST_REFUSED: ${body.data.message}`, ...body.data.details.map((d) => `  ${d}`)],
    value: undefined,
  };
});

// ---- 5. The event feeds ---------------------------------------------------------------------------------------

const expectedEvents = ['RequestSubmitted', 'RequestDecided', 'ShareReleased', 'ShareFetched'] as const;
const feedSchema = z.object({ events: z.array(exchangeEventSchema), next: z.string().optional() });
/** The smallest event id of the run's start: the feed is read from there, not from the beginning of time. */
const feedStart = `${encodeTime(runStart.getTime(), 10)}${'0'.repeat(16)}`;

const eventsOf = async (client: PbxClient): Promise<ExchangeEvent[]> => {
  const events: ExchangeEvent[] = [];
  let after = feedStart;
  for (;;) {
    const answer = expectStatus(
      await client.call('GET', `/v1/events?limit=100&after=${after}`),
      200,
      'events',
    );
    const page = feedSchema.safeParse(answer);
    check(page.success, 'the exchange answered /v1/events with something else');
    events.push(
      ...page.data.events.filter((e) => 'requestId' in e.detail && e.detail.requestId === request.id),
    );
    if (page.data.next === undefined) return events;
    after = page.data.next;
  }
};

await step("Brent's and Harrow's event feeds tell the request's story", async () => {
  const facts: string[] = [];
  for (const [name, client] of [
    ['Brent', brent],
    ['Harrow', harrow],
  ] as const) {
    const events = await poll(5_000, async () => {
      const found = await eventsOf(client);
      return expectedEvents.every((t) => found.some((e) => e.type === t)) ? found : undefined;
    });
    const seen = events ?? (await eventsOf(client));
    const missing = expectedEvents.filter((t) => !seen.some((e) => e.type === t));
    check(missing.length === 0, `${name}'s feed lacks ${missing.join(', ')}`);
    facts.push(`${name.padEnd(6)} ${seen.map((e) => e.type).join(' → ')}`);
  }
  return { facts, value: undefined };
});

// ---- 6. The IG lead's audit view and an evidence pack --------------------------------------------------------

const searchPageSchema = z.object({
  entries: z.array(z.object({ index: z.number().int().nonnegative(), entry: auditEntrySchema })),
  next: z.number().int().positive().optional(),
});
type Found = { index: number; entry: AuditEntry };

const searchAudit = async (): Promise<Found[]> => {
  const found: Found[] = [];
  let cursor = 0;
  for (;;) {
    const query = new URLSearchParams({
      subjectRef,
      from: runStart.toISOString(),
      limit: '500',
      cursor: String(cursor),
    });
    const page = searchPageSchema.safeParse(
      expectStatus(await brentIgLead.auditSearch(query), 200, 'audit search'),
    );
    check(page.success, 'the exchange answered /v1/audit/search with something else');
    found.push(...page.data.entries);
    if (page.data.next === undefined) return found;
    cursor = page.data.next;
  }
};

const expectedEntries = [
  ['request.submit', 'allowed', 'submit'],
  ['request.decide', 'allowed', 'decide'],
  ['share.release', 'allowed', 'release'],
  ['share.fetch', 'allowed', 'fetch'],
  ['request.submit', 'refused', 'refusal'],
] as const;

const entryOf = (found: readonly Found[], action: string, outcome: string) =>
  found.find(
    ({ entry }) =>
      entry.action === action &&
      entry.outcome === outcome &&
      (outcome === 'refused' || entry.target?.id === request.id),
  );

const quietIo = (cwd: string) => {
  const out: string[] = [];
  const io: Io = {
    env: process.env,
    cwd,
    stdin: (async function* () {})(),
    stdout: (text) => void out.push(text),
    stderr: (text) => void out.push(text),
    setExitStatus: () => undefined,
  };
  return { io, out };
};

await step(
  "Brent's IG lead finds every step in the audit log, exports an evidence pack and verifies it offline",
  async () => {
    // The local exchange sequences the audit log every second: poll until every entry has a leaf.
    const found =
      (await poll(20_000, async () => {
        const all = await searchAudit();
        return expectedEntries.every(([action, outcome]) => entryOf(all, action, outcome)) ? all : undefined;
      })) ?? (await searchAudit());
    const missing = expectedEntries.filter(([action, outcome]) => !entryOf(found, action, outcome));
    check(missing.length === 0, `the audit search lacks ${missing.map(([, , name]) => name).join(', ')}`);
    const ours = expectedEntries.map(([action, outcome]) => entryOf(found, action, outcome) as Found);
    const first = Math.min(...ours.map((f) => f.index));
    const last = Math.max(...ours.map((f) => f.index));

    // A checkpoint follows the log within a few seconds: wait for one that covers the last entry.
    const checkpoint = await poll(20_000, async () => {
      const answer = await brentIgLead.auditCheckpoint();
      return answer.status === 200 && answer.body.size > last ? answer.body : undefined;
    });
    check(checkpoint !== undefined, `no checkpoint covers audit leaf ${last} after 20 s`);

    const dir = process.env.PBX_DEMO_DIR || (await mkdtemp(join(tmpdir(), 'pbx-demo-')));
    const pack = join(dir, `evidence-${runId}.json`);
    const signing = ['--url', url, '--keys', keysDir, '--as', 'lb-brent-system', '--sub', 'lb-brent.ig-lead'];
    const exporting = quietIo(dir);
    await runAuditExport({
      values: parseCommandLine([...signing, '--out', pack, '--from', String(first)]).values,
      operands: [],
      io: exporting.io,
    });
    // Offline: nothing but the file and the checkpoint key pinned from the exchange's discovery document.
    const verifying = quietIo(dir);
    await runAuditVerify({
      values: parseCommandLine(['--key', discovery.audit.checkpointKey]).values,
      operands: [pack],
      io: verifying.io,
    });
    // The pack holds every leaf of the range; Brent's IG lead sees in full the entries that concern Brent, and
    // every other only as its leaf hash (docs/AUDIT.md).
    const written = evidencePackV2Schema.parse(JSON.parse(await readFile(pack, 'utf8')));
    const shown = written.leaves.filter((leaf) => leaf.entry !== undefined);
    const inPack = new Set(shown.map((leaf) => leaf.index));
    check(
      ours.every((f) => inPack.has(f.index)),
      'the evidence pack does not show every entry the search found',
    );
    const line = (f: Found) =>
      `leaf ${String(f.index).padStart(5)}  ${f.entry.time}  ${f.entry.action.padEnd(15)} ${f.entry.outcome.padEnd(8)} ${f.entry.actor.userId ?? f.entry.actor.clientId}${f.entry.reasonCodes.length === 0 ? '' : `  ${f.entry.reasonCodes.join(', ')}`}`;
    return {
      facts: [
        `audit search by subject reference: ${found.length} entries since the run began${found.length > ours.length ? ', among them' : ''}:`,
        ...ours.map((f) => `  ${line(f)}`),
        `evidence pack: leaves [${first}, ${written.to}), ${shown.length} shown in full, the rest as leaf hashes, ${pack}`,
        ...verifying.out
          .join('')
          .trim()
          .split('\n')
          .map((l) => `pbx audit verify: ${l}`),
      ],
      value: undefined,
    };
  },
);

console.log(`\ndemo complete: ${step.taken()} steps, all as expected`);
