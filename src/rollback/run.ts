// `bybit-vault rollback`: gather the values (IO), plan (pure), show, confirm, then apply and record.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveVaultAddress, tlsOptionsFromEnvironment, type CommandContext } from '../context.js';
import { backupEnvFile, readEnvFile, writeEnvFile, type EnvDocument } from '../env/index.js';
import { BybitVaultError, ExitCode, InterruptedError, MissingInputError, UsageError } from '../errors.js';
import { loadMapping, type Mapping } from '../mapping/index.js';
import type { MigrationState, RollbackRecord, StepId } from '../state/schema.js';
import { acquireLock, readState, StateStore } from '../state/store.js';
import { VaultClient } from '../vault/client.js';
import { applicationTokenStatus, revokeApplicationToken, stopServer, type TokenStatus } from './actions.js';
import { planRollback, type RollbackPlan } from './plan.js';
import { renderNextSteps, renderPlan } from './report.js';
import { findAdminToken, loadMigrationBackup, readMigratedValues, readTokenCandidates, type BackupLookup, type TokenCandidate, type VaultLookup } from './sources.js';

export interface RollbackOptions {
  fromVault: boolean;
  revokeToken: boolean;
  stopVault: boolean;
  dryRun: boolean;
  /** Skip the confirmation. */
  yes: boolean;
  /** Where the root token is, when not the keys file migrate recorded. */
  keysFile?: string;
}

export interface RollbackResult {
  ok: boolean;
  dryRun: boolean;
  source: 'backup' | 'vault';
  restored: string[];
  removed: string[];
  unchanged: string[];
  backupOfCurrent: string | null;
  tokenRevoked: boolean;
  vaultStopped: boolean;
}

/** Steps whose work rollback undoes: migrate redoes them (with a fresh pre-migration backup). */
const UNDONE_STEPS: StepId[] = ['env', 'verify', 'cleanup'];

interface Session {
  ctx: CommandContext;
  options: RollbackOptions;
  store: StateStore;
  current: EnvDocument;
  backup: BackupLookup;
  vault: VaultClient;
  admin?: TokenCandidate;
  adminProblem?: string;
  /** Shown under the plan's heading (keys and reasons only). */
  warnings: string[];
}

interface TokenRevocation {
  admin: TokenCandidate;
  accessor: string;
  status: TokenStatus;
}

export async function runRollback(ctx: CommandContext, options: RollbackOptions): Promise<number> {
  const { stateDir } = ctx.common;
  if (!(await readState(stateDir))) {
    throw new BybitVaultError('NO_MIGRATION', `No migration is recorded in ${stateDir}: there is nothing to roll back`, {
      hint: 'Pass --state-dir with the directory migrate used (default .bybit-vault beside the application).',
    });
  }
  // A dry run changes nothing, so it neither waits for nor blocks a running migrate.
  const lock = options.dryRun ? undefined : await acquireLock(stateDir, 'bybit-vault rollback');
  try {
    return await rollback(await openSession(ctx, options, await StateStore.open(stateDir)));
  } finally {
    await lock?.release();
  }
}

async function openSession(ctx: CommandContext, options: RollbackOptions, store: StateStore): Promise<Session> {
  const { state } = store;
  const { envFile } = ctx.common;
  if (state.envFile && state.envFile !== envFile) {
    throw new UsageError(`The migration in ${ctx.common.stateDir} was made for ${state.envFile}, not ${envFile}`, {
      hint: `Pass --env-file ${state.envFile} (or the --state-dir of this file's migration).`,
    });
  }
  const current = await readEnvFile(envFile);
  const backup = await loadMigrationBackup(state.envBackup);
  // Defence in depth: the values being moved and the token never reach output, even by mistake.
  for (const document of [current, backup.document]) {
    for (const key of [...(state.migratedKeys ?? []), 'VAULT_TOKEN']) ctx.logger.registerSecret(document?.values[key]);
  }
  const { admin, problem: adminProblem } = await findAdminToken(state, ctx.env, options.keysFile);
  ctx.logger.registerSecret(admin?.token);
  const { address } = resolveVaultAddress(ctx.common, ctx.env, state.vaultAddr ?? current.values.VAULT_ADDR);
  const tls = tlsOptionsFromEnvironment(ctx.env);
  const namespace = tls.namespace ?? state.namespace ?? (current.values.VAULT_NAMESPACE || undefined);
  const vault = new VaultClient({ address, namespace, caCert: tls.caCert, skipVerify: tls.skipVerify });
  return { ctx, options, store, current, backup, vault, admin, adminProblem, warnings: [] };
}

