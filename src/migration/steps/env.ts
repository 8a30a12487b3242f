import { stat } from 'node:fs/promises';
import { BybitVaultError } from '../../errors.js';
import { backupEnvFile, setVariables, writeEnvFile, type EnvAssignment } from '../../env/index.js';
import { VaultApiError } from '../../vault/errors.js';
import { faultPoint } from '../../util/fault.js';
import { backupDirectory, readApplicationEnv } from '../inputs.js';
import type { MigrationContext, Step } from '../types.js';

export const envStep: Step = {
  id: 'env',
  title: "Point the application's .env at Vault",

  async check(ctx) {
    const env = await readApplicationEnv(ctx);
    const wanted = targetAssignments(ctx, env.values.VAULT_TOKEN ?? '');
    const addressesMatch = wanted.every((assignment) => assignment.key === 'VAULT_TOKEN' || env.values[assignment.key] === assignment.value);
    const token = env.values.VAULT_TOKEN;
    // A token created in this run must still be written, whatever .env holds now.
    const newTokenPending = ctx.secrets.appToken !== undefined && token !== ctx.secrets.appToken;
    if (!addressesMatch || !token || newTokenPending) return { done: false };
    try {
      const info = await ctx.vault.lookupSelf(token);
      if (info.accessor === ctx.store.state.token?.accessor) return { done: true, message: `.env already points at ${ctx.vaultAddr} with the application token` };
    } catch (error) {
      if (!(error instanceof VaultApiError)) throw error;
    }
    return { done: false };
  },

  async plan(ctx) {
    return [
      `back up ${ctx.common.envFile} byte-exact (0600) under ${backupDirectory(ctx)}`,
      `set VAULT_ADDR=${ctx.vaultAddr} and VAULT_TOKEN=<application token>${ctx.namespace ? ` and VAULT_NAMESPACE=${ctx.namespace}` : ''}; every other byte stays`,
    ];
  },

  async run(ctx) {
    const appToken = ctx.secrets.appToken;
    if (!appToken) {
      throw new BybitVaultError('APP_TOKEN_UNAVAILABLE', 'The application token of this run is not available', {
        hint: 'Run `bybit-vault migrate` again: the token step creates a fresh one.',
      });
    }
    const env = await readApplicationEnv(ctx);
    const mode = (await stat(ctx.common.envFile)).mode & 0o777;
    if ((mode & 0o200) === 0) ctx.logger.warn(`${ctx.common.envFile} is read-only (mode ${mode.toString(8)}); it is rewritten anyway and keeps that mode`);
    if ((mode & 0o044) !== 0) {
      ctx.logger.warn(`${ctx.common.envFile} (mode ${mode.toString(8)}) can be read by other users and now holds VAULT_TOKEN: \`chmod 600 ${ctx.common.envFile}\` (or 640 for the application's group)`);
    }
    const backup = await backupEnvFile(ctx.common.envFile, backupDirectory(ctx));
    const assignments = targetAssignments(ctx, appToken);
    const added = assignments.map((assignment) => assignment.key).filter((key) => !Object.hasOwn(env.values, key));
    // Recorded before .env changes, so a crash in between still leaves rollback its backup.
    await ctx.store.update((state) => {
      // The first backup holds the pre-migration values; rollback restores from it.
      state.envBackup ??= backup;
      state.envAddedKeys = [...new Set([...(state.envAddedKeys ?? []), ...added])];
    });
    faultPoint('in-step:env');
    await writeEnvFile(ctx.common.envFile, setVariables(env, assignments));
    ctx.summary.envBackup = backup;
    return `${assignments.map((assignment) => assignment.key).join(', ')} set in ${ctx.common.envFile}; backup ${backup}`;
  },
};

function targetAssignments(ctx: MigrationContext, token: string): EnvAssignment[] {
  const assignments: EnvAssignment[] = [
    { key: 'VAULT_ADDR', value: ctx.vaultAddr },
    { key: 'VAULT_TOKEN', value: token },
  ];
  // VAULT_SKIP_VERIFY is never written: it is only ever a session setting of this tool.
  if (ctx.namespace) assignments.push({ key: 'VAULT_NAMESPACE', value: ctx.namespace });
  return assignments;
}
