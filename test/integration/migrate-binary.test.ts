// The main job end to end through the BUILT CLI: binary runtime, real OpenBao, crash-and-resume, secret scan.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { chown, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { VaultClient, VaultApiError } from '../../src/vault/index.js';
import { DEFAULT_MAPPING } from '../../src/mapping/index.js';
import { freePort, freePortPair, serverBinary } from '../support/vault-server.js';
import {
  cleanEnv,
  copyFixture,
  fileMode,
  makeWorkspace,
  readTree,
  removeWorkspace,
  runCli,
  stopMigratedServer,
  transcript,
  fixturesDir,
  cliPath,
  type CliResult,
} from '../support/cli.js';

const bin = serverBinary();
const originalEnv = () => readFile(join(fixturesDir, 'bybit-app.env'));
const MAPPED = DEFAULT_MAPPING.entries.map((entry) => entry.variable);

interface Workspace {
  dir: string;
  envFile: string;
  stateDir: string;
  keysFile: string;
  address: string;
}

async function newWorkspace(): Promise<Workspace> {
  const dir = await makeWorkspace();
  const envFile = join(dir, '.env');
  await copyFixture('bybit-app.env', envFile);
  return { dir, envFile, stateDir: join(dir, 'state'), keysFile: join(dir, 'keys.json'), address: `http://127.0.0.1:${await freePortPair()}` };
}

function migrate(ws: Workspace, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli(
    ['migrate', '--runtime', 'binary', '--vault-bin', bin!, '--vault-addr', ws.address, '--non-interactive', '--keys-file', ws.keysFile, '--env-file', ws.envFile, '--state-dir', ws.stateDir, ...extra],
    { cwd: ws.dir, env: cleanEnv(env) },
  );
}

async function statusJson(ws: Workspace): Promise<{ steps: Array<{ id: string; status: string }>; server: { health?: { initialized: boolean; sealed: boolean } } }> {
  const result = await runCli(['status', '--json', '--state-dir', ws.stateDir, '--env-file', ws.envFile], { cwd: ws.dir });
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

async function keysOf(ws: Workspace): Promise<{ unseal_keys_b64: string[]; unseal_keys_hex: string[]; root_token: string }> {
  return JSON.parse(await readFile(ws.keysFile, 'utf8'));
}

/** A fresh workspace per describe; its server is stopped and its files removed afterwards. */
function useMigrationWorkspace(): () => Workspace {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await newWorkspace();
  });
  afterAll(async () => {
    await stopMigratedServer(ws.stateDir);
    await removeWorkspace(ws.dir);
  });
  return () => ws;
}