async function rollback(session: Session): Promise<number> {
  const { ctx, options, store } = session;
  const { logger } = ctx;
  const plan = await planWithValues(session);
  const revocation = options.revokeToken ? await prepareRevocation(session) : undefined;
  const tokenToRevoke = revocation?.status === 'valid' ? revocation : undefined;
  // A token that already expired or was revoked counts as revoked: it no longer opens Vault either way.
  const tokenAlreadyInvalid = revocation?.status === 'already-invalid';

  renderPlan(logger, plan, {
    envFile: ctx.common.envFile,
    dryRun: options.dryRun,
    sourceLabel: sourceLabel(session),
    backupProblem: session.backup.problem,
    warnings: session.warnings,
    actions: { revokeAccessor: tokenToRevoke?.accessor, stopServer: options.stopVault },
  });
  if (tokenAlreadyInvalid) logger.info(`the application token (accessor ${revocation.accessor}) is already invalid: nothing to revoke`);

  const result: RollbackResult = {
    ok: true,
    dryRun: options.dryRun,
    source: options.fromVault ? 'vault' : 'backup',
    restored: plan.restored,
    removed: plan.removed,
    unchanged: plan.unchanged,
    backupOfCurrent: null,
    tokenRevoked: false,
    vaultStopped: false,
  };
  if (!plan.content && !tokenToRevoke && !options.stopVault && !hasMigrationTraces(store.state)) {
    logger.success(`Nothing to roll back: ${ctx.common.envFile} already holds every migrated variable and no line migrate added.`);
    return finish(ctx, { ...result, tokenRevoked: tokenAlreadyInvalid });
  }
  if (options.dryRun) {
    logger.info('Dry run: nothing was changed.');
    return finish(ctx, result);
  }
  if (!options.yes) {
    if (!ctx.interactive) {
      throw new MissingInputError('--yes', 'A confirmation of the rollback shown above', 'Re-run with --yes to roll back without a question, or with --dry-run to only look.');
    }
    const confirmed = await ctx.prompter.confirm(`Roll back ${ctx.common.envFile} as shown above?`, { flag: '--yes', default: false });
    if (!confirmed) {
      logger.warn('Rollback cancelled: nothing was changed.');
      return finish(ctx, { ...result, ok: false }, ExitCode.failed);
    }
  }
  if (ctx.signal.aborted) throw new InterruptedError('Interrupted before the rollback changed anything');

  result.backupOfCurrent = plan.content ? await writeRestoredEnv(session, plan.content) : null;
  result.tokenRevoked = tokenAlreadyInvalid;
  const at = new Date().toISOString();
  await store.update((state) => {
    const record: RollbackRecord = {
      at,
      source: result.source,
      restoredKeys: plan.restored,
      backupOfCurrent: result.backupOfCurrent ?? undefined,
      tokenRevoked: result.tokenRevoked,
      vaultStopped: false,
    };
    state.rollbacks.push(record);
    forgetMigrationOfEnv(state, at);
  });
  if (plan.content) {
    logger.success(
      `${ctx.common.envFile} rolled back: ${plan.restored.length} restored, ${plan.removed.length} removed, ${plan.unchanged.length} unchanged (previous content saved to ${result.backupOfCurrent})`,
    );
  } else {
    logger.success(`${ctx.common.envFile} needed no change; the state file no longer counts it as migrated`);
  }

  if (tokenToRevoke) {
    await revoke(session, tokenToRevoke);
    result.tokenRevoked = true;
  }
  if (options.stopVault) result.vaultStopped = await stop(session);

  renderNextSteps(logger, { tokenRevoked: result.tokenRevoked, vaultStopped: result.vaultStopped, accessor: store.state.token?.accessor });
  return finish(ctx, result);
}

function sourceLabel(session: Session): string {
  if (session.options.fromVault) return `Vault at ${session.vault.address}`;
  if (session.backup.document) return `the pre-migration backup ${session.backup.document.sourceName}`;
  return `Vault at ${session.vault.address} (no pre-migration backup)`;
}

