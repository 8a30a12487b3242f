// The rollback flow without a server (values from the backup): confirmation, writing, the state record.
import { PassThrough } from 'node:stream';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/context.js';
import { runRollback, type RollbackOptions } from '../../src/rollback/index.js';
import { StateStore } from '../../src/state/store.js';
import { Logger } from '../../src/ui/logger.js';
import type { Prompter } from '../../src/ui/prompter.js';
import { ScriptedPrompter } from '../support/scripted-prompter.js';

const ORIGINAL = "# app\nexport API_KEY='k-123456789'\nLOG=info\n";
const MIGRATED = '# app\nLOG=info\nVAULT_ADDR=http://127.0.0.1:1\nVAULT_TOKEN=s.app-token-123456\n';

describe('runRollback from the backup', () => {
  let dir: string;
  let envFile: string;
  let stateDir: string;
  let output: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bybit-vault-rollback-run-'));
    envFile = join(dir, '.env');
    stateDir = join(dir, 'state');
    await mkdir(join(stateDir, 'backups'), { recursive: true });
    const backup = join(stateDir, 'backups', 'env-backup-pre.env');
    await writeFile(backup, ORIGINAL, { mode: 0o600 });
    await writeFile(envFile, MIGRATED);
    const store = await StateStore.open(stateDir);
    await store.update((state) => {
      state.envFile = envFile;
      state.migratedKeys = ['API_KEY'];
      state.envBackup = backup;
      state.envAddedKeys = ['VAULT_ADDR', 'VAULT_TOKEN'];
      state.removedPlaintextKeys = ['API_KEY'];
      for (const id of ['env', 'verify', 'cleanup']) state.steps[id] = { status: 'done' };
    });
    output = '';
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function context(prompter: Prompter, interactive = true): CommandContext {
    const stream = new PassThrough();
    stream.on('data', (chunk) => (output += chunk));
    return {
      common: { envFile, stateDir, json: false, color: false },
      logger: new Logger({ color: false, json: false, stream }),
      prompter,
      interactive,
      signal: new AbortController().signal,
      env: {},
    };
  }

  const options = (overrides: Partial<RollbackOptions> = {}): RollbackOptions => ({ fromVault: false, revokeToken: false, stopVault: false, dryRun: false, yes: false, ...overrides });

  it('asks first; a "no" changes nothing and exits 1', async () => {
    const prompter = new ScriptedPrompter([false]);
    expect(await runRollback(context(prompter), options())).toBe(1);
    expect(prompter.asked).toHaveLength(1);
    expect(await readFile(envFile, 'utf8')).toBe(MIGRATED);
    expect(await readdir(join(stateDir, 'backups'))).toEqual(['env-backup-pre.env']);
  });

  it('a "yes" restores the file, keeps a backup of it and records the rollback', async () => {
    expect(await runRollback(context(new ScriptedPrompter([true])), options())).toBe(0);
    expect(await readFile(envFile, 'utf8')).toBe(ORIGINAL);
    const state = (await StateStore.open(stateDir)).state;
    expect(state.rollbacks).toEqual([
      expect.objectContaining({ source: 'backup', restoredKeys: ['API_KEY'], tokenRevoked: false, vaultStopped: false }),
    ]);
    expect(await readFile(state.rollbacks[0]!.backupOfCurrent!, 'utf8')).toBe(MIGRATED);
    expect(state.envBackup).toBeUndefined();
    expect(state.steps.cleanup?.status).toBe('pending');
    expect(output).toContain('restart the application');
    expect(output).not.toContain('k-123456789');
    expect(output).not.toContain('s.app-token-123456');
  });

  it('without a terminal and without --yes it names --yes', async () => {
    await expect(runRollback(context(new ScriptedPrompter([]), false), options())).rejects.toMatchObject({ code: 'MISSING_INPUT', flag: '--yes', exitCode: 2 });
    expect(await readFile(envFile, 'utf8')).toBe(MIGRATED);
  });

  it('refuses a .env that is not the one the migration was made for', async () => {
    const other = join(dir, 'other.env');
    await writeFile(other, MIGRATED);
    const ctx = context(new ScriptedPrompter([]));
    ctx.common.envFile = other;
    await expect(runRollback(ctx, options({ yes: true }))).rejects.toMatchObject({ code: 'USAGE' });
  });
});
