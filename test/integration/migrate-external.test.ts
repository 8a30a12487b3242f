// migrate against a server that already runs (external runtime): existing init, unseal faults, seeding rules,
// the shared .env cases, conflicts, and the interactive flow driven through the prompter.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { VaultClient } from '../../src/vault/index.js';
import { createMigrationContext } from '../../src/migration/context.js';
import { runMigrate, parseMigrateOptions } from '../../src/commands/migrate.js';
import { resolveCommonOptions } from '../../src/context.js';
import { ScriptedPrompter } from '../support/scripted-prompter.js';
import { serverBinary, startTestServer, type TestServer } from '../support/vault-server.js';
import { cleanEnv, copyFixture, fixturesDir, makeWorkspace, removeWorkspace, runCli, transcript, type CliResult } from '../support/cli.js';

const bin = serverBinary();

interface Workspace {
  dir: string;
  envFile: string;
  stateDir: string;
  keysFile: string;
}

async function workspace(fixture = 'bybit-app.env'): Promise<Workspace> {
  const dir = await makeWorkspace();
  const envFile = join(dir, '.env');
  await copyFixture(fixture, envFile);
  return { dir, envFile, stateDir: join(dir, 'state'), keysFile: join(dir, 'keys.json') };
}

function migrateExternal(server: TestServer, ws: Workspace, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(['migrate', '--runtime', 'external', '--vault-addr', server.address, '--env-file', ws.envFile, '--state-dir', ws.stateDir, ...extra], {
    cwd: ws.dir,
    env: cleanEnv(env),
  });
}

/** Initialise and unseal a fresh server the way an operator did by hand, keys saved like `vault operator init -format=json`. */
async function initByHand(server: TestServer, keysFile?: string): Promise<{ keys: string[]; root: string }> {
  const client = new VaultClient({ address: server.address });
  const init = await client.initialize({ secretShares: 5, secretThreshold: 3 });
  if (keysFile) {
    await writeFile(keysFile, JSON.stringify({ unseal_keys_b64: init.keysBase64, unseal_keys_hex: init.keys, unseal_shares: 5, unseal_threshold: 3, root_token: init.rootToken }), { mode: 0o600 });
  }
  return { keys: init.keysBase64, root: init.rootToken };
}