describe.skipIf(!bin)('migrate --runtime binary: full migration of bybit-app.env', () => {
  let ws: Workspace;
  let first: CliResult;
  const original = dotenv.parse(readFileSync(join(fixturesDir, 'bybit-app.env')));

  beforeAll(async () => {
    ws = await newWorkspace();
    first = await migrate(ws, ['--remove-plaintext', '--json']);
  }, 120_000);
  afterAll(async () => {
    await stopMigratedServer(ws.stateDir);
    await removeWorkspace(ws.dir);
  });

  it('completes every step and reports them in --json without values', async () => {
    expect(first.stderr).not.toMatch(/Unexpected error/);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary.ok).toBe(true);
    expect(summary.steps.map((step: { id: string }) => step.id)).toEqual(['deploy', 'init', 'unseal', 'configure', 'seed', 'token', 'env', 'verify', 'cleanup']);
    expect(summary.token.accessor).toMatch(/\w+/);
    expect(summary.seeded.map((path: { path: string }) => path.path).sort()).toEqual(['bybit/credentials', 'database/app', 'mlflow/app', 'redis/app']);
    const status = await statusJson(ws);
    expect(status.steps.every((step) => step.status === 'done')).toBe(true);
    expect(status.server.health).toMatchObject({ initialized: true, sealed: false });
    // Runbook: audit logging. OpenBao takes the device from the generated config; Vault over the API.
    const state = JSON.parse(await readFile(join(ws.stateDir, 'state.json'), 'utf8'));
    expect(state.audit).toMatchObject({ enabled: true });
    expect((await stat(join(ws.stateDir, 'server', 'audit.log'))).size).toBeGreaterThan(0);
  });

  it('writes a 0600 keys file with every share and the root token, in the vault CLI JSON shape', async () => {
    expect(await fileMode(ws.keysFile)).toBe(0o600);
    const keys = await keysOf(ws);
    expect(keys.unseal_keys_b64).toHaveLength(5);
    expect(keys.unseal_keys_hex).toHaveLength(5);
    expect(keys.root_token).toMatch(/^s\./);
    const seal = await new VaultClient({ address: ws.address }).sealStatus();
    expect(seal).toMatchObject({ initialized: true, sealed: false, shares: 5, threshold: 3 });
  });

  it('the application token from the rewritten .env reads back every mapped value byte-exact', async () => {
    const app = dotenv.parse(await readFile(ws.envFile));
    expect(app.VAULT_ADDR).toBe(ws.address);
    const client = new VaultClient({ address: app.VAULT_ADDR! });
    for (const entry of DEFAULT_MAPPING.entries) {
      const secret = await client.kvRead(app.VAULT_TOKEN!, 'secret', entry.path);
      expect(secret?.data[entry.field], entry.variable).toBe(original[entry.variable]);
    }
  });

  it('removes the plaintext secrets and leaves every other byte of .env as it was; the backup is byte-exact and 0600', async () => {
    const now = (await readFile(ws.envFile, 'utf8')).split('\n');
    const before = (await originalEnv()).toString('utf8').split('\n');
    const kept = before.filter((line) => !MAPPED.some((key) => line.startsWith(`${key}=`)));
    expect(now.slice(0, kept.length - 1)).toEqual(kept.slice(0, -1));
    expect(now.filter((line) => line.startsWith('VAULT_')).map((line) => line.split('=')[0])).toEqual(['VAULT_ADDR', 'VAULT_TOKEN']);
    const parsed = dotenv.parse(await readFile(ws.envFile));
    for (const key of MAPPED) expect(parsed).not.toHaveProperty(key);
    for (const key of ['APP_ENV', 'LOG_LEVEL', 'STRATEGY_DIR']) expect(parsed[key]).toBe(original[key]);
    const state = JSON.parse(await readFile(join(ws.stateDir, 'state.json'), 'utf8'));
    expect(await fileMode(state.envBackup)).toBe(0o600);
    expect((await readFile(state.envBackup)).equals(await originalEnv())).toBe(true);
  });

  it('a second run after success changes nothing: same .env bytes, same KV versions', async () => {
    const root = (await keysOf(ws)).root_token;
    const client = new VaultClient({ address: ws.address });
    const versionsBefore = await Promise.all(['bybit/credentials', 'database/app'].map((path) => client.kvRead(root, 'secret', path)));
    const envBefore = await readFile(ws.envFile);
    const again = await migrate(ws, ['--remove-plaintext']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already initialised/);
    expect((await readFile(ws.envFile)).equals(envBefore)).toBe(true);
    const versionsAfter = await Promise.all(['bybit/credentials', 'database/app'].map((path) => client.kvRead(root, 'secret', path)));
    expect(versionsAfter.map((secret) => secret?.version)).toEqual(versionsBefore.map((secret) => secret?.version));
  });

  it('denies the application token a write to a mapped path and a read of an unmapped one', async () => {
    const app = dotenv.parse(await readFile(ws.envFile));
    const client = new VaultClient({ address: ws.address });
    await expect(client.kvWrite(app.VAULT_TOKEN!, 'secret', 'bybit/credentials', { api_key: 'x' })).rejects.toMatchObject({ status: 403 });
    await expect(client.kvRead(app.VAULT_TOKEN!, 'secret', 'other')).rejects.toMatchObject({ status: 403 });
  });

  it('after cleanup, one changed secret can be migrated again: the others count as held by Vault, the owner of .env is kept', async () => {
    const asRoot = process.getuid?.() === 0;
    await writeFile(ws.envFile, Buffer.concat([await readFile(ws.envFile), Buffer.from('BYBIT_API_KEY=rotated-key-0123456789\n')]));
    if (asRoot) await chown(ws.envFile, 65534, 65534);
    const update = await migrate(ws, ['--remove-plaintext', '--on-conflict', 'overwrite']);
    expect(update.code, update.stderr).toBe(0);
    const root = (await keysOf(ws)).root_token;
    const secret = await new VaultClient({ address: ws.address }).kvRead(root, 'secret', 'bybit/credentials');
    expect(secret?.data).toMatchObject({ api_key: 'rotated-key-0123456789', api_secret: original.BYBIT_API_SECRET });
    expect(dotenv.parse(await readFile(ws.envFile))).not.toHaveProperty('BYBIT_API_KEY');
    const state = JSON.parse(await readFile(join(ws.stateDir, 'state.json'), 'utf8'));
    expect([...state.migratedKeys].sort()).toEqual([...MAPPED].sort());
    if (asRoot) expect((await stat(ws.envFile)).uid).toBe(65534);
  });

  it('the application token is an orphan: it still reads after the root token is revoked', async () => {
    const root = (await keysOf(ws)).root_token;
    const app = dotenv.parse(await readFile(ws.envFile));
    const client = new VaultClient({ address: ws.address });
    await client.revokeSelf(root);
    await expect(client.lookupSelf(root)).rejects.toBeInstanceOf(VaultApiError);
    const secret = await client.kvRead(app.VAULT_TOKEN!, 'secret', 'bybit/credentials');
    expect(secret?.data.api_secret).toBe(original.BYBIT_API_SECRET);
  });

  it('no secret value, unseal key or token appears in any output, the state dir or the server log', async () => {
    const keys = await keysOf(ws);
    const app = dotenv.parse(await readFile(ws.envFile));
    const secrets = [
      ...MAPPED.map((key) => original[key]!).filter((value) => value.length >= 6),
      ...keys.unseal_keys_b64,
      ...keys.unseal_keys_hex,
      keys.root_token,
      app.VAULT_TOKEN!,
      'rotated-key-0123456789',
    ];
    // Backups are byte-exact copies of .env on purpose; everything else must be clean.
    const files = (await readTree(ws.stateDir)).filter((file) => !file.path.includes('/backups/') && !file.path.includes('/data/'));
    expect(files.some((file) => file.path.endsWith('state.json'))).toBe(true);
    const haystacks = [...transcript.map((text, index) => ({ path: `output #${index}`, text })), ...files];
    for (const secret of secrets) {
      for (const haystack of haystacks) expect(haystack.text.includes(secret), `${haystack.path} leaks a secret`).toBe(false);
    }
  });
});

