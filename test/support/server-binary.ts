// Finds a real Vault-compatible server binary for the integration tests, in the documented order.
import { existsSync } from 'node:fs';
import { isExecutable } from '../../src/runtime/binary.js';
import { delimiter, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServerBinary {
  path: string;
  source: 'VAULT_BIN' | 'cached OpenBao build' | 'PATH';
  version: string;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));


function versionOf(path: string): string {
  return execFileSync(path, ['version'], { encoding: 'utf8', timeout: 20_000 }).trim();
}

function onPath(name: string): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(directory, name);
    if (directory && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** VAULT_BIN, then the cached OpenBao build (built on demand when BUILD_OPENBAO=1), then bao/vault on PATH. */
export function findServerBinary(): { binary?: ServerBinary; reason: string } {
  const fromEnvironment = process.env.VAULT_BIN;
  if (fromEnvironment) {
    if (!isExecutable(fromEnvironment)) return { reason: `VAULT_BIN=${fromEnvironment} is not an executable file` };
    return { binary: { path: fromEnvironment, source: 'VAULT_BIN', version: versionOf(fromEnvironment) }, reason: '' };
  }
  const script = join(repoRoot, 'scripts', 'build-openbao.sh');
  // The script answers from its cache in milliseconds; it only builds when BUILD_OPENBAO=1 (CI does).
  const cached = cachedOpenBao(script);
  if (cached) return { binary: { path: cached, source: 'cached OpenBao build', version: versionOf(cached) }, reason: '' };
  for (const name of ['bao', 'vault']) {
    const found = onPath(name);
    if (found) return { binary: { path: found, source: 'PATH', version: versionOf(found) }, reason: '' };
  }
  return {
    reason:
      'no Vault-compatible server found: VAULT_BIN is unset, no cached OpenBao build exists and neither bao nor vault is on PATH. ' +
      'Run `bash scripts/build-openbao.sh` (needs Go) or set VAULT_BIN=/path/to/vault-or-bao.',
  };
}

function cachedOpenBao(script: string): string | undefined {
  if (!existsSync(script)) return undefined;
  try {
    const output = execFileSync('bash', [script, ...(process.env.BUILD_OPENBAO === '1' ? [] : ['--cached-only'])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', process.env.BUILD_OPENBAO === '1' ? 'inherit' : 'ignore'],
      timeout: 40 * 60_000,
    }).trim();
    return output && isExecutable(output) ? output : undefined;
  } catch {
    return undefined;
  }
}
