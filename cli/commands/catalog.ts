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
    text: 'the keys dir: $PBX_KEYS_DIR, else .local/keys (where npm start writes them)',
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
    synopsis: 'keys revoke KID [--client ID]',
    summary:
      'Revokes a key at once: the next request signed with it is refused. A client cannot revoke its own\n' +
      'last usable key: add another first.',
    operands: ['KID'],
    options: [clientOption],
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
];
