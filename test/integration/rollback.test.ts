// `bybit-vault rollback` after a full migration of the application's .env, against a real server (binary runtime).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { VaultApiError, VaultClient } from '../../src/vault/index.js';
import { copyFixture, fileMode, fixturesDir, makeWorkspace, removeWorkspace, runCli, stopMigratedServer, transcript, type CliResult } from '../support/cli.js';
import { freePortPair, serverBinary } from '../support/vault-server.js';
import { isProcessAlive } from '../../src/state/store.js';

const APP_KEYS = ['BYBIT_API_KEY', 'BYBIT_API_SECRET', 'BYBIT_TESTNET', 'DATABASE_URL', 'DATABASE_POOL_SIZE', 'REDIS_URL', 'MLFLOW_TRACKING_URI'];

interface StateFile {
  envBackup?: string;
  envAddedKeys?: string[];
  removedPlaintextKeys?: string[];
  runtime?: { pid?: number; dataDir?: string };
  steps: Record<string, { status: string }>;
  rollbacks: Array<{ at: string; source: string; restoredKeys: string[]; backupOfCurrent?: string; tokenRevoked: boolean; vaultStopped: boolean }>;
}

interface RollbackJson {
  ok: boolean;
  dryRun: boolean;
  source: string;
  restored: string[];
  removed: string[];
  backupOfCurrent: string | null;
  tokenRevoked: boolean;
  vaultStopped: boolean;
}