describe.skipIf(!bin)('migrate, change a secret, migrate again, roll back', () => {
  const workspace = useMigrationWorkspace();

  it('rollback brings back the value .env held last, not the outdated pre-migration one', async () => {
    const ws = workspace();
    expect((await migrate(ws)).code).toBe(0);
    const edited = (await readFile(ws.envFile, 'utf8')).replace(/^MLFLOW_TRACKING_URI=.*$/m, 'MLFLOW_TRACKING_URI=http://mlflow-new:5000');
    await writeFile(ws.envFile, edited);
    const again = await migrate(ws, ['--remove-plaintext', '--on-conflict', 'overwrite']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/rollback source updated for MLFLOW_TRACKING_URI/);
    const rollback = await runCli(['rollback', '--yes', '--env-file', ws.envFile, '--state-dir', ws.stateDir], { cwd: ws.dir, env: cleanEnv() });
    expect(rollback.code, rollback.stderr).toBe(0);
    const restored = dotenv.parse(await readFile(ws.envFile));
    const original = dotenv.parse(await originalEnv());
    expect(restored).toEqual({ ...original, MLFLOW_TRACKING_URI: 'http://mlflow-new:5000' });
  }, 120_000);
});

describe.skipIf(!bin)('migrate --runtime binary: a kill after each step, then resume to success', () => {
  const workspace = useMigrationWorkspace();

  it('resumes after a SIGKILL before, inside and after every step', async () => {
    const ws = workspace();
    const killPoints = [
      'after-step:deploy',
      'in-step:init',
      'after-step:unseal',
      'before-run:configure',
      'after-step:configure',
      'before-run:seed',
      'in-step:seed',
      'before-run:token',
      'after-step:token',
      'before-run:env',
      'in-step:env',
      'before-run:verify',
      'after-step:verify',
      'before-run:cleanup',
    ];
    for (const point of killPoints) {
      const killed = await migrate(ws, ['--remove-plaintext'], { BYBIT_VAULT_FAULT: point });
      expect(killed.signal, point).toBe('SIGKILL');
    }
    const state = JSON.parse(await readFile(join(ws.stateDir, 'state.json'), 'utf8'));
    expect(state.steps.cleanup?.status).toBe('running');
    const resumed = await migrate(ws, ['--remove-plaintext']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/Resuming/);
    const status = await statusJson(ws);
    expect(status.steps.every((step) => step.status === 'done')).toBe(true);
    const app = dotenv.parse(await readFile(ws.envFile));
    const original = dotenv.parse(await originalEnv());
    const client = new VaultClient({ address: app.VAULT_ADDR! });
    for (const entry of DEFAULT_MAPPING.entries) {
      expect((await client.kvRead(app.VAULT_TOKEN!, 'secret', entry.path))?.data[entry.field]).toBe(original[entry.variable]);
    }
    // The token created before the kill after `token` never reached .env, so it was replaced, not leaked.
    const backups = await readdir(join(ws.stateDir, 'backups'));
    expect(backups.length).toBeGreaterThanOrEqual(1);
  }, 240_000);
});

