import { backupEnvFile, removeVariables, writeEnvFile } from '../../env/index.js';
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
    const keys = await plaintextKeys(ctx);
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