describe.skipIf(!serverBinary())('rollback after a full migration (real server)', () => {
  const original = readFileSync(join(fixturesDir, 'bybit-app.env'));
  /** Every secret value and token seen in this run: none may appear in any output. */
  const secrets = new Set<string>();
  let dir: string;
  let envFile: string;
  let stateDir: string;
  let keysFile: string;
  let address: string;

  const readState = async (): Promise<StateFile> => JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as StateFile;
  const rootToken = async (): Promise<string> => (JSON.parse(await readFile(keysFile, 'utf8')) as { root_token: string }).root_token;
  const appToken = async (): Promise<string> => dotenv.parse(await readFile(envFile)).VAULT_TOKEN!;

  async function migrate(): Promise<void> {
    const result = await runCli([
      'migrate', '--runtime', 'binary', '--vault-bin', serverBinary()!, '--vault-addr', address, '--non-interactive',
      '--keys-file', keysFile, '--remove-plaintext', '--env-file', envFile, '--state-dir', stateDir,
    ]);
    expect(result.code, result.stderr).toBe(0);
    secrets.add(await appToken());
    const keys = JSON.parse(await readFile(keysFile, 'utf8')) as { root_token: string; unseal_keys_b64: string[] };
    for (const secret of [keys.root_token, ...keys.unseal_keys_b64]) secrets.add(secret);
  }

  const rollback = (...args: string[]): Promise<CliResult> => runCli(['rollback', '--env-file', envFile, '--state-dir', stateDir, ...args]);
  const json = (result: CliResult): RollbackJson => JSON.parse(result.stdout) as RollbackJson;

  beforeAll(async () => {
    dir = await makeWorkspace('bybit-vault-rollback-');
    envFile = join(dir, '.env');
    stateDir = join(dir, 'state');
    keysFile = join(dir, 'keys.json');
    address = `http://127.0.0.1:${await freePortPair()}`;
    await copyFixture('bybit-app.env', envFile);
    for (const key of APP_KEYS) secrets.add(dotenv.parse(original)[key]!);
    await migrate();
  }, 120_000);

  afterAll(async () => {
    if (stateDir) await stopMigratedServer(stateDir);
    if (dir) await removeWorkspace(dir);
  });

  it('the migration left no migrated variable in .env (the starting point of every rollback below)', async () => {
    const values = dotenv.parse(await readFile(envFile));
    expect(APP_KEYS.filter((key) => key in values)).toEqual([]);
    expect(values.VAULT_TOKEN).toBeTruthy();
  });

  it('--dry-run shows the keys that would change and changes nothing', async () => {
    const envBefore = await readFile(envFile);
    const stateBefore = await readFile(join(stateDir, 'state.json'));
    const backupsBefore = await readdir(join(stateDir, 'backups'));
    const result = await rollback('--dry-run', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(json(result)).toMatchObject({ ok: true, dryRun: true, source: 'backup', restored: APP_KEYS, removed: ['VAULT_ADDR', 'VAULT_TOKEN'], backupOfCurrent: null });
    for (const key of [...APP_KEYS, 'VAULT_TOKEN']) expect(result.stderr).toContain(key);
    expect((await readFile(envFile)).equals(envBefore)).toBe(true);
    expect((await readFile(join(stateDir, 'state.json'))).equals(stateBefore)).toBe(true);
    expect(await readdir(join(stateDir, 'backups'))).toEqual(backupsBefore);
  });

  it('without --yes and without a terminal it asks for --yes (exit 2) and changes nothing', async () => {
    const envBefore = await readFile(envFile);
    const result = await rollback();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--yes');
    expect((await readFile(envFile)).equals(envBefore)).toBe(true);
  });

  it('restores every value from the backup: the file equals the original byte for byte', async () => {
    const envBefore = await readFile(envFile);
    const preMigrationBackup = (await readState()).envBackup!;
    const result = await rollback('--yes', '--json');
    expect(result.code, result.stderr).toBe(0);
    const summary = json(result);
    expect(summary).toMatchObject({ ok: true, dryRun: false, source: 'backup', restored: APP_KEYS, removed: ['VAULT_ADDR', 'VAULT_TOKEN'], tokenRevoked: false, vaultStopped: false });

    expect((await readFile(envFile)).equals(original)).toBe(true);
    expect(result.stderr).toContain('restart the application so it reads the variables from .env again');

    // The file as it was before the rollback is kept, private.
    expect((await readFile(summary.backupOfCurrent!)).equals(envBefore)).toBe(true);
    expect(await fileMode(summary.backupOfCurrent!)).toBe(0o600);

    const state = await readState();
    expect(state.rollbacks).toHaveLength(1);
    expect(state.rollbacks[0]).toMatchObject({ source: 'backup', restoredKeys: APP_KEYS, backupOfCurrent: summary.backupOfCurrent, tokenRevoked: false, vaultStopped: false });
    for (const step of ['env', 'verify', 'cleanup']) expect(state.steps[step]!.status).toBe('pending');
    expect(state.envBackup).toBeUndefined();
    expect(state.envAddedKeys).toBeUndefined();
    expect(state.removedPlaintextKeys).toBeUndefined();
    expect(existsSync(preMigrationBackup)).toBe(true);
    expect(existsSync(join(stateDir, 'lock'))).toBe(false);
  });

  it('a second rollback finds nothing to do', async () => {
    const result = await rollback('--yes', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(json(result)).toMatchObject({ restored: [], removed: [], backupOfCurrent: null });
    expect((await readFile(envFile)).equals(original)).toBe(true);
  });

  it('migrate works again after the rollback, with a new pre-migration backup', async () => {
    await migrate();
    const state = await readState();
    expect(state.envBackup).toBeDefined();
    expect((await readFile(state.envBackup!)).equals(original)).toBe(true);
    expect(state.steps.cleanup!.status).toBe('done');
  });

  it('--revoke-token without an admin token stops before changing anything and says where it looked', async () => {
    const envBefore = await readFile(envFile);
    const stateBefore = await readFile(join(stateDir, 'state.json'));
    await rename(keysFile, `${keysFile}.away`);
    try {
      const result = await rollback('--revoke-token', '--yes');
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(keysFile);
      expect(result.stderr).toContain('VAULT_TOKEN');
    } finally {
      await rename(`${keysFile}.away`, keysFile);
    }
    expect((await readFile(envFile)).equals(envBefore)).toBe(true);
    expect((await readFile(join(stateDir, 'state.json'))).equals(stateBefore)).toBe(true);
  });

  it('--from-vault brings back a value changed in Vault since, keeps a line the operator added, and --revoke-token ends the token', async () => {
    const token = await appToken();
    const operatorLine = 'OPERATOR_NOTE=added-after-the-migration\n';
    await appendFile(envFile, operatorLine);
    const rotated = 'rotated/in+vault=NEW0123456789';
    secrets.add(rotated);
    const admin = new VaultClient({ address });
    const current = (await admin.kvRead(await rootToken(), 'secret', 'bybit/credentials'))!;
    await admin.kvWrite(await rootToken(), 'secret', 'bybit/credentials', { ...current.data, api_secret: rotated }, current.version);

    const result = await rollback('--from-vault', '--revoke-token', '--yes', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(json(result)).toMatchObject({ ok: true, source: 'vault', restored: APP_KEYS, removed: ['VAULT_ADDR', 'VAULT_TOKEN'], tokenRevoked: true, vaultStopped: false });

    // The secret's line keeps the backup's double quotes; the operator's line stays where it was.
    const expected = original
      .toString('utf8')
      .replace(/^BYBIT_API_SECRET=.*$/m, `BYBIT_API_SECRET="${rotated}"`)
      .concat(operatorLine);
    expect((await readFile(envFile)).equals(Buffer.from(expected, 'utf8'))).toBe(true);
    expect(dotenv.parse(await readFile(envFile)).BYBIT_API_SECRET).toBe(rotated);

    await expect(admin.lookupSelf(token)).rejects.toBeInstanceOf(VaultApiError);
    expect((await readState()).rollbacks.at(-1)).toMatchObject({ source: 'vault', tokenRevoked: true });
  });

  it('--stop-vault stops the server process and keeps its data', async () => {
    const { runtime } = await readState();
    const result = await rollback('--stop-vault', '--yes', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(json(result)).toMatchObject({ ok: true, vaultStopped: true });
    // Zombie-aware: a stopped server nobody reaped (no init in containers) still answers kill(pid, 0).
    expect(isProcessAlive(runtime!.pid!)).toBe(false);
    expect((await readdir(runtime!.dataDir!)).length).toBeGreaterThan(0);
  });

  it('with no backup and Vault down it refuses, names the missing keys and changes nothing', async () => {
    // migrate starts the stopped server again (it comes back sealed; the keys file unseals it).
    await migrate();
    await rm((await readState()).envBackup!);
    await stopMigratedServer(stateDir);
    const envBefore = await readFile(envFile);
    const stateBefore = await readFile(join(stateDir, 'state.json'));
    const backupsBefore = await readdir(join(stateDir, 'backups'));

    for (const args of [['--yes'], ['--yes', '--from-vault']]) {
      const result = await rollback(...args);
      expect(result.code, result.stderr).toBe(1);
      if (!args.includes('--from-vault')) for (const key of APP_KEYS) expect(result.stderr).toContain(key);
      expect(result.stderr).toMatch(/nothing was changed/);
      expect((await readFile(envFile)).equals(envBefore)).toBe(true);
      expect((await readFile(join(stateDir, 'state.json'))).equals(stateBefore)).toBe(true);
      expect(await readdir(join(stateDir, 'backups'))).toEqual(backupsBefore);
      expect(existsSync(join(stateDir, 'lock'))).toBe(false);
    }
  });

  it('no secret value, token or unseal key appears in any output', () => {
    const output = transcript.join('\n');
    expect(output.length).toBeGreaterThan(0);
    const leaked = [...secrets].filter((secret) => secret.length >= 6 && output.includes(secret));
    expect(leaked.map((secret) => `${secret.slice(0, 2)}… (${secret.length} chars)`)).toEqual([]);
  });
});