describe.skipIf(!bin)('migrate --runtime external: an already initialised server', () => {
  let server: TestServer;
  let ws: Workspace;
  let hand: { keys: string[]; root: string };
  beforeAll(async () => {
    server = await startTestServer();
    ws = await workspace();
    hand = await initByHand(server, ws.keysFile);
  });
  afterAll(async () => {
    await server.destroy();
    await removeWorkspace(ws.dir);
  });

  it('without a keys file: stops (exit 2), names --keys-file and the storage, and never re-initialises', async () => {
    const result = await migrateExternal(server, { ...ws, keysFile: join(ws.dir, 'absent.json') }, ['--non-interactive']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/already initialised/);
    expect(result.stderr).toMatch(/--keys-file/);
    expect(result.stderr).toMatch(/never wipes/);
    const status = await new VaultClient({ address: server.address }).sealStatus();
    expect(status).toMatchObject({ initialized: true, sealed: true, shares: 5 });
  });

  it('a wrong share: clear error, still sealed with progress 0, no share printed', async () => {
    const wrongKeys = join(ws.dir, 'wrong-keys.json');
    const other = await startTestServer();
    const foreign = await initByHand(other);
    await other.destroy();
    await writeFile(wrongKeys, JSON.stringify({ unseal_keys_b64: foreign.keys, root_token: foreign.root }), { mode: 0o600 });
    // Leftover progress from an earlier attempt must be reset first.
    await new VaultClient({ address: server.address }).submitUnsealKey(hand.keys[0]!);
    const result = await runCli(['unseal', '--keys-file', wrongKeys, '--vault-addr', server.address, '--state-dir', ws.stateDir], { cwd: ws.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/rejected the unseal shares/);
    const status = await new VaultClient({ address: server.address }).sealStatus();
    expect(status.sealed).toBe(true);
    expect(status.progress).toBe(0);
    for (const key of [...foreign.keys, ...hand.keys]) expect(result.stderr + result.stdout).not.toContain(key);
  });

  it('`bybit-vault unseal` with padded shares in the keys file unseals it', async () => {
    const padded = join(ws.dir, 'padded.json');
    await writeFile(padded, JSON.stringify({ unseal_keys_b64: hand.keys.map((key) => `  ${key}\n`), root_token: hand.root }), { mode: 0o600 });
    const result = await runCli(['unseal', '--keys-file', padded, '--vault-addr', server.address, '--state-dir', ws.stateDir, '--json'], { cwd: ws.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, sealed: false });
    await new VaultClient({ address: server.address }).seal(hand.root);
  });

  it('with the keys file: continues to unseal and completes the migration', async () => {
    const result = await migrateExternal(server, ws, ['--non-interactive', '--keys-file', ws.keysFile, '--remove-plaintext']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/already initialised/);
    expect(result.stderr).toMatch(/audit device not enabled: external server/);
    const app = dotenv.parse(await readFile(ws.envFile));
    expect(app.VAULT_ADDR).toBe(server.address);
    expect((await new VaultClient({ address: server.address }).kvRead(app.VAULT_TOKEN!, 'secret', 'redis/app'))?.data.url).toBe('redis://:fake-redis-pass@localhost:6379/0');
  });
});

describe.skipIf(!bin)('migrate --runtime external: seeding rules', () => {
  let server: TestServer;
  let root: string;
  let client: VaultClient;
  const workspaces: Workspace[] = [];
  const original = dotenv.parse(readFileSync(join(fixturesDir, 'bybit-app.env')));

  beforeAll(async () => {
    server = await startTestServer();
    client = new VaultClient({ address: server.address });
    const init = await client.initialize({ secretShares: 1, secretThreshold: 1 });
    root = init.rootToken;
    await client.submitUnsealKey(init.keysBase64[0]!);
    await client.enableKvV2(root, 'secret');
  });
  afterAll(async () => {
    await server.destroy();
    for (const ws of workspaces) await removeWorkspace(ws.dir);
  });
  async function fresh(fixture?: string): Promise<Workspace> {
    const ws = await workspace(fixture);
    workspaces.push(ws);
    return ws;
  }
  const asOperator = (ws: Workspace, extra: string[] = []) => migrateExternal(server, ws, ['--non-interactive', ...extra], { VAULT_TOKEN: root });

  it('--dry-run shows create/update per path with masked values and changes nothing', async () => {
    const ws = await fresh();
    const before = await readFile(ws.envFile);
    const result = await asOperator(ws, ['--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/secret\/bybit\/credentials: create/);
    expect(result.stderr).toMatch(/api_key <- BYBIT_API_KEY = Fk…D4 \(20 chars\)/);
    expect(result.stderr).not.toContain(original.BYBIT_API_SECRET);
    expect((await readFile(ws.envFile)).equals(before)).toBe(true);
    expect(await client.kvRead(root, 'secret', 'bybit/credentials')).toBeUndefined();
  });

  it('a conflict fails when non-interactive and unset, and nothing is written', async () => {
    await client.kvWrite(root, 'secret', 'bybit/credentials', { api_key: 'rotated-in-vault', MANUAL_ADDED: 'keep me' });
    const ws = await fresh();
    const result = await asOperator(ws);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/different values for 1 field/);
    expect(result.stderr).toMatch(/secret\/bybit\/credentials field api_key/);
    expect(result.stderr).toMatch(/--on-conflict/);
    expect(result.stderr).not.toContain('rotated-in-vault');
    expect((await client.kvRead(root, 'secret', 'bybit/credentials'))?.version).toBe(1);
  });

  it('--on-conflict skip keeps the value in Vault, merges the rest, and verify passes', async () => {
    const ws = await fresh();
    const result = await asOperator(ws, ['--on-conflict', 'skip']);
    expect(result.code, result.stderr).toBe(0);
    const secret = await client.kvRead(root, 'secret', 'bybit/credentials');
    expect(secret?.data).toEqual({ api_key: 'rotated-in-vault', api_secret: original.BYBIT_API_SECRET, testnet: 'true', MANUAL_ADDED: 'keep me' });
    expect(secret?.version).toBe(2);
  });

  it('--on-conflict overwrite takes the .env value and keeps the hand-added field (merge, check-and-set)', async () => {
    const ws = await fresh();
    const result = await asOperator(ws, ['--on-conflict', 'overwrite']);
    expect(result.code, result.stderr).toBe(0);
    const secret = await client.kvRead(root, 'secret', 'bybit/credentials');
    expect(secret?.data).toEqual({ api_key: original.BYBIT_API_KEY, api_secret: original.BYBIT_API_SECRET, testnet: 'true', MANUAL_ADDED: 'keep me' });
    expect(secret?.version).toBe(3);
  });

  it('seeding the same values again creates no new version', async () => {
    const ws = await fresh();
    const versions = async () => Promise.all(['bybit/credentials', 'database/app', 'redis/app', 'mlflow/app'].map(async (path) => (await client.kvRead(root, 'secret', path))?.version));
    const before = await versions();
    const result = await asOperator(ws);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/already hold the \.env values/);
    expect(await versions()).toEqual(before);
  });

  it('a missing required variable stops seeding before anything is written', async () => {
    const ws = await fresh();
    await writeFile(ws.envFile, 'BYBIT_API_KEY=only-this-one-here\n');
    const result = await asOperator(ws, ['--on-conflict', 'overwrite']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/lacks required variable\(s\): BYBIT_API_SECRET, DATABASE_URL, REDIS_URL, MLFLOW_TRACKING_URI/);
    expect((await client.kvRead(root, 'secret', 'bybit/credentials'))?.data.api_key).toBe(original.BYBIT_API_KEY);
  });

  describe('the shared .env cases land in Vault byte-exact', () => {
    const cases = ['01-multiline-pem', '03-equals-in-values', '04-export-prefix', '06-utf8-bom', '08-quotes-escapes', '10-duplicates-empty'];
    for (const name of cases) {
      it(name, async () => {
        const expected = JSON.parse(readFileSync(join(fixturesDir, 'env', `${name}.expected.json`), 'utf8')) as {
          values: Record<string, string>;
          warnings?: Array<{ key: string; kind: string; lines: number[] }>;
        };
        const ws = await fresh(join('env', `${name}.env`));
        const mappingFile = join(ws.dir, 'mapping.yaml');
        const secrets = Object.keys(expected.values).map((key) => `  - { variable: ${key}, path: cases/${name}, field: ${key} }`);
        await writeFile(mappingFile, `mode: replace\nsecrets:\n${secrets.join('\n')}\n`);
        const result = await asOperator(ws, ['--mapping', mappingFile]);
        expect(result.code, result.stderr).toBe(0);
        const secret = await client.kvRead(root, 'secret', `cases/${name}`);
        expect(secret?.data).toEqual(expected.values);
        for (const warning of expected.warnings ?? []) {
          expect(result.stderr).toContain(`${warning.key} is set ${warning.lines.length} times in .env (lines ${warning.lines.join(', ')})`);
        }
        // The application reads them back through its own token, too.
        const app = dotenv.parse(await readFile(ws.envFile));
        expect((await client.kvRead(app.VAULT_TOKEN!, 'secret', `cases/${name}`))?.data).toEqual(expected.values);
      });
    }

    it('06-utf16le: an encoding error before anything changes', async () => {
      const ws = await fresh(join('env', '06-utf16le.env'));
      const before = await readFile(ws.envFile);
      const mappingFile = join(ws.dir, 'mapping.yaml');
      await writeFile(mappingFile, 'mode: replace\nsecrets:\n  - { variable: DATABASE_URL, path: cases/utf16, field: url }\n');
      const result = await asOperator(ws, ['--mapping', mappingFile]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/UTF-16/);
      expect(result.stderr).not.toMatch(/0 keys/);
      expect((await readFile(ws.envFile)).equals(before)).toBe(true);
      expect(await client.kvRead(root, 'secret', 'cases/utf16')).toBeUndefined();
    });
  });

  it('none of the runs printed a value from the cases', () => {
    const values = ['sEcReT/with+base64=chars==FAKE0123456789abcdef', 'AAAAFAKELINE1', 'CCCCFAKE', 'fakepw@db', 'fake-token-1', 'rotated-in-vault'];
    for (const text of transcript) for (const value of values) expect(text.includes(value)).toBe(false);
  });
});

describe.skipIf(!bin)('migrate --runtime external: a KV version 1 mount at secret/', () => {
  let server: TestServer;
  let ws: Workspace;
  let root: string;
  beforeAll(async () => {
    server = await startTestServer();
    ws = await workspace();
    const client = new VaultClient({ address: server.address });
    const init = await client.initialize({ secretShares: 1, secretThreshold: 1 });
    root = init.rootToken;
    await client.submitUnsealKey(init.keysBase64[0]!);
    await fetch(`${server.address}/v1/sys/mounts/secret`, { method: 'POST', headers: { 'X-Vault-Token': root }, body: JSON.stringify({ type: 'kv', options: { version: '1' } }) });
    await fetch(`${server.address}/v1/secret/legacy`, { method: 'POST', headers: { 'X-Vault-Token': root }, body: JSON.stringify({ keep: 'me' }) });
  });
  afterAll(async () => {
    await server.destroy();
    await removeWorkspace(ws.dir);
  });

  it('is not upgraded silently: stops and explains; --upgrade-kv upgrades it and keeps its data', async () => {
    const refused = await migrateExternal(server, ws, ['--non-interactive'], { VAULT_TOKEN: root });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/secret\/ is a KV version 1 mount/);
    expect(refused.stderr).toMatch(/--upgrade-kv/);
    const client = new VaultClient({ address: server.address });
    expect((await client.listMounts(root))['secret/']?.version ?? '1').toBe('1');
    const upgraded = await migrateExternal(server, ws, ['--non-interactive', '--upgrade-kv'], { VAULT_TOKEN: root });
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect((await client.listMounts(root))['secret/']?.version).toBe('2');
    expect((await client.kvRead(root, 'secret', 'legacy'))?.data).toEqual({ keep: 'me' });
  });
});

