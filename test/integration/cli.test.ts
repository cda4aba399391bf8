import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type RunningExchange, startExchange } from '#local/exchange.ts';
import { freePort } from '#local/free-port.ts';
import { generateSigningKey } from '#shared/adapters/jose/signing-keys.ts';
import { sharedDynamoDb } from '../support/global-dynamodb.ts';
import { runPbx } from '../support/pbx-cli.ts';

let exchange: RunningExchange;
let workDir: string;

/** Runs `pbx ARGS` as its own process, the way a user does, against the exchange of this test. */

/** Runs `pbx ARGS` as its own process against the exchange of this test. */
const pbx = (args: readonly string[], options: { stdin?: string } = {}) =>
  runPbx({ url: exchange.url, keysDir: exchange.keysDir, cwd: workDir }, args, options);

const file = (name: string) => join(workDir, name);

/** A fresh private key on disk, registered nowhere. */
const newKeyFile = async (name: string, alg: 'ES256' | 'EdDSA' = 'ES256') => {
  const jwk = await generateSigningKey(alg);
  await writeFile(file(name), JSON.stringify(jwk), { mode: 0o600 });
  return { path: file(name), jwk };
};

const kidIn = async (path: string): Promise<string> => JSON.parse(await readFile(path, 'utf8')).kid;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pbx-cli-'));
  exchange = await startExchange({ dynamoDb: sharedDynamoDb() });
});

afterAll(async () => {
  await exchange?.stop();
  await rm(workDir, { recursive: true, force: true });
});