/** Values from .env and the backup first (or Vault first with --from-vault); Vault fills what the backup lacks. */
async function planWithValues(session: Session): Promise<RollbackPlan> {
  const { ctx, options, store, current, backup } = session;
  const migratedKeys = store.state.migratedKeys ?? [];
  const input = {
    current,
    backup: backup.document,
    preferVault: options.fromVault,
    migratedKeys,
    addedClientKeys: store.state.envAddedKeys ?? [],
    // The env step writes VAULT_ADDR and VAULT_TOKEN always, VAULT_NAMESPACE when a namespace is in use.
    writtenClientKeys: ['VAULT_ADDR', 'VAULT_TOKEN', ...(store.state.namespace ? ['VAULT_NAMESPACE'] : [])],
  };

  let vaultLookup: VaultLookup | undefined;
  if (options.fromVault) {
    vaultLookup = await readFromVault(session, migratedKeys);
    if (vaultLookup.unavailable) {
      throw new BybitVaultError('ROLLBACK_VAULT_UNAVAILABLE', `--from-vault: the values cannot be read from Vault at ${session.vault.address}; nothing was changed`, {
        details: vaultLookup.problems,
        hint: 'Start or unseal Vault (`bybit-vault doctor` says which), or run without --from-vault to restore the values from the pre-migration backup.',
      });
    }
    const notInVault = migratedKeys.filter((key) => !Object.hasOwn(vaultLookup!.values, key));
    if (notInVault.length > 0) session.warnings.push(`not in Vault: ${notInVault.join(', ')}; their line in .env or the backup is used instead`);
    session.warnings.push(...vaultLookup.problems);
  }

  let plan = planRollback({ ...input, vaultValues: vaultLookup?.values });
  if (plan.missing.length > 0 && !options.fromVault) {
    vaultLookup = await readFromVault(session, plan.missing);
    plan = planRollback({ ...input, vaultValues: vaultLookup.values });
  }
  if (!options.fromVault) await warnAboutKeptVaultValues(session, plan);
  if (plan.missing.length > 0) {
    throw new BybitVaultError(
      'ROLLBACK_VALUES_MISSING',
      `Cannot restore ${plan.missing.join(', ')}: not in .env, and neither the backup nor Vault can supply them; nothing was changed`,
      {
        details: [
          `backup: ${backup.problem ?? 'it does not hold these variables'}`,
          ...(vaultLookup?.problems.length ? vaultLookup.problems : ['the mapped fields hold no value']).map((problem) => `vault: ${problem}`),
        ],
        hint: `Start and unseal Vault so the values can be read (\`bybit-vault doctor\` says what is wrong), then run \`bybit-vault rollback\` again. Earlier .env backups are in ${join(ctx.common.stateDir, 'backups')}.`,
      },
    );
  }
  return plan;
}

async function readFromVault(session: Session, keys: string[]): Promise<VaultLookup> {
  const { ctx, current, admin } = session;
  const recorded = await loadRecordedMapping(session);
  if (!recorded.mapping) return { values: {}, problems: [recorded.problem], unavailable: true };
  const lookup = await readMigratedValues(session.vault, recorded.mapping, keys, readTokenCandidates(current, admin));
  for (const value of Object.values(lookup.values)) ctx.logger.registerSecret(value);
  return lookup;
}

/** The mapping migrate used: it says where in Vault each variable went. */
async function loadRecordedMapping(session: Session): Promise<{ mapping: Mapping; problem?: undefined } | { mapping?: undefined; problem: string }> {
  const file = session.store.state.mappingFile;
  try {
    return { mapping: await loadMapping(file) };
  } catch (error) {
    return { problem: `the mapping file ${file} cannot be loaded: ${(error as Error).message}` };
  }
}

/** Where migrate kept Vault's differing value, the backup holds the older one: say so, --from-vault has the newer. */
async function warnAboutKeptVaultValues(session: Session, plan: RollbackPlan): Promise<void> {
  const kept = new Set(session.store.state.keptVaultValues ?? []);
  if (kept.size === 0) return;
  const { mapping } = await loadRecordedMapping(session);
  const fromBackup = new Set(plan.migrated.filter((decision) => decision.action === 'restore' && decision.origin === 'backup').map((decision) => decision.key));
  const keys = (mapping?.entries ?? []).filter((entry) => kept.has(`${entry.path}#${entry.field}`) && fromBackup.has(entry.variable)).map((entry) => entry.variable);
  if (keys.length > 0) {
    session.warnings.push(`${keys.join(', ')}: migrate kept Vault's value, which differed from .env; the backup's older value is restored (--from-vault restores Vault's)`);
  }
}

