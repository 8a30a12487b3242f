import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BybitVaultError, ConfigError } from '../../src/errors.js';
import {
  DEFAULT_MAPPING,
  generatePolicy,
  groupByPath,
  loadMapping,
  maskValue,
  parseMapping,
  planSeed,
  policyPaths,
  resolveConflicts,
  unmappedSecretCandidates,
  unresolvedConflicts,
  type ExistingSecret,
  type Mapping,
} from '../../src/mapping/index.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/mapping/${name}`, import.meta.url));

/** Runs `action` and returns the ConfigError it throws (fails the test when it throws nothing else). */
async function configErrorOf(action: () => unknown): Promise<ConfigError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

const DEFAULT_ENTRIES = [
  { variable: 'BYBIT_API_KEY', path: 'bybit/credentials', field: 'api_key', optional: false },
  { variable: 'BYBIT_API_SECRET', path: 'bybit/credentials', field: 'api_secret', optional: false },
  { variable: 'BYBIT_TESTNET', path: 'bybit/credentials', field: 'testnet', optional: true },
  { variable: 'DATABASE_URL', path: 'database/app', field: 'url', optional: false },
  { variable: 'DATABASE_POOL_SIZE', path: 'database/app', field: 'pool_size', optional: true },
  { variable: 'REDIS_URL', path: 'redis/app', field: 'url', optional: false },
  { variable: 'MLFLOW_TRACKING_URI', path: 'mlflow/app', field: 'tracking_uri', optional: false },
];

describe('DEFAULT_MAPPING', () => {
  it('is the runbook table under the secret mount', () => {
    expect(DEFAULT_MAPPING).toEqual({ mount: 'secret', entries: DEFAULT_ENTRIES });
  });

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(DEFAULT_MAPPING)).toBe(true);
    expect(Object.isFrozen(DEFAULT_MAPPING.entries[0])).toBe(true);
  });

  it('is what loadMapping() returns without a file, as a copy the caller may change', async () => {
    const mapping = await loadMapping();
    expect(mapping).toEqual(DEFAULT_MAPPING);
    mapping.entries[0]!.path = 'changed/by/caller';
    expect(DEFAULT_MAPPING.entries[0]!.path).toBe('bybit/credentials');
  });
});

