// `bybit-vault unseal`: the unseal step on its own (a restarted server comes back sealed).
import { resolve } from 'node:path';
import { ExitCode } from '../errors.js';
import type { CommonOptions } from '../context.js';
import { createMigrationContext } from '../migration/context.js';
import { unsealServer } from '../migration/steps/unseal.js';
import type { MigrationContext } from '../migration/types.js';
import { StateStore } from '../state/store.js';
import { startProgress } from '../ui/spinner.js';
import { installInterruptHandler } from '../ui/interrupt.js';

export async function run(options: Record<string, unknown>, common: CommonOptions): Promise<number> {
  const interrupt = installInterruptHandler();
  try {
    const saved = (await StateStore.open(common.stateDir)).state;
    const ctx = await createMigrationContext(
      common,
      {
        runtime: saved.runtime?.kind ?? 'external',
        keyShares: saved.init?.shares ?? 5,
        keyThreshold: saved.init?.threshold ?? 3,
        pgpKeyFiles: [],
        keysFile: typeof options.keysFile === 'string' ? resolve(options.keysFile) : undefined,
        tokenTtl: '720h',
        removePlaintext: false,
        upgradeKv: false,
        dryRun: false,
        nonInteractive: Boolean(options.nonInteractive),
      },
      { signal: interrupt.signal },
    );
    return await runUnseal(ctx);
  } finally {
    interrupt.dispose();
  }
}

export async function runUnseal(ctx: MigrationContext): Promise<number> {
  const before = await ctx.vault.sealStatus();
  if (!before.initialized) {
    ctx.logger.error(`Vault at ${ctx.vaultAddr} is not initialised yet`);
    ctx.logger.hint('Run `bybit-vault migrate` (step init).');
    if (ctx.common.json) ctx.logger.printJson({ ok: false, sealed: true, initialized: false });
    return ExitCode.failed;
  }
  if (!before.sealed) {
    ctx.logger.success(`Vault at ${ctx.vaultAddr} is already unsealed`);
  } else {
    ctx.progress = await startProgress(ctx.logger, `Unsealing ${ctx.vaultAddr} (threshold ${before.threshold})`);
    try {
      await unsealServer(ctx);
      ctx.progress.succeed(`Vault at ${ctx.vaultAddr} is unsealed`);
    } catch (error) {
      ctx.progress.fail('Unseal failed');
      throw error;
    } finally {
      ctx.progress = undefined;
    }
    if (ctx.store.state.steps.unseal) await ctx.store.setStep('unseal', { status: 'done', finishedAt: new Date().toISOString(), message: 'unsealed' });
  }
  if (ctx.common.json) ctx.logger.printJson({ ok: true, sealed: false, vaultAddr: ctx.vaultAddr });
  return ExitCode.ok;
}
