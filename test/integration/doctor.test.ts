// doctor against a REAL server: a migrated-looking setup, then each runbook failure, each with its finding and fix.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommonOptions } from '../../src/context.js';
import { runDoctor } from '../../src/commands/doctor.js';
import { createDoctorContext, renderText, reportToJson, type CheckOutcome, type DoctorReport } from '../../src/doctor/index.js';
import { exitCodeFor } from '../../src/doctor/report.js';
import { DEFAULT_MAPPING, generatePolicy } from '../../src/mapping/index.js';
import { StateStore } from '../../src/state/store.js';
import { VaultClient } from '../../src/vault/index.js';
import { cleanEnv, makeWorkspace, removeWorkspace, runCli } from '../support/cli.js';
import { freePort, serverBinary, startTestServer, type TestServer } from '../support/vault-server.js';

const SECRETS: Record<string, Record<string, string>> = {
  'bybit/credentials': { api_key: 'doctorApiKey-7Qx2LmP9vT', api_secret: 'doctorApiSecret-Zr4Kw8Nd3HsYb6', testnet: 'true' },
  'database/app': { url: 'postgresql://bybit:doctorDbPass-Hq72@db.internal:5432/bybit', pool_size: '10' },
  'redis/app': { url: 'redis://:doctorRedisPass-Lk93@redis.internal:6379/0' },
  'mlflow/app': { tracking_uri: 'http://mlflow:doctorMlflowPass-Pw51@mlflow.internal:5000' },
};
const PLAINTEXT_ENV = [
  'BYBIT_API_KEY=doctorApiKey-7Qx2LmP9vT',
  'BYBIT_API_SECRET=doctorApiSecret-Zr4Kw8Nd3HsYb6',
  'DATABASE_URL=postgresql://bybit:doctorDbPass-Hq72@db.internal:5432/bybit',
];