describe.skipIf(!bin)('migrate interactively, driven through the prompter', () => {
  let server: TestServer;
  let ws: Workspace;
  beforeAll(async () => {
    server = await startTestServer();
    ws = await workspace();
  });
  afterAll(async () => {
    await server.destroy();
    await removeWorkspace(ws.dir);
  });
  afterEach(() => vi.restoreAllMocks());

  it('shows the keys once, asks to type back the start of share 1, confirms the cleanup, and completes', async () => {
    let shown = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      shown += chunk.toString();
      return true;
    });
    const shareOne = () => /Unseal key 1: (\S+)/.exec(shown)?.[1] ?? '';
    const prompter = new ScriptedPrompter([
      'wrong',
      () => shareOne().slice(0, 8),
      true, // remove the plaintext secrets
    ]);
    const common = resolveCommonOptions({ envFile: ws.envFile, stateDir: ws.stateDir, vaultAddr: server.address, color: false });
    const options = parseMigrateOptions({ runtime: 'external' });
    const ctx = await createMigrationContext(common, options, { prompter, env: {} });
    const code = await runMigrate(ctx);
    vi.restoreAllMocks();
    expect(code).toBe(0);
    expect(prompter.asked.filter((message) => /first 8 characters/.test(message))).toHaveLength(2);
    expect(prompter.asked.some((message) => /Remove 7 migrated secret/.test(message))).toBe(true);
    expect(shown.match(/Unseal key 1:/g)).toHaveLength(1);
    expect(shown).toMatch(/Root token: s\./);
    const app = dotenv.parse(await readFile(ws.envFile));
    expect(app.BYBIT_API_KEY).toBeUndefined();
    expect((await new VaultClient({ address: server.address }).kvRead(app.VAULT_TOKEN!, 'secret', 'mlflow/app'))?.data.tracking_uri).toBe('http://localhost:5000');
  });
});
