// `bybit-vault migrate`: the guided, resumable migration from .env to Vault.
import { resolve } from 'node:path';
import { z } from 'zod';
import { ExitCode, UsageError } from '../errors.js';
import type { CommonOptions } from '../context.js';
import { acquireLock, readState } from '../state/store.js';
import type { MigrationState } from '../state/schema.js';
import { createMigrationContext } from '../migration/context.js';
import { runSteps } from '../migration/runner.js';
import { checkInputs } from '../migration/preflight.js';
import { MIGRATION_STEPS } from '../migration/steps/index.js';
import type { MigrationContext, MigrationOptions } from '../migration/types.js';
import { installInterruptHandler } from '../ui/interrupt.js';

const positiveInteger = (flag: string) =>
  z.coerce.number({ error: `${flag} must be a number` }).int(`${flag} must be a whole number`).positive(`${flag} must be positive`);

const optionsSchema = z.object({
  runtime: z.enum(['docker', 'binary', 'external']).optional(),
  vaultBin: z.string().optional(),
  image: z.string().optional(),
  keyShares: positiveInteger('--key-shares').default(5),
  keyThreshold: positiveInteger('--key-threshold').default(3),
  pgpKeys: z.string().optional(),
  keysFile: z.string().optional(),
  mapping: z.string().optional(),
  tokenTtl: z.string().regex(/^\d+(s|m|h)?$/, '--token-ttl must be a duration such as 720h, 30m or 3600s').default('720h'),
  onConflict: z.enum(['skip', 'overwrite', 'fail']).optional(),
  removePlaintext: z.boolean().default(false),
  upgradeKv: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  yes: z.boolean().default(false),
  nonInteractive: z.boolean().default(false),
});

/** Flags first, then what the saved migration used, then the defaults. */
export function parseMigrateOptions(raw: Record<string, unknown>, saved?: MigrationState): MigrationOptions {
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '), { hint: 'Run `bybit-vault migrate --help`.' });
  }
  const options = parsed.data;
  return {
    runtime: options.runtime ?? saved?.runtime?.kind ?? 'docker',
    vaultBin: options.vaultBin ? resolve(options.vaultBin) : undefined,
    image: options.image,
    keyShares: options.keyShares,
    keyThreshold: options.keyThreshold,
    pgpKeyFiles: options.pgpKeys ? options.pgpKeys.split(',').map((file) => resolve(file.trim())).filter(Boolean) : [],
    keysFile: options.keysFile ? resolve(options.keysFile) : undefined,
    mappingFile: options.mapping ? resolve(options.mapping) : undefined,
    tokenTtl: options.tokenTtl,
    onConflict: options.onConflict,
    removePlaintext: options.removePlaintext,
    upgradeKv: options.upgradeKv,
    dryRun: options.dryRun,
    nonInteractive: options.nonInteractive || options.yes,
  };
}

export async function run(rawOptions: Record<string, unknown>, common: CommonOptions): Promise<number> {
  const options = parseMigrateOptions(rawOptions, await readState(common.stateDir));
  const interrupt = installInterruptHandler();
  try {
    const ctx = await createMigrationContext(common, options, { signal: interrupt.signal });
    return await runMigrate(ctx);
  } finally {
    interrupt.dispose();
  }
}

export async function runMigrate(ctx: MigrationContext): Promise<number> {
  const lock = ctx.options.dryRun ? undefined : await acquireLock(ctx.store.stateDir, 'bybit-vault migrate');
  try {
    await checkInputs(ctx);
    if (!ctx.options.dryRun) {
      await ctx.store.update((state) => {
        state.envFile = ctx.common.envFile;
        state.vaultAddr = ctx.vaultAddr;
        if (ctx.namespace) state.namespace = ctx.namespace;
        if (ctx.options.keysFile) state.keysFile = ctx.options.keysFile;
        if (ctx.options.mappingFile) state.mappingFile = ctx.options.mappingFile;
        if (!state.runtime || state.runtime.kind !== ctx.options.runtime) state.runtime = ctx.runtime.info();
      });
    }
    ctx.logger.heading(`bybit-vault migrate${ctx.options.dryRun ? ' --dry-run (nothing will change)' : ''}: ${ctx.vaultAddr} (${ctx.options.runtime} runtime)`);
    const result = await runSteps(ctx, MIGRATION_STEPS);
    if (ctx.options.dryRun) ctx.logger.info('Dry run: nothing was changed.');
    else ctx.logger.success('Migration steps complete.');
    if (ctx.common.json) {
      ctx.logger.printJson({
        ok: true,
        dryRun: ctx.options.dryRun,
        vaultAddr: ctx.vaultAddr,
        runtime: ctx.options.runtime,
        steps: result.steps,
        ...ctx.summary,
      });
    }
    return ExitCode.ok;
  } finally {
    await lock?.release();
  }
}