describe('loadMapping from files', () => {
  it('extends the default table from YAML: overrides in place, new entries after', async () => {
    const mapping = await loadMapping(fixture('extend.yaml'));
    expect(mapping.mount).toBe('secret');
    expect(mapping.entries.map((entry) => entry.variable)).toEqual([
      ...DEFAULT_ENTRIES.map((entry) => entry.variable),
      'STRIPE_KEY',
      'STRIPE_WEBHOOK_SECRET',
    ]);
    expect(mapping.entries.find((entry) => entry.variable === 'REDIS_URL')).toEqual({
      variable: 'REDIS_URL',
      path: 'shared/redis',
      field: 'url',
      optional: false,
    });
    expect(mapping.entries.at(-1)).toEqual({
      variable: 'STRIPE_WEBHOOK_SECRET',
      path: 'payments/stripe',
      field: 'webhook_secret',
      optional: true,
    });
  });

  it('replaces the default table from JSON, with its own mount', async () => {
    expect(await loadMapping(fixture('replace.json'))).toEqual({
      mount: 'kv',
      entries: [
        { variable: 'STRIPE_KEY', path: 'payments/stripe', field: 'api_key', optional: false },
        { variable: 'SENTRY_DSN', path: 'observability/sentry', field: 'dsn', optional: true },
      ],
    });
  });

  it('accepts the shorthand map form, with strings or objects as values (.yml)', async () => {
    const mapping = await loadMapping(fixture('shorthand.yml'));
    expect(mapping.entries.slice(-2)).toEqual([
      { variable: 'STRIPE_KEY', path: 'payments/stripe', field: 'api_key', optional: false },
      { variable: 'STRIPE_WEBHOOK_SECRET', path: 'payments/stripe', field: 'webhook_secret', optional: true },
    ]);
  });

  it.each(['shorthand.json', 'json-without-extension.conf', 'yaml-without-extension.conf'])(
    'reads %s (JSON first, then YAML, when the extension says nothing)',
    async (name) => {
      expect(await loadMapping(fixture(name))).toEqual({
        mount: 'secret',
        entries: [{ variable: 'STRIPE_KEY', path: 'payments/stripe', field: 'api_key', optional: false }],
      });
    },
  );

  it('reports a YAML syntax error with the parser line and column', async () => {
    const error = await configErrorOf(() => loadMapping(fixture('broken.yaml')));
    expect(error.message).toMatch(/^Mapping file .*broken\.yaml is not valid YAML at line 5, column 5: \S/);
    expect(error.exitCode).toBe(2);
  });

  it('reports a JSON syntax error with its line and column', async () => {
    const error = await configErrorOf(() => loadMapping(fixture('broken.json')));
    expect(error.message).toMatch(/broken\.json is not valid JSON at line 5, column 3: \S/);
    expect(error.hint).toContain('line 5, column 3');
  });

  // Reasons are V8's own words (they vary between Node versions); the location is ours and must be exact.
  it.each([
    ['{"secrets": [', 'line 1, column 14'],
    ['{\n  "mode": "replace"\n  "secrets": {}\n}', 'line 3, column 3'],
    ['{"secrets": tru}', 'line 1, column 16'],
    ['{"secrets": [\n  1,\n]}', 'line 3, column 1'],
  ])('locates the JSON error in %j at %s', async (text, location) => {
    const error = await configErrorOf(() => parseMapping(text, 'inline.json', 'json'));
    expect(error.message).toMatch(new RegExp(`^Mapping file inline\\.json is not valid JSON at ${location}: \\S`));
    expect(error.message).not.toMatch(/is not valid JSON$/); // V8's quote of the input is cut off
  });

  it('names a file that cannot be read', async () => {
    const error = await configErrorOf(() => loadMapping(fixture('no-such-file.yaml')));
    expect(error.message).toMatch(/^Cannot read mapping file .*no-such-file\.yaml: it does not exist$/);
    expect(error.hint).toContain('--mapping');
    const directory = await configErrorOf(() => loadMapping(fixture('')));
    expect(directory.message).toMatch(/it is a directory$/);
  });

  it('refuses an empty file and shows what one looks like', async () => {
    const error = await configErrorOf(() => loadMapping(fixture('empty.yaml')));
    expect(error.message).toMatch(/empty\.yaml is empty$/);
    expect(error.hint).toContain('variable: STRIPE_KEY');
    expect(() => parseMapping('# only a comment\n', 'comment.yaml', 'yaml')).toThrow(/comment\.yaml is empty/);
  });

  it('names the file, the entry and the fix for a path that repeats the mount', async () => {
    const error = await configErrorOf(() => loadMapping(fixture('mount-prefixed-path.yaml')));
    expect(error.message).toMatch(
      /^Mapping file .*mount-prefixed-path\.yaml: secrets\[1\] \(BYBIT_SUBACCOUNT_KEY\): path "secret\/bybit\/x" starts with the mount name "secret": paths are relative to the mount; use "bybit\/x"$/,
    );
    expect(error.hint).toBe(
      ['A valid entry:', 'secrets:', '  - variable: BYBIT_SUBACCOUNT_KEY', '    path: bybit/x', '    field: api_key'].join('\n'),
    );
  });
});

