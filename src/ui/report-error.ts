// The one place errors are printed and turned into an exit code.
import { BybitVaultError, ExitCode } from '../errors.js';

export function reportError(error: unknown, json = process.argv.includes('--json')): number {
  const stream = process.stderr;
  if (error instanceof BybitVaultError) {
    stream.write(`✖ ${error.message}\n`);
    for (const line of error.details) stream.write(`    ${line}\n`);
    if (error.hint) stream.write(`  → ${error.hint}\n`);
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: error.code, message: error.message, hint: error.hint ?? null } }, null, 2)}\n`);
    return error.exitCode;
  }
  // An unexpected error is a bug: show where, never the full object (it may hold request headers).
  const message = error instanceof Error ? error.message : String(error);
  stream.write(`✖ Unexpected error: ${message}\n`);
  if (process.env.BYBIT_VAULT_DEBUG && error instanceof Error && error.stack) stream.write(`${error.stack}\n`);
  stream.write('  → This is a bug in bybit-vault; re-run with BYBIT_VAULT_DEBUG=1 for the stack trace and report it.\n');
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: 'UNEXPECTED', message } }, null, 2)}\n`);
  return ExitCode.failed;
}
