// The command-line surface through the built launcher: help, version, usage errors.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cleanEnv, cliPath, repoRoot, runCli } from '../support/cli.js';

const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('bybit-vault CLI surface', () => {
  it('--help lists every command with one line, examples and the exit codes', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['migrate', 'rollback', 'doctor', 'status', 'unseal']) expect(result.stdout).toMatch(new RegExp(`^  ${command} .+`, 'm'));
    expect(result.stdout).toMatch(/Exit codes: 0 ok, 1 failed, 2 usage or missing input, 3 doctor found warnings only, 130 interrupted/);
  });

  it.each(['migrate', 'rollback', 'doctor', 'status', 'unseal'])('%s --help shows the common options and examples', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    for (const option of ['--env-file', '--state-dir', '--vault-addr', '--json', '--no-color']) expect(result.stdout).toContain(option);
    expect(result.stdout).toMatch(/Examples:\n {2}\$ bybit-vault /);
  });

  it('--version prints the package version', async () => {
    const result = await runCli(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('an unknown command or flag exits 2 with a useful message', async () => {
    const unknown = await runCli(['migrat']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'migrat'/);
    expect(unknown.stderr).toMatch(/Did you mean migrate\?/);
    const flag = await runCli(['status', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('a missing --env-file is ours to report, not node\'s, when the launcher runs by its shebang (exit 2, not 9)', () => {
    const result = spawnSync(cliPath, ['migrate', '--runtime', 'external', '--vault-addr', 'http://127.0.0.1:9', '--env-file', '/nonexistent/.env', '--non-interactive'], {
      encoding: 'utf8',
      env: cleanEnv(),
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/\/nonexistent\/\.env does not exist/);
  });
});