describe('mapping validation', () => {
  const yamlEntry = (variable: string, path: string, field: string): string =>
    `mode: replace\nsecrets:\n  - variable: "${variable}"\n    path: "${path}"\n    field: "${field}"\n`;

  it.each([
    ['an invalid variable name', yamlEntry('STRIPE KEY', 'payments/stripe', 'api_key'), 'secrets[0] (STRIPE KEY): variable name "STRIPE KEY" is not valid', 'variable: STRIPE_KEY'],
    ['a variable starting with a digit', yamlEntry('1KEY', 'payments/stripe', 'api_key'), 'variable name "1KEY" is not valid', 'variable: _1KEY'],
    ['an empty path', yamlEntry('STRIPE_KEY', '', 'api_key'), 'secrets[0] (STRIPE_KEY): path is empty', 'path: payments/stripe'],
    ['a leading slash', yamlEntry('STRIPE_KEY', '/payments/stripe', 'api_key'), 'path "/payments/stripe" must not start or end with "/"; use "payments/stripe"', 'path: payments/stripe'],
    ['a trailing slash', yamlEntry('STRIPE_KEY', 'payments/stripe/', 'api_key'), 'must not start or end with "/"; use "payments/stripe"', 'path: payments/stripe'],
    ['an empty segment', yamlEntry('STRIPE_KEY', 'payments//stripe', 'api_key'), 'has an empty segment ("//"); use "payments/stripe"', 'path: payments/stripe'],
    ['a ".." segment', yamlEntry('STRIPE_KEY', 'payments/../stripe', 'api_key'), 'path "payments/../stripe" contains a "." or ".." segment', 'path: payments/stripe'],
    ['a policy glob in the path', yamlEntry('STRIPE_KEY', 'payments/*', 'api_key'), 'has an invalid segment "*"', 'path: payments/stripe'],
    ['the data/ API prefix', yamlEntry('STRIPE_KEY', 'data/payments/stripe', 'api_key'), 'path "data/payments/stripe" starts with "data/", which belongs to the KV v2 API path (secret/data/<path>), not to the secret\'s path; use "payments/stripe"', 'path: payments/stripe'],
    ['the metadata/ API prefix', yamlEntry('STRIPE_KEY', 'metadata/payments/stripe', 'api_key'), 'starts with "metadata/", which belongs to the KV v2 API path', 'path: payments/stripe'],
    ['the mount name', yamlEntry('X_KEY', 'secret/bybit/x', 'api_key'), 'starts with the mount name "secret": paths are relative to the mount; use "bybit/x"', 'path: bybit/x'],
    ['the full API path', yamlEntry('X_KEY', 'secret/data/bybit/x', 'api_key'), 'paths are relative to the mount; use "bybit/x"', 'path: bybit/x'],
    ['a custom mount name', `mount: kv\n${yamlEntry('X_KEY', 'kv/bybit/x', 'api_key')}`, 'starts with the mount name "kv": paths are relative to the mount; use "bybit/x"', 'path: bybit/x'],
    ['an empty field', yamlEntry('STRIPE_KEY', 'payments/stripe', ''), 'secrets[0] (STRIPE_KEY): field name is empty', 'field: api_key'],
    ['a field with spaces around it', yamlEntry('STRIPE_KEY', 'payments/stripe', ' api_key'), 'field name " api_key" has leading or trailing spaces', 'field: api_key'],
  ])('rejects %s', async (_mistake, text, message, hintLine) => {
    const error = await configErrorOf(() => parseMapping(text, 'mapping.yaml', 'yaml'));
    expect(error.message.startsWith('Mapping file mapping.yaml: ')).toBe(true);
    expect(error.message).toContain(message);
    expect(error.hint).toContain('A valid entry:');
    expect(error.hint).toContain(hintLine);
  });

  it('rejects the same variable twice', async () => {
    const text = `${yamlEntry('STRIPE_KEY', 'payments/stripe', 'api_key')}  - variable: STRIPE_KEY\n    path: payments/other\n    field: api_key\n`;
    const error = await configErrorOf(() => parseMapping(text, 'mapping.yaml', 'yaml'));
    expect(error.message).toBe(
      'Mapping file mapping.yaml: secrets[1] (STRIPE_KEY): variable STRIPE_KEY is mapped twice (also at secrets[0] (STRIPE_KEY)); map each variable once',
    );
  });

  it('rejects the same variable twice in a JSON map, which JSON.parse would hide', async () => {
    const text = '{"secrets": {"STRIPE_KEY": "a/b#c",\n "STRIPE_KEY": "a/b#d"}}';
    const error = await configErrorOf(() => parseMapping(text, 'mapping.json', 'json'));
    expect(error.message).toBe('Mapping file mapping.json has the same key twice in one object at line 2, column 2');
  });

  it('rejects two variables mapped to one path and field', async () => {
    const text = 'mode: replace\nsecrets:\n  STRIPE_KEY: payments/stripe#api_key\n  STRIPE_KEY_OLD: payments/stripe#api_key\n';
    const error = await configErrorOf(() => parseMapping(text, 'mapping.yaml', 'yaml'));
    expect(error.message).toBe(
      'Mapping file mapping.yaml: secrets.STRIPE_KEY_OLD: payments/stripe#api_key is already mapped to STRIPE_KEY (secrets.STRIPE_KEY); two variables cannot share one field',
    );
  });

  it('in extend mode, rejects a new variable on a field of the default table and says how to override', async () => {
    const text = 'secrets:\n  BYBIT_KEY: bybit/credentials#api_key\n';
    const error = await configErrorOf(() => parseMapping(text, 'mapping.yaml', 'yaml'));
    expect(error.message).toContain('secrets.BYBIT_KEY: bybit/credentials#api_key is already mapped to BYBIT_API_KEY (default table)');
    expect(error.hint).toContain('map BYBIT_API_KEY itself to override the default, or set mode: replace');
    // The same entry is fine when it replaces the table.
    expect(parseMapping(`mode: replace\n${text}`, 'mapping.yaml', 'yaml').entries).toHaveLength(1);
  });

  it('in extend mode, lets a file entry override the default entry of the same variable', () => {
    const mapping = parseMapping('secrets:\n  BYBIT_TESTNET: bybit/settings#testnet\n', 'mapping.yaml', 'yaml');
    expect(mapping.entries[2]).toEqual({ variable: 'BYBIT_TESTNET', path: 'bybit/settings', field: 'testnet', optional: false });
    expect(mapping.entries).toHaveLength(DEFAULT_ENTRIES.length);
  });

  it('rejects a shorthand value without a field', async () => {
    const error = await configErrorOf(() => parseMapping('secrets:\n  STRIPE_KEY: payments/stripe\n', 'mapping.yaml', 'yaml'));
    expect(error.message).toBe('Mapping file mapping.yaml: secrets.STRIPE_KEY: "payments/stripe" has no field: write "path#field"');
    expect(error.hint).toBe('A valid entry:\nsecrets:\n  STRIPE_KEY: payments/stripe#api_key');
  });

  it('rejects unknown keys, missing keys and wrong types, listing every problem', async () => {
    const text = 'secrets:\n  - variable: STRIPE_KEY\n    path: payments/stripe\n    feild: api_key\n    optional: "yes"\n';
    const error = await configErrorOf(() => parseMapping(text, 'mapping.yaml', 'yaml'));
    expect(error.message).toBe('Mapping file mapping.yaml: secrets[0] (STRIPE_KEY): "field" is missing (and 2 more, listed below)');
    expect(error.details).toEqual([
      'secrets[0] (STRIPE_KEY): "field" is missing',
      'secrets[0] (STRIPE_KEY): "optional": expected boolean, received string',
      'secrets[0] (STRIPE_KEY): unknown key "feild" (allowed: variable, path, field, optional)',
    ]);
  });

  it('rejects an unknown mode and unknown top-level keys', async () => {
    const error = await configErrorOf(() => parseMapping('mode: merge\nsecret: []\n', 'mapping.yaml', 'yaml'));
    expect(error.details).toEqual([
      'top level: "mode": Invalid option: expected one of "extend"|"replace" (got "merge")',
      'top level: unknown key "secret" (allowed: mount, mode, secrets)',
    ]);
    expect(error.hint).toContain('A valid mapping file:\nmount: secret\nmode: extend\nsecrets:');
  });

  it.each([
    ['secrets: 42\n', 'secrets: must be a list of entries (variable, path, field) or a map of VARIABLE: "path#field"'],
    ['- 1\n', 'top level: must be an object with mount, mode, secrets'],
    ['mode: replace\n', 'secrets: mode "replace" with no secrets would map nothing'],
    ['mount: /secret/\n', 'mount: mount "/secret/" must not start or end with "/"; use "secret"'],
    ['secrets:\n  STRIPE_KEY: 5\n', 'secrets.STRIPE_KEY: must be "path#field" or an object with path, field and optional'],
  ])('rejects the file %j', async (text, message) => {
    const error = await configErrorOf(() => parseMapping(text, 'mapping.yaml', 'yaml'));
    expect(error.message).toBe(`Mapping file mapping.yaml: ${message}`);
  });

  it('shows the hint example in the format of the file', async () => {
    const text = '{"mode": "replace", "secrets": [{"variable": "STRIPE_KEY", "path": "data/payments/stripe", "field": "api_key"}]}';
    const error = await configErrorOf(() => parseMapping(text, 'mapping.json', 'json'));
    expect(JSON.parse(error.hint!.replace('A valid entry:\n', ''))).toEqual({
      secrets: [{ variable: 'STRIPE_KEY', path: 'payments/stripe', field: 'api_key' }],
    });
  });

  it('is a BybitVaultError with the usage exit code', async () => {
    const error = await configErrorOf(() => parseMapping('mode: merge\n', 'mapping.yaml', 'yaml'));
    expect(error).toBeInstanceOf(BybitVaultError);
    expect(error.code).toBe('CONFIG');
    expect(error.exitCode).toBe(2);
  });
});

