import { randomBytes } from 'node:crypto';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { brentAsksHarrow } from '#local/seed/example-requests.ts';

/**
 * `npm run bench:e2e`: end-to-end signed data request submissions (POST /v1/requests, each freshly signed with
 * its own jti, permitted, Brent asking Harrow under isa-nw-bcu-mash) through the local HTTP adapter and the real
 * handlers against DynamoDB Local, against raw DynamoDB Local TransactWriteItems of the same shape as the one
 * transaction a submission commits (the request, its signed copy, outbox and inbox copies, its work-list item,
 * the audit entry and its pending marker, two feed copies and the outbox marker of its event: 10 puts over three
 * tables, 7 of them conditional), at the same concurrency on the same DynamoDB Local.
 *
 * What the ratio says: how much of a submission's time is the one write it must make, and how much is everything
 * else (signing, HTTP, the signature check and nonce write, registry and agreement reads, the decision engine).
 * The exchange runs in this process, so the client's signing and the server share one event loop: a lower bound
 * on what a separate client would see. A measurement, not a test: it exits 0 whatever the figures, and non-zero
 * only if a submission is refused or a transaction fails.
 */

const { values: options } = parseArgs({
  options: {
    count: { type: 'string', default: '400' },
    'warm-up': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '1,8,16' },
  },
});
const positive = (name: string, value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new TypeError(`--${name} must be a positive whole number`);
  return n;
};
const count = positive('count', options.count);
const warmUp = positive('warm-up', options['warm-up']);
const levels = options.concurrency.split(',').map((c) => positive('concurrency', c));

// Handlers log through Powertools at INFO; a benchmark's output is its table. Set before the handlers load.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
const { PbxClient, localKeyFile, readPrivateKey } = await import('#client/pbx-client.ts');
const { startExchange } = await import('#local/exchange.ts');
const { localCredentials, localRegion } = await import('#local/local-credentials.ts');
const { localTableName } = await import('#local/provision.ts');
const { createDocumentClient } = await import('#shared/adapters/dynamodb/client.ts');
const { Transaction } = await import('#shared/adapters/dynamodb/transaction.ts');
const { newAuditEntry } = await import('#shared/domain/audit/audit-entry.ts');
const { newExchangeEvent } = await import('#shared/domain/events/exchange-event.ts');

type Sample = { seconds: number; latenciesMs: number[] };