// The tests share one exchange but no state another relies on (each writes its own key files; only the rotation
// test changes lb-harrow-system's keys), so they run side by side: the CLI processes dominate the time.
describe.concurrent('pbx, run as a user runs it', () => {
  it('says who the exchange takes the caller to be, for the client alone and acting for a user', async ({
    expect,
  }) => {
    const [alone, forUser] = await Promise.all([
      pbx(['whoami', '--as', 'lb-brent-system']),
      pbx(['whoami', '--as', 'lb-brent-system', '--sub', 'lb-brent.ig-lead', '--json']),
    ]);
    const brentKid = await kidIn(join(exchange.keysDir, 'lb-brent-system.jwk.json'));

    expect(alone).toMatchObject({ code: 0, stderr: '' });
    expect(alone.stdout).toContain('lb-brent-system (London Borough of Brent system) of lb-brent');
    expect(alone.stdout).toContain(`key ${brentKid} ES256, acting for nobody`);

    expect(forUser.code).toBe(0);
    expect(JSON.parse(forUser.stdout)).toMatchObject({
      client: { id: 'lb-brent-system' },
      organisation: { id: 'lb-brent' },
      user: { id: 'lb-brent.ig-lead', roles: ['ig-lead'] },
      key: { kid: brentKid, alg: 'ES256' },
    });
  });

  it('generates a key pair: the private JWK to a 0600 file it never overwrites, the public one to stdout', async ({
    expect,
  }) => {
    const out = file('keygen.jwk.json');
    const first = await pbx(['keygen', '--out', out]);
    const [again, printed] = await Promise.all([
      pbx(['keygen', '--out', out]),
      pbx(['keygen', '--alg', 'EdDSA']),
    ]);

    expect(first.code).toBe(0);
    const written = JSON.parse(await readFile(out, 'utf8'));
    expect(written).toMatchObject({
      kty: 'EC',
      alg: 'ES256',
      d: expect.any(String),
      kid: expect.any(String),
    });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const publicJwk = JSON.parse(first.stdout);
    expect(publicJwk).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: written.x,
      y: written.y,
      kid: written.kid,
      alg: 'ES256',
      use: 'sig',
    });
    expect(`${first.stdout}${first.stderr}`).not.toContain(written.d);

    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(await readFile(out, 'utf8')).toBe(`${JSON.stringify(written, null, 2)}\n`);

    // Without --out the private key is what was asked for on stdout; the public half goes to stderr.
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
      d: expect.any(String),
    });
  });

  it('refuses requests signed with an unregistered key, or by a client that does not own the key', async ({
    expect,
  }) => {
    const unregisteredKey = await newKeyFile('unregistered.jwk.json');
    const [unregistered, notOwner] = await Promise.all([
      pbx(['call', 'GET', '/v1/whoami', '--as', 'lb-brent-system', '--key', unregisteredKey.path]),
      pbx([
        'whoami',
        '--as',
        'lb-harrow-system',
        '--key',
        join(exchange.keysDir, 'lb-brent-system.jwk.json'),
      ]),
    ]);
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toMatch(/HTTP 401 UNKNOWN_KEY\b/);
    expect(notOwner.code).toBe(1);
    expect(notOwner.stderr).toMatch(/HTTP 401 KEY_NOT_OWNED_BY_ISSUER\b/);
  });

  it('rotates a key: add the new one, use it, list both, revoke the old one with the new', async ({
    expect,
  }) => {
    const oldKid = await kidIn(join(exchange.keysDir, 'lb-harrow-system.jwk.json'));
    const { path: next, jwk: nextJwk } = await newKeyFile('harrow-next.jwk.json');
    const newKid = nextJwk.kid;

    // The file holds the private key: only its public half may reach the exchange, which refuses private material.
    const added = await pbx(['keys', 'add', '--jwk', next, '--as', 'lb-harrow-system']);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`added key ${newKid} (ES256) to lb-harrow-system`);

    const [withNewKey, listed] = await Promise.all([
      pbx(['whoami', '--as', 'lb-harrow-system', '--key', next]),
      pbx(['keys', 'list', '--as', 'lb-harrow-system', '--json']),
    ]);
    expect(withNewKey.code).toBe(0);
    expect(withNewKey.stdout).toContain(
      `lb-harrow-system (London Borough of Harrow system) of lb-harrow, key ${newKid}`,
    );
    expect(listed.code).toBe(0);
    const { keys } = JSON.parse(listed.stdout) as { keys: { kid: string; status: string; jwk: object }[] };
    expect(keys.map((k) => [k.kid, k.status]).sort()).toEqual(
      [
        [oldKid, 'active'],
        [newKid, 'active'],
      ].sort(),
    );
    for (const key of keys) expect(key.jwk).not.toHaveProperty('d');

    // A key id is base64url and may start with `-`: after `--` it is an operand, never an option.
    const revoked = await pbx(['keys', 'revoke', '--as', 'lb-harrow-system', '--key', next, '--', oldKid]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`revoked key ${oldKid} of lb-harrow-system`);

    const withOldKey = await pbx(['whoami', '--as', 'lb-harrow-system']);
    expect(withOldKey.code).toBe(1);
    expect(withOldKey.stderr).toMatch(/HTTP 401 KEY_REVOKED\b/);
  });

  it('signs any request with its body, read from stdin', async ({ expect }) => {
    const { jwk } = await newKeyFile('brent-ed25519.jwk.json', 'EdDSA');
    const { d: _private, ...publicJwk } = jwk;
    const created = await pbx(
      ['call', 'POST', '/v1/clients/lb-brent-system/keys', '--as', 'lb-brent-system', '--body', '-'],
      { stdin: JSON.stringify({ jwk: publicJwk }) },
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^HTTP 201\n/);
    expect(created.stdout).toContain(`"kid": "${jwk.kid}"`);
  });

  it('exits 2 with one line on a usage error, and 1 naming the URL when the exchange does not answer', async ({
    expect,
  }) => {
    const closedPort = await freePort();
    const [help, unknown, noClient, noKeyFile, foreignOption, unreachable] = await Promise.all([
      pbx(['--help']),
      pbx(['frobnicate']),
      pbx(['whoami']),
      pbx(['whoami', '--as', 'no-such-system']),
      pbx(['whoami', '--as', 'lb-brent-system', '--jwk', 'x.json']),
      pbx(['whoami', '--as', 'lb-brent-system', '--url', `http://127.0.0.1:${closedPort}`]),
    ]);

    expect(help.code).toBe(0);
    for (const synopsis of ['keygen', 'whoami', 'keys list', 'keys add', 'keys revoke', 'call']) {
      expect(help.stdout).toContain(`pbx ${synopsis}`);
    }
    for (const usage of [unknown, noClient, noKeyFile, foreignOption]) {
      expect(usage.code).toBe(2);
      expect(usage.stdout).toBe('');
      expect(usage.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(unknown.stderr).toContain('frobnicate');
    expect(noClient.stderr).toContain('--as');
    expect(noKeyFile.stderr).toContain('npm start');
    expect(foreignOption.stderr).toContain('--jwk');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`http://127.0.0.1:${closedPort}`);
  });
});
