import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStore, acquireLock, readState } from '../../src/state/store.js';

const dirs: string[] = [];
async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bybit-vault-state-'));
  dirs.push(dir);
  return join(dir, 'state');
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('state file', () => {
  it('is written atomically with mode 0600 and read back through its schema', async () => {
    const dir = await stateDir();
    const store = await StateStore.open(dir);
    await store.setStep('deploy', { status: 'done', message: 'ok' });
    expect((await stat(join(dir, 'state.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const again = await readState(dir);
    expect(again?.steps.deploy).toMatchObject({ status: 'done', message: 'ok' });
    expect(again?.schemaVersion).toBe(1);
  });

  it('a file from another schema version or a broken file is a clear error with the way out', async () => {
    const dir = await stateDir();
    const store = await StateStore.open(dir);
    await store.update(() => undefined);
    await writeFile(join(dir, 'state.json'), JSON.stringify({ schemaVersion: 9 }));
    await expect(readState(dir)).rejects.toThrow(/schema version 9/);
    await writeFile(join(dir, 'state.json'), '{ not json');
    await expect(readState(dir)).rejects.toMatchObject({ code: 'STATE_CORRUPT', hint: expect.stringMatching(/mv .*state\.json/) });
  });
});

describe('run lock', () => {
  it('a second run is refused with a message naming the first one', async () => {
    const dir = await stateDir();
    const lock = await acquireLock(dir, 'bybit-vault migrate');
    await expect(acquireLock(dir, 'bybit-vault rollback')).rejects.toThrow(new RegExp(`\`bybit-vault migrate\` \\(pid ${process.pid}`));
    await lock.release();
    const next = await acquireLock(dir, 'bybit-vault rollback');
    await next.release();
  });

  it('a lock left by a process that died is taken over', async () => {
    const dir = await stateDir();
    const lock = await acquireLock(dir, 'bybit-vault migrate');
    const deadPid = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    const lockFile = join(dir, 'lock');
    const owner = JSON.parse(await readFile(lockFile, 'utf8'));
    await writeFile(lockFile, JSON.stringify({ ...owner, pid: deadPid }));
    const taken = await acquireLock(dir, 'bybit-vault migrate');
    expect(JSON.parse(await readFile(lockFile, 'utf8')).pid).toBe(process.pid);
    await taken.release();
    await lock.release();
  });
});
