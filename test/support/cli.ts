// Runs the BUILT CLI (bin/bybit-vault.js) as a user would, with a clean environment.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm, readFile, readdir, stat, copyFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = join(repoRoot, 'bin', 'bybit-vault.js');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Everything a run printed, collected for the secret scan. */
export const transcript: string[] = [];

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/** The environment a test run gets: PATH and HOME only, no VAULT_* from the developer's shell. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...extra };
}

export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--', cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      transcript.push(stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export async function makeWorkspace(prefix = 'bybit-vault-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function copyFixture(name: string, destination: string, mode = 0o640): Promise<void> {
  await copyFile(join(fixturesDir, name), destination);
  await chmod(destination, mode);
}

/** Every file under `dir`, recursively, with its bytes: for the secret scan. */
export async function readTree(dir: string): Promise<Array<{ path: string; text: string }>> {
  const files: Array<{ path: string; text: string }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await stat(path)).size > 5_000_000) continue;
    files.push({ path, text: (await readFile(path)).toString('latin1') + (await readFile(path)).toString('utf8') });
  }
  return files;
}

export async function fileMode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

/** Stop the binary-runtime server that a migration started (its pid is in the state file). */
export async function stopMigratedServer(stateDir: string): Promise<void> {
  try {
    const state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as { runtime?: { pid?: number } };
    const pid = state.runtime?.pid;
    if (!pid) return;
    process.kill(pid, 'SIGTERM');
    for (let wait = 20; wait < 20_000; wait *= 2) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
    }
    process.kill(pid, 'SIGKILL');
  } catch {
    // No state or no process: nothing to stop.
  }
}

export async function removeWorkspace(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
