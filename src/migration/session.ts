// Helpers shared by steps: waiting for the server, and finding the privileged token for this run.
import { BybitVaultError, MissingInputError } from '../errors.js';
import { diagnoseLog } from '../runtime/diagnose.js';
import { pollWithBackoff } from '../util/backoff.js';
import { VaultUnreachableError } from '../vault/errors.js';
import type { HealthStatus } from '../vault/types.js';
import { keysFileExists, readKeysFile } from './keys-file.js';
import type { MigrationContext } from './types.js';

/** Health, or undefined when nothing answers (refused, timeout). */
export async function probeHealth(ctx: MigrationContext): Promise<HealthStatus | undefined> {
  try {
    return await ctx.vault.health();
  } catch (error) {
    if (error instanceof VaultUnreachableError) return undefined;
    throw error;
  }
}

/**
 * Wait until the API answers, with exponential backoff; fail fast when the process died,
 * quoting the log line of a known cause and its fix.
 */
export async function waitForApi(ctx: MigrationContext, timeoutMs: number): Promise<HealthStatus> {
  let attempt = 0;
  return pollWithBackoff<HealthStatus>(
    async () => {
      attempt++;
      const health = await probeHealth(ctx);
      if (health) return { done: true, value: health };
      // Checking the process every few attempts keeps docker calls rare while the API starts.
      if (attempt % 3 === 0 || attempt === 1) {
        const process = await ctx.runtime.processState();
        if (process.state === 'stopped') throw await serverDiedError(ctx, process.detail);
      }
      ctx.progress?.update(`waiting for the server at ${ctx.vaultAddr} to answer…`);
      return { done: false, reason: 'no answer yet' };
    },
    { timeoutMs, initialDelayMs: 100, maxDelayMs: 2_000, signal: ctx.signal },
    () => new BybitVaultError('SERVER_START_TIMEOUT', `The server did not answer at ${ctx.vaultAddr} within ${Math.round(timeoutMs / 1000)} s`, {
      hint: 'Look at its log (`bybit-vault doctor` shows the last lines) and run `bybit-vault migrate` again to resume.',
    }),
  );
}

export async function serverDiedError(ctx: MigrationContext, detail: string): Promise<BybitVaultError> {
  const lines = await ctx.runtime.recentLogs(20);
  const known = diagnoseLog(lines);
  return new BybitVaultError('SERVER_DIED', `The server stopped while starting (${detail})${known ? `: ${known.explanation}` : ''}`, {
    details: known ? [`log: ${known.logLine}`] : lines.slice(-8).map((line) => `log: ${line}`),
    hint: known?.fix ?? 'Read the log lines above, fix the cause, and run `bybit-vault migrate` again to resume.',
  });
}

/** Wait until the node is active (raft elects itself leader a moment after unseal). */
export async function waitForActive(ctx: MigrationContext, timeoutMs = 60_000): Promise<void> {
  await pollWithBackoff(
    async () => {
      const health = await probeHealth(ctx);
      return health?.code === 200 ? { done: true, value: undefined } : { done: false, reason: health?.state ?? 'no answer' };
    },
    { timeoutMs, initialDelayMs: 100, maxDelayMs: 1_000, signal: ctx.signal },
    (reason) => new BybitVaultError('SERVER_NOT_ACTIVE', `The server did not become active within ${timeoutMs / 1000} s (last state: ${reason})`, {
      hint: 'Run `bybit-vault doctor` to see why.',
    }),
  );
}

/**
 * The privileged token for configure/seed/token: from this run's init, the keys file, the operator's
 * VAULT_TOKEN, or a masked prompt. Never from the application's .env.
 */
export async function requireAdminToken(ctx: MigrationContext): Promise<string> {
  const available = await availableAdminToken(ctx);
  if (available) return available;
  if (ctx.options.dryRun) {
    // A dry run never asks for secrets: it plans without reading what needs an admin token.
    throw new BybitVaultError('DRY_RUN_NO_TOKEN', 'no admin token available (a dry run does not ask for one)');
  }
  if (!ctx.interactive) {
    throw new MissingInputError('--keys-file', 'A privileged Vault token', 'Pass --keys-file with the file init wrote (it holds root_token), or export VAULT_TOKEN=<admin token>.');
  }
  const token = await ctx.prompter.secret('Vault admin/root token (input hidden)', {
    flag: '--keys-file',
    validate: (value) => (value.trim().length > 0 ? true : 'a token is required'),
  });
  return remember(ctx, token.trim());
}

/** The admin token when it is at hand without asking: this run's init, the keys file, or $VAULT_TOKEN. */
export async function availableAdminToken(ctx: MigrationContext): Promise<string | undefined> {
  if (ctx.secrets.rootToken) return ctx.secrets.rootToken;
  const keysFile = ctx.options.keysFile ?? ctx.store.state.keysFile;
  if (keysFile && (await keysFileExists(keysFile))) {
    const content = await readKeysFile(keysFile);
    if (content.rootToken) return remember(ctx, content.rootToken);
  }
  if (ctx.env.VAULT_TOKEN) return remember(ctx, ctx.env.VAULT_TOKEN);
  return undefined;
}

/**
 * A token that may READ the mapped secrets, for "already done?" checks: the admin token when at hand,
 * else the application's token from .env (its policy reads exactly the mapped paths). Never prompts.
 */
export async function readerToken(ctx: MigrationContext, appToken: string | undefined): Promise<string | undefined> {
  const admin = await availableAdminToken(ctx);
  if (admin) return admin;
  if (appToken) ctx.logger.registerSecret(appToken);
  return appToken;
}

function remember(ctx: MigrationContext, token: string): string {
  ctx.secrets.rootToken = token;
  ctx.logger.registerSecret(token);
  return token;
}
