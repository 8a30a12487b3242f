// The state file: validated on load, written atomically (0600), guarded by a lock against concurrent runs.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { open, readFile, unlink } from 'node:fs/promises';
import { BybitVaultError, ExitCode } from '../errors.js';
import { ensurePrivateDirectory, writeFileAtomic } from '../util/atomic-file.js';
import { emptyState, stateSchema, type MigrationState, type StepId, type StepRecord } from './schema.js';

export const STATE_FILE = 'state.json';
const LOCK_FILE = 'lock';

export class StateError extends BybitVaultError {}

export class StateStore {
  readonly stateDir: string;
  readonly path: string;
  private current: MigrationState;

  private constructor(stateDir: string, state: MigrationState) {
    this.stateDir = stateDir;
    this.path = join(stateDir, STATE_FILE);
    this.current = state;
  }

  /** Load the state, or an empty one when the directory holds none yet (nothing is written until save). */
  static async open(stateDir: string): Promise<StateStore> {
    return new StateStore(stateDir, (await readState(stateDir)) ?? emptyState());
  }

  get state(): MigrationState {
    return this.current;
  }

  async update(change: (state: MigrationState) => void): Promise<void> {
    change(this.current);
    this.current.updatedAt = new Date().toISOString();
    await ensurePrivateDirectory(this.stateDir);
    await writeFileAtomic(this.path, `${JSON.stringify(stateSchema.parse(this.current), null, 2)}\n`, { mode: 0o600 });
  }

  async setStep(id: StepId, record: Partial<StepRecord> & Pick<StepRecord, 'status'>): Promise<void> {
    await this.update((state) => {
      const previous = state.steps[id];
      state.steps[id] = { ...previous, ...record };
    });
  }

  stepStatus(id: StepId): StepRecord['status'] {
    return this.current.steps[id]?.status ?? 'pending';
  }
}

export async function readState(stateDir: string): Promise<MigrationState | undefined> {
  const path = join(stateDir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StateError('STATE_CORRUPT', `The state file ${path} is not valid JSON`, {
      cause: error,
      hint: `Move it aside (mv ${path} ${path}.broken) and run the command again: every step re-checks the real world.`,
    });
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    const version = (raw as { schemaVersion?: unknown })?.schemaVersion;
    throw new StateError(
      'STATE_INVALID',
      version !== 1
        ? `The state file ${path} has schema version ${String(version)}; this bybit-vault understands version 1`
        : `The state file ${path} does not match its schema: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      { hint: `Use the bybit-vault version that wrote it, or move it aside (mv ${path} ${path}.broken); steps re-check the real world.` },
    );
  }
  return parsed.data;
}

interface LockOwner {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

export interface StateLock {
  release(): Promise<void>;
}

/** Take the run lock; a lock whose process is gone is taken over, a live one is an error naming it. */
export async function acquireLock(stateDir: string, command: string): Promise<StateLock> {
  await ensurePrivateDirectory(stateDir);
  const path = join(stateDir, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(owner));
      await handle.close();
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readLockOwner(path);
      if (holder && holder.host === owner.host && isProcessAlive(holder.pid)) {
        throw new BybitVaultError('STATE_LOCKED', `Another bybit-vault run holds ${path}: \`${holder.command}\` (pid ${holder.pid}, started ${holder.startedAt})`, {
          hint: `Wait for it to finish, or stop it (kill ${holder.pid}). If it is gone, remove ${path}.`,
          exitCode: ExitCode.failed,
        });
      }
      if (holder && holder.host !== owner.host) {
        throw new BybitVaultError('STATE_LOCKED', `A bybit-vault run on ${holder.host} (pid ${holder.pid}) holds ${path}`, {
          hint: `Make sure it is finished, then remove ${path}.`,
        });
      }
      // The previous run died without releasing the lock: it is stale.
      await unlink(path).catch(() => undefined);
    }
  }
  throw new BybitVaultError('STATE_LOCKED', `Could not take the lock ${path}`, { hint: `Remove ${path} if no bybit-vault run is active.` });
}

async function readLockOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** A killed process nobody reaped (containers without an init) still answers kill(pid, 0). */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
