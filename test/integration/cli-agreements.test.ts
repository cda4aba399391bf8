import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { type AgreementContent, contentHashOf } from '#shared/domain/agreements/agreement.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { runPbx } from '../support/pbx-cli.ts';

let exchange: RunningExchange;
let workDir: string;

/** Runs `pbx ARGS` as its own process, the way a user does, against the exchange of this test. */

/** Runs `pbx ARGS` as its own process against the exchange of this test. */
const pbx = (args: readonly string[], options: { stdin?: string } = {}) =>
  runPbx({ url: exchange.url, keysDir: exchange.keysDir, cwd: workDir }, args, options);

const file = (name: string) => join(workDir, name);

/** `--as <org>-system --sub <org>.<user>`: an organisation's system acting for one of its seeded users. */
const actingFor = (user: string): string[] => {
  const [organisation] = user.split('.');
  return ['--as', `${organisation}-system`, '--sub', user];
};

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** A two-party child death review agreement, in force from last month whenever the test runs. */
const lifecycleContent: AgreementContent = {
  title: 'Brent and Harrow: CLI lifecycle test',
  parties: ['lb-brent', 'lb-harrow'],
  footprintId: 'brent-harrow-cdop-area',
  purposes: [
    {
      code: 'CDR_CASE_REVIEW',
      description: 'Case information about a child who died, for the review of the death',
      dataCategories: ['identity-residence', 'child-death-details'],
      lawfulBasis: ['UKGDPR-6-1-e', 'UKGDPR-9-2-g', 'DPA2018-S1-P2-18', 'CA2004-s16M'],
      consentRule: 'not-required',
      rolesAllowedToRequest: ['practitioner'],
      rolesAllowedToAnswer: ['practitioner'],
      retentionDays: 730,
    },
  ],
  validFrom: day(-30),
  reviewDate: day(335),
  blockWhenReviewOverdue: false,
  dpiaReference: 'DPIA-CLI-TEST',
  appropriatePolicyDocument: 'APD-CLI-TEST',
};

/** Brent's practitioner asks Harrow for child death review case data (the first demonstration). */
const cdrCheck = (to: string, agreement: string): string[] => [
  'check',
  ...actingFor('lb-brent.practitioner'),
  '--to',
  to,
  '--agreement',
  agreement,
  '--purpose',
  'CDR_CASE_REVIEW',
  '--categories',
  'identity-residence,child-death-details',
  '--basis',
  'UKGDPR-6-1-e,UKGDPR-9-2-g,DPA2018-S1-P2-18,CA2004-s16M',
  '--consent',
  'not-applicable',
];

/**
 * An exchange that lies: it serves an agreement version whose content was changed after its hash was taken, and
 * counts the signatures it is sent.
 */
