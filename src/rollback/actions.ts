// The optional rollback actions: revoke the application token, stop the server (its data always kept).
import { dirname } from 'node:path';
import { BybitVaultError } from '../errors.js';
import { createRuntime } from '../runtime/index.js';
import type { MigrationState } from '../state/schema.js';
import type { Logger } from '../ui/logger.js';
import type { VaultClient } from '../vault/client.js';
import { VaultApiError } from '../vault/errors.js';
import type { TokenCandidate } from './sources.js';

export type TokenStatus = 'valid' | 'already-invalid';

/** Asked before anything changes, so a wrong admin token or a server that is down stops the rollback early. */
export async function applicationTokenStatus(vault: VaultClient, admin: TokenCandidate, accessor: string): Promise<TokenStatus> {
  try {
    await vault.lookupAccessor(admin.token, accessor);
    return 'valid';
  } catch (error) {
    // Vault answers 400 "invalid accessor" for a token that expired or was revoked already.
    if (error instanceof VaultApiError && error.status === 400 && error.messages.some((message) => /invalid accessor/i.test(message))) {
      return 'already-invalid';
    }
    if (error instanceof VaultApiError && error.isPermissionDenied) {
      throw new BybitVaultError('ADMIN_TOKEN_DENIED', `--revoke-token: ${admin.label} may not look up or revoke tokens`, {
        hint: 'Use the root token (the keys file migrate wrote) or export VAULT_TOKEN=<a token allowed on auth/token/revoke-accessor>; nothing was changed.',
        cause: error,
      });
    }
    throw error;
  }
}

export async function revokeApplicationToken(vault: VaultClient, admin: TokenCandidate, accessor: string): Promise<void> {
  await vault.revokeAccessor(admin.token, accessor);
}

export interface StopOutcome {
  /** not-ours: no server bybit-vault started (external, or none recorded); it keeps running. */
  result: 'stopped' | 'already-stopped' | 'not-ours';
  message: string;
}

/** Stops the container or process migrate started; never removes volumes or the data directory. */
export async function stopServer(state: MigrationState, envFile: string, stateDir: string, vaultAddr: string, logger: Logger): Promise<StopOutcome> {
  const saved = state.runtime;
  if (!saved) return { result: 'not-ours', message: 'no server runtime is recorded in the state file: nothing to stop' };
  if (saved.kind === 'external') {
    return { result: 'not-ours', message: `the server at ${vaultAddr} is external (not started by bybit-vault): stop it where it runs` };
  }
  const runtime = createRuntime({ kind: saved.kind, projectDir: dirname(envFile), stateDir, vaultAddr, saved });
  const before = await runtime.processState();
  if (before.state === 'stopped' || before.state === 'missing') {
    return { result: 'already-stopped', message: `the server was already stopped (${before.detail}); data kept in ${runtime.storageLocation()}` };
  }
  // The runtime reports the stop itself, naming what it kept.
  await runtime.stop(logger);
  return { result: 'stopped', message: `stopped; data kept in ${runtime.storageLocation()}` };
}
