#!/usr/bin/env node
// Benchmark (not a test): CLI start-up time, and one full migration against a real server when one is available.
// Usage: npm run bench            (VAULT_BIN=/path/to/bao for the migration part; otherwise the cached OpenBao build)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, copyFileSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'bybit-vault.js');
const runs = Number(process.env.BENCH_RUNS ?? 15);

function time(args, options = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', ...options });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: result.status };
}

function summary(label, samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`${label.padEnd(34)} median ${median.toFixed(1)} ms   min ${sorted[0].toFixed(1)} ms   max ${sorted.at(-1).toFixed(1)} ms   (${samples.length} runs)`);
}

const work = mkdtempSync(join(tmpdir(), 'bybit-vault-bench-'));
try {
  for (const [label, args] of [
    ['bybit-vault --version', ['--version']],
    ['bybit-vault --help', ['--help']],
    ['bybit-vault status (no state, no server)', ['status', '--state-dir', join(work, 's'), '--vault-addr', 'http://127.0.0.1:9']],
  ]) {
    summary(label, Array.from({ length: runs }, () => time(args, { cwd: work }).ms));
  }

  let bin = process.env.VAULT_BIN;
  if (!bin) {
    try {
      bin = execFileSync('bash', [join(root, 'scripts', 'build-openbao.sh'), '--cached-only'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      bin = undefined;
    }
  }
  if (!bin) {
    console.log('migration benchmark skipped: set VAULT_BIN or run scripts/build-openbao.sh');
  } else {
    const port = await new Promise((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address();
        server.close(() => resolve(free));
      });
    });
    copyFileSync(join(root, 'test', 'fixtures', 'bybit-app.env'), join(work, '.env'));
    const args = ['migrate', '--runtime', 'binary', '--vault-bin', bin, '--vault-addr', `http://127.0.0.1:${port}`, '--non-interactive', '--keys-file', join(work, 'keys.json'), '--remove-plaintext'];
    const full = time(args, { cwd: work });
    console.log(`${'full migrate (fresh server, 9 steps)'.padEnd(34)} ${full.ms.toFixed(0)} ms (exit ${full.status})`);
    summary('migrate again (no-op re-check)', Array.from({ length: 5 }, () => time(args, { cwd: work }).ms));
    const state = JSON.parse(readFileSync(join(work, '.bybit-vault', 'state.json'), 'utf8'));
    if (state.runtime?.pid) process.kill(state.runtime.pid, 'SIGTERM');
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