/** Checked before anything changes: the admin token exists and Vault answers about the application token. */
async function prepareRevocation(session: Session): Promise<TokenRevocation | undefined> {
  const accessor = session.store.state.token?.accessor;
  if (!accessor) {
    session.warnings.push('--revoke-token: the state file records no application token; nothing to revoke');
    return undefined;
  }
  if (!session.admin) {
    throw new BybitVaultError('ADMIN_TOKEN_MISSING', `--revoke-token needs an admin token to revoke the application token (accessor ${accessor}): ${session.adminProblem}`, {
      hint: 'Keep the keys file migrate wrote (its root_token is used) or export VAULT_TOKEN=<admin token>, then run the rollback again; nothing was changed.',
      exitCode: ExitCode.usage,
    });
  }
  return { admin: session.admin, accessor, status: await applicationTokenStatus(session.vault, session.admin, accessor) };
}

/** Backs up the file as it is now, then replaces it atomically; refuses if it changed since it was planned. */
async function writeRestoredEnv(session: Session, content: Buffer): Promise<string> {
  const { envFile, stateDir } = session.ctx.common;
  if (!(await readFile(envFile)).equals(session.current.bytes)) {
    throw new BybitVaultError('ENV_CHANGED_DURING_ROLLBACK', `${envFile} changed while the rollback was being prepared; nothing was written`, {
      hint: 'Run `bybit-vault rollback` again: it plans from the file as it is now.',
    });
  }
  const backupOfCurrent = await backupEnvFile(envFile, join(stateDir, 'backups'));
  await writeEnvFile(envFile, content);
  if (!(await readFile(envFile)).equals(content)) {
    throw new BybitVaultError('ROLLBACK_WRITE_MISMATCH', `${envFile} does not hold the content that was written`, {
      hint: `Copy ${backupOfCurrent} back to ${envFile} if the application cannot start, and check the disk.`,
    });
  }
  return backupOfCurrent;
}

async function revoke(session: Session, revocation: TokenRevocation): Promise<void> {
  try {
    await revokeApplicationToken(session.vault, revocation.admin, revocation.accessor);
  } catch (error) {
    throw new BybitVaultError('TOKEN_REVOKE_FAILED', `.env was rolled back, but revoking the application token (accessor ${revocation.accessor}) failed: ${(error as Error).message}`, {
      hint: 'Revoke it once Vault answers: `bybit-vault rollback --revoke-token --yes`, or `vault token revoke -accessor <accessor>`.',
      cause: error,
    });
  }
  await session.store.update((state) => {
    state.rollbacks.at(-1)!.tokenRevoked = true;
    state.steps.token = { ...state.steps.token, status: 'pending', message: 'the application token was revoked by rollback' };
  });
  session.ctx.logger.success(`revoked the application token (accessor ${revocation.accessor})`);
}

async function stop(session: Session): Promise<boolean> {
  const { ctx, store } = session;
  let outcome;
  try {
    outcome = await stopServer(store.state, ctx.common.envFile, ctx.common.stateDir, session.vault.address, ctx.logger);
  } catch (error) {
    throw new BybitVaultError('SERVER_STOP_FAILED', `.env was rolled back, but the server could not be stopped: ${(error as Error).message}`, {
      hint: error instanceof BybitVaultError && error.hint ? error.hint : 'Stop it by hand (its data must be kept), or run `bybit-vault rollback --stop-vault --yes` again.',
      cause: error,
    });
  }
  if (outcome.result === 'not-ours') {
    ctx.logger.warn(`--stop-vault: ${outcome.message}`);
    return false;
  }
  await store.update((state) => {
    state.rollbacks.at(-1)!.vaultStopped = true;
    // A restarted server comes back sealed: migrate must deploy and unseal again.
    for (const id of ['deploy', 'unseal'] as const) state.steps[id] = { ...state.steps[id], status: 'pending', message: 'the server was stopped by rollback' };
  });
  if (outcome.result === 'already-stopped') ctx.logger.info(outcome.message);
  return true;
}

function hasMigrationTraces(state: MigrationState): boolean {
  return Boolean(state.envBackup || state.envAddedKeys?.length || state.removedPlaintextKeys?.length) || UNDONE_STEPS.some((id) => (state.steps[id]?.status ?? 'pending') !== 'pending');
}

/** Lets a later migrate start over: it makes a new pre-migration backup. The old backup files stay on disk. */
function forgetMigrationOfEnv(state: MigrationState, at: string): void {
  delete state.envBackup;
  delete state.envAddedKeys;
  delete state.removedPlaintextKeys;
  for (const id of UNDONE_STEPS) state.steps[id] = { status: 'pending', message: `rolled back at ${at}` };
}

function finish(ctx: CommandContext, result: RollbackResult, exitCode: number = ExitCode.ok): number {
  if (ctx.common.json) ctx.logger.printJson(result);
  return exitCode;
}
