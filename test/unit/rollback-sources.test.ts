// Where rollback finds tokens and values: keys file, environment, Vault with a fallback token.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvBuffer } from '../../src/env/index.js';
import type { Mapping } from '../../src/mapping/index.js';
import { findAdminToken, readMigratedValues, readTokenCandidates, type TokenCandidate } from '../../src/rollback/sources.js';
import { emptyState } from '../../src/state/schema.js';
import type { VaultClient } from '../../src/vault/client.js';
import { VaultApiError, VaultUnreachableError } from '../../src/vault/errors.js';
import type { KvSecret } from '../../src/vault/types.js';

const mapping: Mapping = {
  mount: 'secret',
  entries: [
    { variable: 'API_KEY', path: 'app/api', field: 'key', optional: false },
    { variable: 'API_SECRET', path: 'app/api', field: 'secret', optional: false },
    { variable: 'DB_URL', path: 'app/db', field: 'url', optional: false },
  ],
};

/** A KV reader answering from a table per token; anything else is denied. */
function fakeVault(byToken: Record<string, Record<string, KvSecret | undefined>>, failure?: Error): VaultClient {
  return {
    kvRead: async (token: string, _mount: string, path: string) => {
      if (failure) throw failure;
      const paths = byToken[token];
      if (!paths) throw new VaultApiError(403, `/secret/data/${path}`, ['permission denied']);
      return paths[path];
    },
  } as unknown as VaultClient;
}

const app: TokenCandidate = { label: 'app', token: 'app-token' };
const admin: TokenCandidate = { label: 'admin', token: 'admin-token' };

describe('readMigratedValues', () => {
  it('reads every mapped field and leaves out fields Vault does not hold', async () => {
    const vault = fakeVault({ 'app-token': { 'app/api': { data: { key: 'k1', secret: '' }, version: 3, deleted: false }, 'app/db': undefined } });
    const lookup = await readMigratedValues(vault, mapping, ['API_KEY', 'API_SECRET', 'DB_URL'], [app]);
    expect(lookup).toEqual({ values: { API_KEY: 'k1', API_SECRET: '' }, problems: [], unavailable: false });
  });

  it('falls back to the admin token when the application token is denied', async () => {
    const vault = fakeVault({ 'admin-token': { 'app/db': { data: { url: 'postgres://x' }, version: 1, deleted: false } } });
    const lookup = await readMigratedValues(vault, mapping, ['DB_URL'], [app, admin]);
    expect(lookup.values).toEqual({ DB_URL: 'postgres://x' });
  });

  it('names the tokens that were denied', async () => {
    const lookup = await readMigratedValues(fakeVault({}), mapping, ['DB_URL'], [app, admin]);
    expect(lookup.values).toEqual({});
    expect(lookup.problems).toEqual(['reading secret/app/db was denied to app and admin']);
  });

  it('marks Vault unavailable when it cannot be reached', async () => {
    const down = new VaultUnreachableError('http://127.0.0.1:1', 'connection refused', 'start it');
    const lookup = await readMigratedValues(fakeVault({}, down), mapping, ['API_KEY', 'DB_URL'], [app]);
    expect(lookup.unavailable).toBe(true);
    expect(lookup.problems).toEqual([down.message]);
  });

  it('marks Vault unavailable without any token to read with', async () => {
    const lookup = await readMigratedValues(fakeVault({}), mapping, ['API_KEY'], []);
    expect(lookup.unavailable).toBe(true);
  });

  it('reports migrated keys the mapping no longer knows', async () => {
    const lookup = await readMigratedValues(fakeVault({ 'app-token': {} }), mapping, ['GONE'], [app]);
    expect(lookup.problems).toEqual(['the mapping has no Vault path for GONE']);
  });
});

describe('readTokenCandidates', () => {
  it('puts the application token from .env first and does not repeat it', () => {
    const current = parseEnvBuffer(Buffer.from('VAULT_TOKEN=admin-token\n'), '.env');
    expect(readTokenCandidates(current, admin).map((candidate) => candidate.token)).toEqual(['admin-token']);
    const withApp = parseEnvBuffer(Buffer.from('VAULT_TOKEN=app-token\n'), '.env');
    expect(readTokenCandidates(withApp, admin).map((candidate) => candidate.token)).toEqual(['app-token', 'admin-token']);
  });
});

describe('findAdminToken', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bybit-vault-rollback-unit-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the root token of the keys file migrate recorded', async () => {
    const keysFile = join(dir, 'keys.json');
    await writeFile(keysFile, JSON.stringify({ unseal_keys_b64: ['a'], root_token: ' s.root ' }));
    const state = { ...emptyState(), keysFile };
    expect(await findAdminToken(state, { VAULT_TOKEN: 's.env' })).toEqual({ admin: { label: `the root token in ${keysFile}`, token: 's.root' } });
  });

  it('falls back to VAULT_TOKEN from the environment', async () => {
    const state = { ...emptyState(), keysFile: join(dir, 'missing.json') };
    expect((await findAdminToken(state, { VAULT_TOKEN: 's.env' })).admin?.token).toBe('s.env');
  });

  it('says where it looked when there is no admin token', async () => {
    const keysFile = join(dir, 'missing.json');
    const { admin: found, problem } = await findAdminToken({ ...emptyState(), keysFile }, {});
    expect(found).toBeUndefined();
    expect(problem).toContain(keysFile);
    expect(problem).toContain('VAULT_TOKEN');
  });
});
