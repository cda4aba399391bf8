/**
 * `npm run bench:audit` (second part): audit appends against DynamoDB Local on this machine. Records entries the
 * way every action does (one transaction: the entry and its pending marker), then sequences them into the Merkle
 * log (one conditional transaction per append of up to `maxLeavesPerAppend` leaves). Prints both rates.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startExchange } from '#local/exchange.ts';
import { localCredentials, localRegion } from '#local/local-credentials.ts';
import { localTableName } from '#local/provision.ts';
import { DynamoAuditLog } from '#shared/adapters/dynamodb/audit-log.ts';
import { createDocumentClient } from '#shared/adapters/dynamodb/client.ts';
import { DynamoMerkleLogStore } from '#shared/adapters/dynamodb/merkle-log-store.ts';
import { newAuditEntry } from '#shared/domain/audit/audit-entry.ts';
import { sequenceAuditEntries } from '#shared/domain/audit/sequence-entries.ts';
import { systemClock } from '#shared/ports/clock.ts';

const count = Number(process.argv.find((a) => a.startsWith('--entries='))?.split('=')[1] ?? 2_000);
const inFlight = 16;

const exchange = await startExchange({ schedules: false });
const dynamo = new DynamoDBClient({
  endpoint: exchange.dynamoEndpoint,
  region: localRegion,
  credentials: localCredentials,
});
const doc = createDocumentClient(dynamo);
const audit = new DynamoAuditLog(doc, localTableName('audit'));
const log = new DynamoMerkleLogStore(doc, localTableName('audit'));
try {
  // The seed's own entries are sequenced first, so the timed run sequences only the benchmark's.
  await sequenceAuditEntries({ log, clock: systemClock }, { batchSize: 100, maxBatches: 100_000 });

  const entry = (i: number) =>
    newAuditEntry(
      {
        actor: {
          kind: 'client',
          clientId: 'lb-brent-system',
          organisationId: 'lb-brent',
          userId: 'lb-brent.practitioner',
        },
        action: 'decision.evaluate',
        target: { type: 'organisation', id: 'lb-harrow' },
        outcome: i % 3 === 0 ? 'refused' : 'allowed',
        reasonCodes: i % 3 === 0 ? ['CONSENT_RULE_UNMET'] : [],
        agreement: { id: 'isa-brent-harrow-cdop', version: 1 },
        purpose: 'CDR_CASE_REVIEW',
        lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18'],
        consentState: 'not-applicable',
        dataCategories: ['identity-residence', 'child-death-details'],
        requestHash: 'x'.repeat(43),
      },
      systemClock.now(),
    );

  let next = 0;
  const recordStarted = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const i = next++;
        await audit.record(entry(i));
      }
    }),
  );
  const recordSeconds = (performance.now() - recordStarted) / 1000;

  const sequenceStarted = performance.now();
  const summary = await sequenceAuditEntries(
    { log, clock: systemClock },
    { batchSize: 100, maxBatches: 100_000 },
  );
  const sequenceSeconds = (performance.now() - sequenceStarted) / 1000;

  const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en-GB');
  console.log(`pbx audit appends on DynamoDB Local (same machine, ${inFlight} in flight for recording)`);
  console.log(
    `record an entry (entry + pending marker, one transaction): ${rate(count, recordSeconds)} entries/s`,
  );
  console.log(
    `sequence into the Merkle log (${log.maxLeavesPerAppend} leaves per conditional transaction): ${rate(summary.appended, sequenceSeconds)} entries/s (${summary.appended} entries, tree size ${summary.size})`,
  );
} finally {
  dynamo.destroy();
  await exchange.stop();
}