const startLyingExchange = async () => {
  const stated = contentHashOf(lifecycleContent);
  const shown: AgreementContent = {
    ...lifecycleContent,
    purposes: lifecycleContent.purposes.map((p) => ({ ...p, retentionDays: 36_500 })),
  };
  const agreement = {
    id: 'isa-tampered',
    latestVersion: 1,
    versions: [
      {
        agreementId: 'isa-tampered',
        version: 1,
        content: shown,
        contentHash: stated,
        createdAt: '2026-01-01T00:00:00.000Z',
        createdBy: 'lb-brent.ig-lead',
        signatures: [],
      },
    ],
    standing: { state: 'not-active' },
  };
  const posts: string[] = [];
  const server: Server = createServer((request, response) => {
    if (request.method === 'POST') posts.push(request.url ?? '');
    const body =
      request.url === '/.well-known/pbx-exchange'
        ? { exchangeId: 'lying-exchange', algorithms: ['ES256', 'EdDSA'] }
        : request.method === 'GET' && request.url === '/v1/agreements/isa-tampered'
          ? { agreement }
          : undefined;
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { error: 'NOT_FOUND', message: 'not here' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    stated,
    posts,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-cli-agreements-'));
  exchange = await startExchange({ dynamoDb: sharedDynamoDb() });
});

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

// The seeded agreements are only read; the lifecycle test changes its own agreement only. So the tests run side
// by side, and the CLI processes (about a second each) dominate the time. The lifecycle runs six of them one after
// the other, hence its longer timeout.
describe.concurrent('pbx agreement and pbx check, run as a user runs them', () => {
  it('lists the seeded agreements, and judges a request: Brent to Harrow permitted, Brent to Barnet refused', async ({
    expect,
  }) => {
    const [listed, permitted, refused] = await Promise.all([
      pbx(['agreement', 'list', ...actingFor('lb-brent.ig-lead')]),
      pbx(cdrCheck('lb-harrow', 'isa-brent-harrow-cdop')),
      pbx(cdrCheck('lb-barnet', 'isa-brent-harrow-cdop')),
    ]);

    expect(listed).toMatchObject({ code: 0, stderr: '' });
    for (const id of [
      'isa-nw-bcu-mash',
      'isa-brent-harrow-cdop',
      'isa-bhr-cdop',
      'isa-beds-luton-cdop',
      'isa-east-area-missing',
    ]) {
      expect(listed.stdout).toMatch(new RegExp(`^${id} +\\S`, 'm'));
    }
    expect(listed.stdout).toContain('in force (version 1)');

    expect(permitted).toMatchObject({ code: 0, stderr: '' });
    expect(permitted.stdout).toMatch(/^permit\n {2}judged by isa-brent-harrow-cdop version 1\n/);

    // Brent and Barnet share the North West BCU, but not this agreement or its footprint.
    expect(refused).toMatchObject({ code: 1, stderr: '' });
    expect(refused.stdout).toMatch(/^deny\n/);
    expect(refused.stdout).toMatch(/^ {2}RESPONDER_NOT_A_PARTY: \S/m);
    expect(refused.stdout).toMatch(/^ {2}RESPONDER_NOT_IN_FOOTPRINT: \S/m);
  });

  it('creates an agreement from a file, has each party sign it, shows it in force; suspended, it refuses requests', async ({
    expect,
  }) => {
    const id = 'isa-cli-lifecycle';
    const hash = contentHashOf(lifecycleContent);
    await writeFile(file('lifecycle.json'), JSON.stringify(lifecycleContent, null, 2));

    const created = await pbx([
      'agreement',
      'create',
      '--file',
      'lifecycle.json',
      '--id',
      id,
      ...actingFor('lb-brent.ig-lead'),
    ]);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toContain(`created ${id} version 1`);
    expect(created.stdout).toContain(`content hash ${hash}`);

    // One after the other: each signature is a conditional write on the version.
    const brentSigned = await pbx([
      'agreement',
      'sign',
      id,
      '--hash',
      hash,
      ...actingFor('lb-brent.ig-lead'),
    ]);
    expect(brentSigned).toMatchObject({ code: 0, stderr: '' });
    expect(brentSigned.stdout).toContain(`signed ${id} version 1`);
    expect(brentSigned.stdout).toContain('awaiting signatures from: lb-harrow');
    const harrowSigned = await pbx(['agreement', 'sign', id, ...actingFor('lb-harrow.ig-lead')]);
    expect(harrowSigned).toMatchObject({ code: 0, stderr: '' });
    expect(harrowSigned.stdout).toContain('every party has signed: version 1 is active since');

    const [shown, permitted] = await Promise.all([
      pbx(['agreement', 'show', id, ...actingFor('lb-harrow.practitioner')]),
      pbx(cdrCheck('lb-harrow', id)),
    ]);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toMatch(/^standing: +in force \(version 1\)$/m);
    expect(shown.stdout).toMatch(/^parties: +lb-brent, lb-harrow$/m);
    expect(shown.stdout).toMatch(/^footprint: +brent-harrow-cdop-area$/m);
    expect(shown.stdout).toContain(`review:      ${lifecycleContent.reviewDate}`);
    expect(shown.stdout).toContain('  CDR_CASE_REVIEW: ');
    expect(shown.stdout).toContain(`content hash ${hash} (matches the content)`);
    expect(shown.stdout).toMatch(
      /^ {4}lb-brent +signed \S+ by lb-brent\.ig-lead \(ig-lead\) via lb-brent-system$/m,
    );
    expect(shown.stdout).toMatch(/^ {4}lb-harrow +signed \S+ by lb-harrow\.ig-lead \(ig-lead\)/m);
    expect(shown.stdout).toContain('active since');
    expect(permitted.code).toBe(0);

    const suspended = await pbx([
      'agreement',
      'suspend',
      id,
      '--reason',
      'data breach under investigation',
      ...actingFor('lb-harrow.ig-lead'),
    ]);
    expect(suspended).toMatchObject({ code: 0, stderr: '' });
    expect(suspended.stdout).toContain(`suspended ${id}`);
    expect(suspended.stdout).toContain('by lb-harrow.ig-lead: data breach under investigation');

    // The same question, this time as a request file, and with the exchange's answer as it came.
    const request = {
      responderOrganisationId: 'lb-harrow',
      agreementId: id,
      purpose: 'CDR_CASE_REVIEW',
      dataCategories: ['identity-residence'],
      lawfulBasis: ['UKGDPR-6-1-e', 'CA2004-s16M'],
      consent: { state: 'not-applicable' },
    };
    // Meanwhile a change is proposed as version 2: drafting goes on while requests are refused.
    const changed = { ...lifecycleContent, reviewDate: day(200) };
    await Promise.all([
      writeFile(file('request.json'), JSON.stringify(request)),
      writeFile(file('lifecycle-v2.json'), JSON.stringify(changed)),
    ]);
    const [refused, proposed] = await Promise.all([
      pbx(['check', '--file', 'request.json', '--json', ...actingFor('lb-brent.practitioner')]),
      pbx(['agreement', 'propose', id, '--file', 'lifecycle-v2.json', ...actingFor('lb-harrow.ig-lead')]),
    ]);
    expect(proposed).toMatchObject({ code: 0, stderr: '' });
    expect(proposed.stdout).toContain(`proposed ${id} version 2`);
    expect(proposed.stdout).toContain(`content hash ${contentHashOf(changed)}`);
    expect(refused.code).toBe(1);
    const decision = JSON.parse(refused.stdout);
    expect(decision.decision).toBe('deny');
    expect(decision.reasons.map((r: { code: string }) => r.code)).toEqual(['AGREEMENT_SUSPENDED']);
  }, 60_000);

  it('refuses to sign a version whose content does not hash to the hash the exchange states', async ({
    expect,
  }) => {
    const liar = await startLyingExchange();
    try {
      const refused = await pbx([
        'agreement',
        'sign',
        'isa-tampered',
        ...actingFor('lb-brent.ig-lead'),
        '--url',
        liar.url,
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toContain('refusing to sign isa-tampered version 1');
      expect(refused.stderr).toContain(liar.stated);
      expect(liar.posts).toEqual([]);
    } finally {
      await liar.stop();
    }
  });

  it('checks an agreement and a request locally and sends nothing when they are not valid (exit 2)', async ({
    expect,
  }) => {
    const { appropriatePolicyDocument: _dropped, ...withoutPolicy } = lifecycleContent;
    await writeFile(file('invalid.json'), JSON.stringify({ ...withoutPolicy, validto: day(400) }));
    const [agreement, request, help] = await Promise.all([
      pbx(['agreement', 'create', '--file', 'invalid.json', ...actingFor('lb-brent.ig-lead')]),
      pbx([
        ...cdrCheck('lb-harrow', 'isa-brent-harrow-cdop').filter((a) => a !== 'not-applicable'),
        'obtained',
        '--obtained-from',
        'neighbour',
      ]),
      pbx(['check', '--help']),
    ]);

    expect(agreement.code).toBe(2);
    expect(agreement.stdout).toBe('');
    expect(agreement.stderr).toContain('nothing was sent');
    expect(agreement.stderr).toContain('purposes.0.lawfulBasis: APPROPRIATE_POLICY_DOCUMENT_MISSING');
    expect(agreement.stderr).toContain('validto: not a field of an agreement');

    expect(request.code).toBe(2);
    expect(request.stderr).toContain('--obtained-by');
    expect(request.stderr).toContain('--obtained-from');

    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit status: 0 permit; 1 deny');
  });
});
