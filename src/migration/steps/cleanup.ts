import { join } from 'node:path';
import { backupEnvFile, parseEnvBuffer, readEnvFile, removeVariables, setVariables, writeEnvFile } from '../../env/index.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { backupDirectory, mappingFor, readApplicationEnv } from '../inputs.js';
import type { MigrationContext, Step } from '../types.js';

export const cleanupStep: Step = {
  id: 'cleanup',
  title: 'Remove the migrated plaintext secrets from .env',

  async check(ctx) {
    const remaining = await plaintextKeys(ctx);
    if (remaining.length === 0) return { done: true, message: 'no migrated secret left in .env' };
    return { done: false };
  },

  async plan(ctx) {
    return ctx.options.removePlaintext
      ? ['after verify passed: back up .env, then remove the migrated variables from it (--remove-plaintext)']
      : ['after verify passed: ask before removing the migrated variables from .env (kept when not confirmed)'];
  },

  async run(ctx) {
    const keys = await removableKeys(ctx, await plaintextKeys(ctx));
    if (keys.length === 0) return { skipped: true, message: 'no plaintext secret can be removed (see the warnings)' };
    const confirmed =
      ctx.options.removePlaintext ||
      (ctx.interactive &&
        (await ctx.prompter.confirm(`Remove ${keys.length} migrated secret(s) (${keys.join(', ')}) from ${ctx.common.envFile}? A byte-exact backup is kept.`, {
          flag: '--remove-plaintext',
          default: false,
        })));
    if (!confirmed) {
      ctx.logger.warn(`the plaintext secrets stay in ${ctx.common.envFile}; remove them later with \`bybit-vault migrate --remove-plaintext\``);
      return { skipped: true, message: `kept ${keys.length} plaintext secret(s) in .env (not confirmed; --remove-plaintext removes them)` };
    }
    // A fresh backup of this exact file, besides the pre-migration one: nothing is removed without a copy.
    const backup = await backupEnvFile(ctx.common.envFile, backupDirectory(ctx));
    const env = await readApplicationEnv(ctx);
    await keepRollbackSourceCurrent(ctx, env.values, keys);
    await writeEnvFile(ctx.common.envFile, removeVariables(env, keys));
    await ctx.store.update((state) => {
      state.removedPlaintextKeys = [...new Set([...(state.removedPlaintextKeys ?? []), ...keys])];
    });
    ctx.summary.removedPlaintext = keys;
    return `removed ${keys.join(', ')} from .env (backup ${backup})`;
  },
};

/** Mapped variables still present in .env; only those that were migrated. */
async function plaintextKeys(ctx: MigrationContext): Promise<string[]> {
  const [env, mapping] = await Promise.all([readApplicationEnv(ctx), mappingFor(ctx)]);
  const migrated = new Set(ctx.store.state.migratedKeys ?? mapping.entries.map((entry) => entry.variable));
  return Object.keys(env.values).filter((key) => migrated.has(key));
}

/** Never remove the only live copy: a value kept in Vault on a conflict differs from the one in .env. */
async function removableKeys(ctx: MigrationContext, keys: string[]): Promise<string[]> {
  const mapping = await mappingFor(ctx);
  const kept = new Set(ctx.store.state.keptVaultValues ?? []);
  const differing = new Set(mapping.entries.filter((entry) => kept.has(`${entry.path}#${entry.field}`)).map((entry) => entry.variable));
  const stay = keys.filter((key) => differing.has(key));
  if (stay.length > 0) {
    ctx.logger.warn(`kept in .env: ${stay.join(', ')} (Vault holds a different value, kept on a conflict; .env has the only copy of this one)`);
  }
  return keys.filter((key) => !differing.has(key));
}

/**
 * Rollback restores from the pre-migration backup. When a migrated value changed in .env since then
 * (re-migrated with --on-conflict overwrite), write a new rollback source with today's values, so a
 * rollback never brings back an outdated secret. The older backup stays on disk.
 */
async function keepRollbackSourceCurrent(ctx: MigrationContext, current: Record<string, string>, keys: string[]): Promise<void> {
  const backupPath = ctx.store.state.envBackup;
  if (!backupPath) return;
  const backup = await readEnvFile(backupPath);
  const changed = keys.filter((key) => backup.values[key] !== current[key]);
  if (changed.length === 0) return;
  const updated = parseEnvBuffer(setVariables(backup, changed.map((key) => ({ key, value: current[key]! }))), backupPath);
  const target = join(backupDirectory(ctx), `env-rollback-source-${new Date().toISOString().replace(/:/g, '')}.env`);
  await writeFileAtomic(target, updated.bytes, { mode: 0o600 });
  await ctx.store.update((state) => {
    state.envBackup = target;
  });
  ctx.logger.info(`rollback source updated for ${changed.join(', ')} (changed since the migration): ${target}`);
}