describe.skipIf(!bin)('migrate --runtime binary: inputs and preflight', () => {
  let ws: Workspace;
  let blocker: Server | undefined;
  beforeAll(async () => {
    ws = await newWorkspace();
  });
  afterAll(async () => {
    blocker?.close();
    await stopMigratedServer(ws.stateDir);
    await removeWorkspace(ws.dir);
  });

  it('--non-interactive without --keys-file fails with exit 2 naming the flag, before init starts', async () => {
    const result = await runCli(
      ['migrate', '--runtime', 'binary', '--vault-bin', bin!, '--vault-addr', ws.address, '--non-interactive', '--env-file', ws.envFile, '--state-dir', ws.stateDir],
      { cwd: ws.dir },
    );
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/--keys-file/);
    expect(await new VaultClient({ address: ws.address }).isInitialized()).toBe(false);
    const state = JSON.parse(await readFile(join(ws.stateDir, 'state.json'), 'utf8'));
    expect(state.steps.init.status).toBe('failed');
  });

  it('a busy port is found in preflight, with the way to choose another port', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(port, '127.0.0.1', resolve));
    const other = await newWorkspace();
    const result = await runCli(
      ['migrate', '--runtime', 'binary', '--vault-bin', bin!, '--vault-addr', `http://127.0.0.1:${port}`, '--non-interactive', '--keys-file', other.keysFile, '--env-file', other.envFile, '--state-dir', other.stateDir],
      { cwd: other.dir },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`Port ${port} .*already in use`));
    expect(result.stderr).toMatch(/--vault-addr http:\/\/127\.0\.0\.1:<free port>/);
    await removeWorkspace(other.dir);
  });

  it('Ctrl-C stops at a safe point, records the step as interrupted, says how to resume (exit 130), and resume completes', async () => {
    const other = await newWorkspace();
    const args = ['migrate', '--runtime', 'binary', '--vault-bin', bin!, '--vault-addr', other.address, '--non-interactive', '--keys-file', other.keysFile, '--env-file', other.envFile, '--state-dir', other.stateDir];
    const child = spawn(process.execPath, ['--', cliPath, ...args], { cwd: other.dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      // Interrupt while init runs: init must still finish writing the keys before the run stops.
      // Twice, like an impatient operator: the second one must not cut init short either.
      if (stderr.includes('[2/9]') && !child.killed) {
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    transcript.push(stderr);
    expect(code).toBe(130);
    expect(stderr).toMatch(/Interrupted during step/);
    expect(stderr).toMatch(/Please wait: Vault is initialising/);
    expect((await keysOf(other)).unseal_keys_b64).toHaveLength(5);
    expect(stderr).toMatch(/Run `bybit-vault migrate` again/);
    const state = JSON.parse(await readFile(join(other.stateDir, 'state.json'), 'utf8'));
    expect(Object.values(state.steps).map((step) => (step as { status: string }).status)).toContain('interrupted');
    const resumed = await migrate(other);
    expect(resumed.code, resumed.stderr).toBe(0);
    await stopMigratedServer(other.stateDir);
    await removeWorkspace(other.dir);
  }, 120_000);

  it('a missing .env or a malformed --vault-addr is a usage error before anything is deployed', async () => {
    const other = await newWorkspace();
    const missing = await runCli(['migrate', '--runtime', 'binary', '--vault-bin', bin!, '--vault-addr', other.address, '--non-interactive', '--keys-file', other.keysFile, '--env-file', join(other.dir, 'nope.env'), '--state-dir', other.stateDir], { cwd: other.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.env does not exist/);
    await expect(new VaultClient({ address: other.address }).health()).rejects.toThrow(/Cannot connect/);
    for (const address of ['ftp://127.0.0.1:8200', '127.0.0.1:8200', 'http://127.0.0.1:99999']) {
      const bad = await runCli(['migrate', '--runtime', 'external', '--vault-addr', address, '--non-interactive', '--env-file', other.envFile, '--state-dir', other.stateDir], { cwd: other.dir });
      expect(bad.code, address).toBe(2);
      expect(bad.stderr).toMatch(/--vault-addr/);
    }
    await removeWorkspace(other.dir);
  });

  it('an unknown flag or a bad value is a usage error (exit 2)', async () => {
    expect((await runCli(['migrate', '--no-such-flag'])).code).toBe(2);
    const bad = await runCli(['migrate', '--key-shares', 'five', '--dry-run'], { cwd: ws.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--key-shares/);
  });
});