describe('policy', () => {
  it('grants read on exactly the four default paths', () => {
    expect(generatePolicy(DEFAULT_MAPPING)).toBe(
      [
        '# Generated by bybit-vault from the secret mapping. Read-only: the application may only read its mapped secrets.',
        '# Do not edit by hand; change the mapping and regenerate instead.',
        '',
        'path "secret/data/bybit/credentials" {',
        '  capabilities = ["read"]',
        '}',
        '',
        'path "secret/data/database/app" {',
        '  capabilities = ["read"]',
        '}',
        '',
        'path "secret/data/mlflow/app" {',
        '  capabilities = ["read"]',
        '}',
        '',
        'path "secret/data/redis/app" {',
        '  capabilities = ["read"]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('lists the API paths sorted and once each, under the mapping mount', () => {
    expect(policyPaths(DEFAULT_MAPPING)).toEqual([
      'secret/data/bybit/credentials',
      'secret/data/database/app',
      'secret/data/mlflow/app',
      'secret/data/redis/app',
    ]);
    const custom: Mapping = {
      mount: 'kv',
      entries: [
        { variable: 'B', path: 'zeta/app', field: 'b', optional: false },
        { variable: 'A', path: 'alpha/app', field: 'a', optional: false },
        { variable: 'C', path: 'zeta/app', field: 'c', optional: false },
      ],
    };
    expect(policyPaths(custom)).toEqual(['kv/data/alpha/app', 'kv/data/zeta/app']);
    expect(generatePolicy(custom).match(/^path /gm)).toHaveLength(2);
  });

  it('groups entries by path in mapping order', () => {
    const groups = groupByPath(DEFAULT_MAPPING);
    expect([...groups.keys()]).toEqual(['bybit/credentials', 'database/app', 'redis/app', 'mlflow/app']);
    expect(groups.get('database/app')!.map((entry) => entry.variable)).toEqual(['DATABASE_URL', 'DATABASE_POOL_SIZE']);
  });

  it('refuses a mapping built in code whose path would widen the policy', () => {
    const wide: Mapping = { mount: 'secret', entries: [{ variable: 'A', path: 'bybit/*', field: 'a', optional: false }] };
    expect(() => generatePolicy(wide)).toThrow(ConfigError);
    expect(() => generatePolicy(wide)).toThrow(/Refusing to generate the policy: A: path "bybit\/\*" has an invalid segment/);
  });
});

describe('planSeed', () => {
  const fullEnv = {
    BYBIT_API_KEY: 'key-123',
    BYBIT_API_SECRET: 'secret-456',
    DATABASE_URL: 'postgres://app@db/app',
    REDIS_URL: 'redis://cache:6379',
    MLFLOW_TRACKING_URI: 'http://mlflow:5000',
  };
  const bybitOnly: Mapping = {
    mount: 'secret',
    entries: DEFAULT_MAPPING.entries.filter((entry) => entry.path === 'bybit/credentials').map((entry) => ({ ...entry })),
  };
  const inVault = (data: Record<string, string>, version: number): Map<string, ExistingSecret | undefined> =>
    new Map([['bybit/credentials', { data, version }]]);

  it('creates every path that does not exist yet', () => {
    const plan = planSeed(DEFAULT_MAPPING, fullEnv, new Map());
    expect(plan.paths.map((path) => [path.path, path.action, path.version])).toEqual([
      ['bybit/credentials', 'create', 0],
      ['database/app', 'create', 0],
      ['redis/app', 'create', 0],
      ['mlflow/app', 'create', 0],
    ]);
    expect(plan.paths[0]!.merged).toEqual({ api_key: 'key-123', api_secret: 'secret-456' });
    expect(plan.paths[0]!.fields).toEqual([
      { field: 'api_key', variable: 'BYBIT_API_KEY', change: 'add' },
      { field: 'api_secret', variable: 'BYBIT_API_SECRET', change: 'add' },
    ]);
    expect(plan.missingRequired).toEqual([]);
    expect(plan.missingOptional).toEqual(['BYBIT_TESTNET', 'DATABASE_POOL_SIZE']);
  });

  it('is unchanged when Vault already holds exactly these values', () => {
    const plan = planSeed(bybitOnly, fullEnv, inVault({ api_key: 'key-123', api_secret: 'secret-456' }, 3));
    expect(plan.paths).toHaveLength(1);
    expect(plan.paths[0]).toMatchObject({ action: 'unchanged', version: 3, merged: { api_key: 'key-123', api_secret: 'secret-456' } });
    expect(plan.paths[0]!.fields.map((field) => field.change)).toEqual(['same', 'same']);
  });

  it('updates a path, keeping a field someone added by hand in Vault', () => {
    const plan = planSeed(bybitOnly, fullEnv, inVault({ api_key: 'key-123', MANUAL_ADDED: 'kept' }, 2));
    expect(plan.paths[0]).toMatchObject({
      action: 'update',
      version: 2,
      merged: { api_key: 'key-123', api_secret: 'secret-456', MANUAL_ADDED: 'kept' },
    });
    expect(plan.paths[0]!.fields.map((field) => field.change)).toEqual(['same', 'add']);
  });

  it('marks a differing Vault value as a conflict and keeps Vault value until resolved', () => {
    const plan = planSeed(bybitOnly, fullEnv, inVault({ api_key: 'rotated-in-vault', api_secret: 'secret-456' }, 5));
    expect(plan.paths[0]!.fields[0]).toEqual({ field: 'api_key', variable: 'BYBIT_API_KEY', change: 'conflict' });
    expect(plan.paths[0]).toMatchObject({ action: 'unchanged', merged: { api_key: 'rotated-in-vault', api_secret: 'secret-456' } });
    expect(unresolvedConflicts(plan)).toEqual([{ path: 'bybit/credentials', field: 'api_key', variable: 'BYBIT_API_KEY' }]);
  });

  it('treats an empty Vault value that differs as a conflict too', () => {
    const plan = planSeed(bybitOnly, fullEnv, inVault({ api_key: '' }, 1));
    expect(plan.paths[0]!.fields[0]!.change).toBe('conflict');
  });

  it('stores empty .env values: they are values', () => {
    const plan = planSeed(bybitOnly, { BYBIT_API_KEY: '', BYBIT_API_SECRET: 's', BYBIT_TESTNET: '' }, new Map());
    expect(plan.paths[0]!.merged).toEqual({ api_key: '', api_secret: 's', testnet: '' });
    expect(plan.missingRequired).toEqual([]);
    expect(plan.missingOptional).toEqual([]);
    const same = planSeed(bybitOnly, { BYBIT_API_KEY: '', BYBIT_API_SECRET: 's' }, inVault({ api_key: '', api_secret: 's' }, 1));
    expect(same.paths[0]!.action).toBe('unchanged');
  });

  it('lists missing required and optional variables and skips paths with nothing to write', () => {
    const plan = planSeed(DEFAULT_MAPPING, { BYBIT_API_KEY: 'k', DATABASE_POOL_SIZE: '10' }, new Map());
    expect(plan.missingRequired).toEqual(['BYBIT_API_SECRET', 'DATABASE_URL', 'REDIS_URL', 'MLFLOW_TRACKING_URI']);
    expect(plan.missingOptional).toEqual(['BYBIT_TESTNET']);
    expect(plan.paths.map((path) => path.path)).toEqual(['bybit/credentials', 'database/app']);
    expect(plan.paths[1]!.merged).toEqual({ pool_size: '10' });
  });

  it('ignores Vault data for paths outside the mapping and does not alias the inputs', () => {
    const vaultData = { api_key: 'key-123' };
    const existing = new Map<string, ExistingSecret | undefined>([
      ['bybit/credentials', { data: vaultData, version: 1 }],
      ['other/path', { data: { x: 'y' }, version: 9 }],
    ]);
    const plan = planSeed(bybitOnly, fullEnv, existing);
    expect(plan.paths.map((path) => path.path)).toEqual(['bybit/credentials']);
    plan.paths[0]!.merged.api_key = 'mutated';
    expect(vaultData.api_key).toBe('key-123');
  });
});

describe('resolveConflicts', () => {
  const mapping: Mapping = {
    mount: 'secret',
    entries: [
      { variable: 'BYBIT_API_KEY', path: 'bybit/credentials', field: 'api_key', optional: false },
      { variable: 'BYBIT_API_SECRET', path: 'bybit/credentials', field: 'api_secret', optional: false },
      { variable: 'REDIS_URL', path: 'redis/app', field: 'url', optional: false },
    ],
  };
  const env = { BYBIT_API_KEY: 'env-key', BYBIT_API_SECRET: 'env-secret', REDIS_URL: 'redis://env' };
  const existing = new Map<string, ExistingSecret | undefined>([
    ['bybit/credentials', { data: { api_key: 'vault-key', api_secret: 'vault-secret', MANUAL_ADDED: 'm' }, version: 4 }],
    ['redis/app', { data: { url: 'redis://vault' }, version: 1 }],
  ]);

  it('overwrites or skips each conflict as decided and rebuilds merged data and actions', () => {
    const plan = planSeed(mapping, env, existing);
    const decide = vi.fn((path: string, field: string) => (path === 'bybit/credentials' && field === 'api_key' ? 'overwrite' : 'skip'));
    const resolved = resolveConflicts(plan, decide);

    expect(decide.mock.calls).toEqual([
      ['bybit/credentials', 'api_key', 'BYBIT_API_KEY'],
      ['bybit/credentials', 'api_secret', 'BYBIT_API_SECRET'],
      ['redis/app', 'url', 'REDIS_URL'],
    ]);
    expect(resolved.paths[0]).toMatchObject({
      action: 'update',
      version: 4,
      merged: { api_key: 'env-key', api_secret: 'vault-secret', MANUAL_ADDED: 'm' },
    });
    expect(resolved.paths[0]!.fields.map((field) => field.resolution)).toEqual(['overwrite', 'skip']);
    expect(resolved.paths[1]).toMatchObject({ action: 'unchanged', merged: { url: 'redis://vault' } });
    expect(unresolvedConflicts(resolved)).toEqual([]);
  });

  it('leaves the original plan untouched and can be decided again', () => {
    const plan = planSeed(mapping, env, existing);
    const overwritten = resolveConflicts(plan, () => 'overwrite');
    expect(plan.paths[0]!.merged.api_key).toBe('vault-key');
    expect(overwritten.paths[1]).toMatchObject({ action: 'update', merged: { url: 'redis://env' } });
    const skipped = resolveConflicts(overwritten, () => 'skip');
    expect(skipped.paths.map((path) => path.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('does not ask about fields without a conflict', () => {
    const plan = planSeed(mapping, env, new Map());
    const decide = vi.fn(() => 'overwrite' as const);
    expect(resolveConflicts(plan, decide)).toEqual(plan);
    expect(decide).not.toHaveBeenCalled();
  });
});

describe('maskValue', () => {
  it.each([
    ['', '(empty)'],
    ['a', '* (1 char)'],
    ['abcdefghijk', '*********** (11 chars)'],
    ['abcdefghijkl', 'ab…kl (12 chars)'],
    ['Fk0123456789abcdefD4', 'Fk…D4 (20 chars)'],
    ['😀😃xxxxxxxxxx😄😁', '😀😃…😄😁 (14 chars)'],
    ['-----BEGIN KEY-----\n', '--…-· (20 chars)'],
  ])('masks %j as %j', (value, masked) => {
    expect(maskValue(value)).toBe(masked);
  });

  it('never shows more than 4 characters of any value', () => {
    let seed = 42;
    const nextRandom = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-';
    for (let length = 0; length <= 80; length++) {
      for (let sample = 0; sample < 20; sample++) {
        const value = Array.from({ length }, () => alphabet[Math.floor(nextRandom() * alphabet.length)]).join('');
        const masked = maskValue(value);
        const suffix = length === 0 ? '(empty)' : ` (${length} ${length === 1 ? 'char' : 'chars'})`;
        expect(masked.endsWith(suffix)).toBe(true);
        const shown = masked.slice(0, masked.length - suffix.length).replace(/[*…]/g, '');
        expect(shown.length).toBeLessThanOrEqual(length < 12 ? 0 : 4);
        if (shown.length > 0) expect(shown).toBe(value.slice(0, 2) + value.slice(-2));
      }
    }
  });
});

describe('unmappedSecretCandidates', () => {
  it('lists secret-looking keys no entry maps, except the Vault client settings', () => {
    const env = {
      BYBIT_API_KEY: 'mapped',
      STRIPE_SECRET_KEY: 'sk_live_x',
      LOG_LEVEL: 'info',
      VAULT_ADDR: 'http://127.0.0.1:8200',
      VAULT_TOKEN: 'hvs.x',
      VAULT_NAMESPACE: 'team',
      SENTRY_TOKEN: 't',
    };
    const looksSecret = (key: string): boolean => /KEY|SECRET|TOKEN|ADDR|NAMESPACE/.test(key);
    expect(unmappedSecretCandidates(DEFAULT_MAPPING, env, looksSecret)).toEqual(['STRIPE_SECRET_KEY', 'SENTRY_TOKEN']);
  });

  it('passes key and value to the predicate', () => {
    const isSecretLike = vi.fn((_key: string, value: string) => value.startsWith('sk_'));
    expect(unmappedSecretCandidates(DEFAULT_MAPPING, { A: 'sk_1', B: 'plain' }, isSecretLike)).toEqual(['A']);
    expect(isSecretLike).toHaveBeenCalledWith('A', 'sk_1');
  });
});

describe('loadMapping with a temporary file', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bybit-vault-mapping-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('reads a byte order mark file written by a Windows editor', async () => {
    const file = join(directory, 'bom.json');
    await writeFile(file, '\uFEFF{"mode": "replace", "secrets": {"A": "x/y#z"}}');
    expect((await loadMapping(file)).entries).toEqual([{ variable: 'A', path: 'x/y', field: 'z', optional: false }]);
  });
});