describe.skipIf(!serverBinary())('doctor against a real server', () => {
  let server: TestServer;
  let client: VaultClient;
  let rootToken = '';
  let unsealKeys: string[] = [];
  let appToken = '';
  const workspaces: string[] = [];
  /** Every token and value doctor must never print. */
  const secretsNeverPrinted: string[] = [];
  /** Everything doctor printed or returned in these tests. */
  const outputs: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    client = new VaultClient({ address: server.address });
    const init = await client.initialize({ secretShares: 5, secretThreshold: 3 });
    rootToken = init.rootToken;
    unsealKeys = init.keys;
    for (const key of unsealKeys.slice(0, 3)) await client.submitUnsealKey(key);
    await client.enableKvV2(rootToken, 'secret');
    await client.writePolicy(rootToken, 'bybit-app', generatePolicy(DEFAULT_MAPPING));
    await Promise.all(Object.entries(SECRETS).map(([path, data]) => client.kvWrite(rootToken, 'secret', path, data)));
    appToken = (await client.createOrphanToken(rootToken, { policies: ['bybit-app'], ttl: '720h', displayName: 'bybit-app' })).clientToken;
    secretsNeverPrinted.push(rootToken, appToken, ...unsealKeys, ...Object.values(SECRETS).flatMap((data) => Object.values(data)).filter((value) => value.length >= 8));
  });

  afterAll(async () => {
    await server?.destroy();
    await Promise.all(workspaces.map((dir) => removeWorkspace(dir)));
  });

  interface Setup {
    dir: string;
    envFile: string;
    stateDir: string;
    common: CommonOptions;
  }

  /** A temp application dir that looks migrated: .env pointing at Vault, state with every step done. */
  async function migratedSetup(options: { token?: string; envAddress?: string; extraEnv?: string[]; cleanup?: 'done' | 'skipped' } = {}): Promise<Setup> {
    const dir = await makeWorkspace('bybit-vault-doctor-');
    workspaces.push(dir);
    const envFile = join(dir, '.env');
    const stateDir = join(dir, '.bybit-vault');
    const token = options.token ?? appToken;
    const lines = ['APP_ENV=production', 'LOG_LEVEL=info', ...(options.extraEnv ?? []), `VAULT_ADDR=${options.envAddress ?? server.address}`, `VAULT_TOKEN=${token}`];
    await writeFile(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    const accessor = (await client.lookupSelf(token).catch(() => undefined))?.accessor ?? 'unknown-accessor';
    const store = await StateStore.open(stateDir);
    await store.update((state) => {
      state.envFile = envFile;
      state.vaultAddr = server.address;
      state.runtime = { kind: 'external' };
      state.init = { shares: 5, threshold: 3, pgp: false, at: new Date().toISOString(), byThisTool: true };
      state.migratedKeys = DEFAULT_MAPPING.entries.map((entry) => entry.variable);
      state.token = { accessor, policies: ['bybit-app'], ttl: '720h', createdAt: new Date().toISOString(), displayName: 'bybit-app' };
      state.envAddedKeys = ['VAULT_ADDR', 'VAULT_TOKEN'];
      state.removedPlaintextKeys = options.cleanup === 'skipped' ? [] : PLAINTEXT_ENV.map((line) => line.split('=')[0]!);
      for (const id of ['deploy', 'init', 'unseal', 'configure', 'seed', 'token', 'env', 'verify'] as const) state.steps[id] = { status: 'done' };
      state.steps.cleanup = { status: options.cleanup ?? 'done' };
    });
    return { dir, envFile, stateDir, common: { envFile, stateDir, json: false, color: false } };
  }

  async function doctor(setup: Setup, overrides: Partial<CommonOptions> = {}, env: NodeJS.ProcessEnv = {}): Promise<DoctorReport> {
    const ctx = await createDoctorContext({ ...setup.common, ...overrides }, { env });
    const report = await runDoctor(ctx);
    outputs.push(JSON.stringify(reportToJson(report)), renderText(report));
    return report;
  }

  function check(report: DoctorReport, id: string): CheckOutcome {
    const found = report.checks.find((candidate) => candidate.id === id);
    if (!found) throw new Error(`no check ${id}`);
    return found;
  }

  function notOk(report: DoctorReport): string[] {
    return report.checks.filter((outcome) => outcome.status === 'warn' || outcome.status === 'fail').map((outcome) => `${outcome.id}: ${outcome.finding}`);
  }

  it('a healthy migrated setup: every check ok or skipped, exit 0', async () => {
    const report = await doctor(await migratedSetup());
    expect(notOk(report)).toEqual([]);
    expect(exitCodeFor(report)).toBe(0);
    expect(report.ok).toBe(true);
    expect(check(report, 'server.health').finding).toMatch(/initialised, unsealed, active, version/);
    expect(check(report, 'token.app').finding).toMatch(/^valid \(accessor \S+\); policies bybit-app, default; expires in (30 d|29 d 23 h); renewable; orphan$/);
    expect(check(report, 'token.policy').finding).toMatch(/read all 4 mapped paths/);
    expect(check(report, 'secrets.present').finding).toMatch(/4 paths, 7 fields present/);
    expect(check(report, 'kv.mount')).toMatchObject({ status: 'ok' });
    expect(check(report, 'docker.engine')).toMatchObject({ status: 'skip' });
    expect(check(report, 'state.consistency')).toMatchObject({ status: 'ok' });
  });

  it('end to end: the built CLI exits 0 and prints the JSON report on stdout', async () => {
    const setup = await migratedSetup();
    const result = await runCli(['doctor', '--state-dir', setup.stateDir, '--env-file', setup.envFile, '--json'], { env: cleanEnv() });
    outputs.push(result.stdout, result.stderr);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const json = JSON.parse(result.stdout) as { ok: boolean; summary: Record<string, number>; checks: Array<Record<string, unknown>> };
    expect(json.ok).toBe(true);
    expect(json.summary.fail).toBe(0);
    expect(json.summary.warn).toBe(0);
    expect(Object.keys(json.checks[0]!).sort()).toEqual(['details', 'finding', 'fix', 'id', 'status', 'title']);
  });

  it('end to end text report: [ok] lines on stderr, nothing on stdout', async () => {
    const setup = await migratedSetup();
    const result = await runCli(['doctor', '--state-dir', setup.stateDir, '--env-file', setup.envFile], { env: cleanEnv() });
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^\[ok\] {3}server\.health/m);
    expect(result.stderr).toMatch(/OK: \d+ ok, 0 warn, 0 fail/);
  });

  it('plaintext left in .env after the migration: a warning (exit 3) naming the keys and the cleanup command', async () => {
    const report = await doctor(await migratedSetup({ extraEnv: PLAINTEXT_ENV, cleanup: 'skipped' }));
    expect(notOk(report)).toEqual([expect.stringMatching(/^env\.plaintext: 3 migrated secrets still in plaintext/)]);
    const plaintext = check(report, 'env.plaintext');
    expect(plaintext.status).toBe('warn');
    expect(plaintext.finding).toContain('BYBIT_API_KEY, BYBIT_API_SECRET, DATABASE_URL');
    expect(plaintext.finding).toContain('cleanup was not chosen');
    expect(plaintext.fix).toContain('bybit-vault migrate --remove-plaintext');
    expect(exitCodeFor(report)).toBe(3);
  });

  it('a shell VAULT_TOKEN that differs from the application token is a warning, and never printed', async () => {
    const report = await doctor(await migratedSetup(), {}, { VAULT_TOKEN: rootToken });
    const settings = check(report, 'settings');
    expect(settings.status).toBe('warn');
    expect(settings.finding).toMatch(/shell's VAULT_TOKEN \(sha256:[0-9a-f]{8}\) differs from the application's in \.env \(sha256:[0-9a-f]{8}\)/);
    // With a privileged shell token doctor lists the mount itself.
    expect(check(report, 'kv.mount').finding).toBe('secret/ is KV version 2');
  });

  it('wrong scheme: an https address against the plain-HTTP server is named an http/https mismatch', async () => {
    const httpsAddress = server.address.replace('http:', 'https:');
    const report = await doctor(await migratedSetup(), { vaultAddrFlag: httpsAddress });
    const tls = check(report, 'network.tls');
    expect(tls.status).toBe('fail');
    expect(tls.finding).toContain('http/https mismatch');
    expect(tls.fix).toBe(`run with --vault-addr ${server.address}`);
    expect(check(report, 'server.health').finding).toBe('skipped: network.tls failed');
    expect(exitCodeFor(report)).toBe(1);
  });

  it('a token without the policy: valid, but permission denied by policy (told apart from an invalid token)', async () => {
    const token = (await client.createOrphanToken(rootToken, { policies: ['default'], ttl: '720h' })).clientToken;
    secretsNeverPrinted.push(token);
    const report = await doctor(await migratedSetup({ token }));
    const tokenCheck = check(report, 'token.app');
    expect(tokenCheck.status).toBe('warn');
    expect(tokenCheck.finding).toMatch(/^valid, but its policies \(default\) do not include bybit-app/);
    const policy = check(report, 'token.policy');
    expect(policy.status).toBe('fail');
    expect(policy.finding).toMatch(/^permission denied by policy: the token is valid but lacks the bybit-app policy/);
    expect(policy.finding).toContain('secret/data/bybit/credentials');
    expect(policy.fix).toContain('bybit-vault migrate');
    expect(check(report, 'secrets.present').finding).toContain('permission denied');
    expect(exitCodeFor(report)).toBe(1);
  });

  it('a revoked application token: invalid token (lookup-self denied), and the dependent checks are skipped', async () => {
    const token = (await client.createOrphanToken(rootToken, { policies: ['bybit-app'], ttl: '720h' })).clientToken;
    secretsNeverPrinted.push(token);
    const setup = await migratedSetup({ token });
    await client.revokeSelf(token);
    const report = await doctor(setup);
    const tokenCheck = check(report, 'token.app');
    expect(tokenCheck.status).toBe('fail');
    expect(tokenCheck.finding).toMatch(/token \(sha256:[0-9a-f]{8}\) is invalid: Vault rejects it/);
    expect(tokenCheck.fix).toContain('bybit-vault migrate');
    expect(check(report, 'token.policy').finding).toBe('skipped: token.app failed');
    expect(check(report, 'secrets.present').finding).toBe('skipped: token.app failed');
    expect(exitCodeFor(report)).toBe(1);
    // With a privileged shell token, doctor also sees that the state's token accessor is gone.
    const privileged = await doctor(setup, {}, { VAULT_TOKEN: rootToken });
    expect(check(privileged, 'state.consistency')).toMatchObject({ status: 'warn', finding: expect.stringContaining('no longer exists: revoked or expired') });
  });

  it('the application not reading from Vault: its .env points at an address where nothing answers', async () => {
    const wrongAddress = `http://127.0.0.1:${await freePort()}`;
    const setup = await migratedSetup({ envAddress: wrongAddress });
    const report = await doctor(setup);
    const app = check(report, 'app.config');
    expect(app.status).toBe('fail');
    expect(app.finding).toMatch(new RegExp(`^the application cannot reach Vault: cannot connect to ${wrongAddress.replace(/[.]/g, '\\.')}: connection refused`));
    expect(app.fix).toBe(`set VAULT_ADDR=${server.address} in ${setup.envFile}, then restart the application`);
    // The server itself is fine: the finding points at the application's configuration only.
    expect(check(report, 'server.health').status).toBe('ok');
    expect(check(report, 'token.app').status).toBe('ok');
  });

  it('a secret deleted from a mapped path: fails naming the path, with the undelete command', async () => {
    await client.kvDeleteLatest(rootToken, 'secret', 'redis/app');
    try {
      const report = await doctor(await migratedSetup());
      const secrets = check(report, 'secrets.present');
      expect(secrets.status).toBe('fail');
      expect(secrets.finding).toBe('secret/redis/app: the latest version (1) is deleted');
      expect(secrets.fix).toBe('restore it: vault kv undelete -mount=secret -versions=1 redis/app');
      expect(notOk(report)).toHaveLength(1);
    } finally {
      await client.kvWrite(rootToken, 'secret', 'redis/app', SECRETS['redis/app']!);
    }
  });

  it('a missing field fails naming the path and the field', async () => {
    const { url: _dropped, ...withoutUrl } = SECRETS['database/app']!;
    await client.kvWrite(rootToken, 'secret', 'database/app', withoutUrl);
    try {
      const report = await doctor(await migratedSetup());
      expect(check(report, 'secrets.present')).toMatchObject({ status: 'fail', finding: 'secret/database/app lacks field url (DATABASE_URL)' });
    } finally {
      await client.kvWrite(rootToken, 'secret', 'database/app', SECRETS['database/app']!);
    }
  });

  it('sealed: exit 1, says sealed with the unseal progress, and names `bybit-vault unseal`', async () => {
    const setup = await migratedSetup();
    await client.seal(rootToken);
    await client.submitUnsealKey(unsealKeys[0]!);
    const report = await doctor(setup);
    const health = check(report, 'server.health');
    expect(health.status).toBe('fail');
    expect(health.finding).toMatch(/^sealed: unseal progress 1\/3 key shares entered \(threshold 3 of 5\)/);
    expect(health.fix).toMatch(/^bybit-vault unseal/);
    expect(check(report, 'token.app').finding).toBe('skipped: server.health failed');
    expect(check(report, 'state.consistency').finding).toContain('the state says unsealed, but the server is sealed now');
    expect(exitCodeFor(report)).toBe(1);
    expect(renderText(report)).toMatch(/\[fail\] server\.health +Server health: sealed: unseal progress 1\/3[^\n]*\n +fix: bybit-vault unseal/);
    for (const key of unsealKeys.slice(1, 3)) await client.submitUnsealKey(key);
    expect((await client.health()).sealed).toBe(false);
  });

  it('server stopped, end to end: exit 1 and "cannot connect" with the reason', async () => {
    const setup = await migratedSetup();
    await server.stop();
    try {
      const result = await runCli(['doctor', '--state-dir', setup.stateDir, '--env-file', setup.envFile, '--json'], { env: cleanEnv() });
      outputs.push(result.stdout, result.stderr);
      expect(result.code).toBe(1);
      const json = JSON.parse(result.stdout) as { ok: boolean; checks: Array<{ id: string; status: string; finding: string; fix: string | null }> };
      const tcp = json.checks.find((outcome) => outcome.id === 'network.tcp')!;
      expect(tcp.status).toBe('fail');
      expect(tcp.finding).toMatch(/^cannot connect to 127\.0\.0\.1:\d+ \(address from the state file\): connection refused/);
      expect(tcp.fix).toContain('start the Vault server');
      expect(json.checks.find((outcome) => outcome.id === 'server.health')!.finding).toBe('skipped: network.tcp failed');
      const text = await runCli(['doctor', '--state-dir', setup.stateDir, '--env-file', setup.envFile], { env: cleanEnv() });
      outputs.push(text.stdout, text.stderr);
      expect(text.code).toBe(1);
      expect(text.stderr).toMatch(/\[fail\] network\.tcp +TCP reachability: cannot connect/);
    } finally {
      await server.start();
      for (const key of unsealKeys.slice(0, 3)) await client.submitUnsealKey(key);
    }
  });

  it('no secret value, unseal key or token appears in any output', () => {
    expect(outputs.length).toBeGreaterThan(10);
    const everything = outputs.join('\n');
    for (const secret of secretsNeverPrinted) expect(everything.includes(secret), `a secret leaked (${secret.slice(0, 2)}…)`).toBe(false);
  });
});