/** `total` operations with `inFlight` at once; each latency from its own start to its own end. */
const measure = async (
  total: number,
  inFlight: number,
  op: (i: number) => Promise<void>,
): Promise<Sample> => {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < total; i = next++) {
        const at = performance.now();
        await op(i);
        latenciesMs.push(performance.now() - at);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latenciesMs };
};

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const summary = (sample: Sample) => {
  const sorted = [...sample.latenciesMs].sort((a, b) => a - b);
  return {
    rate: sample.latenciesMs.length / sample.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
};

const exchange = await startExchange({ schedules: false });
const dynamo = new DynamoDBClient({
  endpoint: exchange.dynamoEndpoint,
  region: localRegion,
  credentials: localCredentials,
});
const doc = createDocumentClient(dynamo);

try {
  const brent = new PbxClient({
    url: exchange.url,
    clientId: 'lb-brent-system',
    key: await readPrivateKey(localKeyFile(exchange.keysDir, 'lb-brent-system')),
    audience: exchange.exchangeId,
    subject: 'lb-brent.practitioner',
  });
  const subjectRef = `sr1.north-west-bcu.${'A'.repeat(43)}`;
  const submission = brentAsksHarrow(subjectRef);
  const bodyBytes = Buffer.byteLength(JSON.stringify(submission));

  // One end-to-end submission: signed afresh (a new jti), sent, and it must be accepted.
  const submit = async () => {
    const answer = await brent.submitRequest(submission);
    if (answer.status !== 201) {
      throw new Error(`a submission was answered HTTP ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
  };

  // A real submission's items, to give the raw transaction the same shape and sizes.
  const sample = await brent.submitRequest(submission);
  if (sample.status !== 201) throw new Error(`the sample submission was answered HTTP ${sample.status}`);
  const { overdue: _overdue, ...record } = sample.body.request;
  const signedCopy = { compact: 'x'.repeat(900), body: JSON.stringify(submission) };
  const requests = localTableName('requests');
  const audit = localTableName('audit');
  const events = localTableName('events');
  const run = randomBytes(4).toString('hex');

  /** The writes of one submission, under keys nobody else reads (BENCH#…). */
  const rawTransaction = async (i: number) => {
    const now = new Date();
    const id = `${run}-${i}`;
    const entry = newAuditEntry(
      {
        actor: {
          kind: 'client',
          clientId: 'lb-brent-system',
          organisationId: 'lb-brent',
          userId: 'lb-brent.practitioner',
        },
        action: 'request.submit',
        target: { type: 'request', id: record.id },
        outcome: 'allowed',
        agreement: record.agreement,
        purpose: record.purpose,
        lawfulBasis: record.lawfulBasis,
        consentState: 'not-sought',
        dataCategories: record.dataCategories,
        subjectRef,
        parties: ['lb-brent', 'lb-harrow'],
        requestHash: record.requestHash,
      },
      now,
    );
    const event = newExchangeEvent(
      'RequestSubmitted',
      {
        requestId: record.id,
        requesterOrganisationId: 'lb-brent',
        responderOrganisationId: 'lb-harrow',
        agreementId: record.agreement.id,
        agreementVersion: record.agreement.version,
        purpose: record.purpose,
        dataCategories: [...record.dataCategories],
        urgency: record.urgency,
        dueAt: record.dueAt,
      },
      ['lb-brent', 'lb-harrow'],
      now,
    );
    const outcome = await new Transaction()
      .put(requests, { pk: `BENCH#REQUEST#${id}`, sk: 'REQUEST', ...record }, { ifAbsent: true })
      .put(requests, { pk: `BENCH#REQUEST#${id}`, sk: 'SIGNED', ...signedCopy }, { ifAbsent: true })
      .put(requests, { pk: 'BENCH#OUTBOX#lb-brent', sk: id, ...record })
      .put(requests, { pk: 'BENCH#INBOX#lb-harrow', sk: id, ...record })
      .put(requests, { pk: 'BENCH#WORK#due', sk: `${record.dueAt}#${id}`, requestId: id })
      .put(audit, { pk: `BENCH#ENTRY#${id}`, sk: 'ENTRY', ...entry }, { ifAbsent: true })
      .put(audit, { pk: `BENCH#PENDING#${id}`, sk: 'PENDING', entryId: entry.id }, { ifAbsent: true })
      .put(events, { pk: `BENCH#FEED#lb-brent#${id}`, sk: event.id, event }, { ifAbsent: true })
      .put(events, { pk: `BENCH#FEED#lb-harrow#${id}`, sk: event.id, event }, { ifAbsent: true })
      .put(events, { pk: `BENCH#UNPUBLISHED#${id}`, sk: event.id, event }, { ifAbsent: true })
      .commit(doc);
    if (outcome !== 'committed') throw new Error(`raw transaction ${i} was ${outcome}`);
  };

  // Warm-up: the JIT, the handlers' cold starts, DynamoDB Local's own JVM.
  let rawCounter = 0;
  await measure(warmUp, 8, submit);
  await measure(warmUp, 8, () => rawTransaction(rawCounter++));

  const rows: { inFlight: number; e2e: ReturnType<typeof summary>; raw: ReturnType<typeof summary> }[] = [];
  for (const inFlight of levels) {
    const e2e = summary(await measure(count, inFlight, submit));
    const raw = summary(await measure(count, inFlight, () => rawTransaction(rawCounter++)));
    rows.push({ inFlight, e2e, raw });
  }

  const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const [load = 0] = loadavg();
  console.log('pbx bench:e2e: signed data request submissions end to end vs raw DynamoDB Local transactions');
  console.log(
    `machine:  node ${process.version}, ${process.platform} ${process.arch}, ${availableParallelism()} CPUs (${cpuModel}), load average ${load.toFixed(2)}`,
  );
  console.log(
    `workload: POST /v1/requests, ${bodyBytes}-byte JSON body, ES256-signed with a fresh jti each, permitted (lb-brent -> lb-harrow, isa-nw-bcu-mash),`,
  );
  console.log(
    '          through the local HTTP adapter (in this process) and the real handlers; raw: TransactWriteItems of 10 puts',
  );
  console.log(
    '          over the requests, audit and events tables (7 conditional), the shape a submission commits',
  );
  console.log(
    `method:   ${warmUp} of each as warm-up (8 in flight), then ${count} of each per concurrency, end-to-end first, raw second`,
  );
  console.log('');
  const column = (s: string, n: number) => s.padStart(n);
  const rate = (n: number) => Math.round(n).toLocaleString('en-GB');
  const ms = (n: number) => n.toFixed(1);
  console.log(
    `${'in flight'.padEnd(10)}${column('e2e/s', 9)}${column('p50 ms', 9)}${column('p99 ms', 9)}${column('raw tx/s', 11)}${column('p50 ms', 9)}${column('p99 ms', 9)}${column('e2e/raw', 10)}`,
  );
  for (const { inFlight, e2e, raw } of rows) {
    console.log(
      `${String(inFlight).padEnd(10)}${column(rate(e2e.rate), 9)}${column(ms(e2e.p50), 9)}${column(ms(e2e.p99), 9)}${column(rate(raw.rate), 11)}${column(ms(raw.p50), 9)}${column(ms(raw.p99), 9)}${column(`${((e2e.rate / raw.rate) * 100).toFixed(0)}%`, 10)}`,
    );
  }
  console.log('');
  console.log(
    'e2e/raw: end-to-end submissions per second as a share of raw transactions per second at the same concurrency.',
  );
} finally {
  dynamo.destroy();
  await exchange.stop();
}
