// `bybit-vault rollback`: the application goes back to environment variables, losing nothing.
import { resolve } from 'node:path';
import { z } from 'zod';
import { createContext, type CommonOptions } from '../context.js';
import { UsageError } from '../errors.js';
import { runRollback, type RollbackOptions } from '../rollback/index.js';
import { installInterruptHandler } from '../ui/interrupt.js';

const optionsSchema = z.object({
  fromVault: z.boolean().default(false),
  revokeToken: z.boolean().default(false),
  stopVault: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  yes: z.boolean().default(false),
  nonInteractive: z.boolean().default(false),
  keysFile: z.string().optional(),
});

export function parseRollbackOptions(raw: Record<string, unknown>): RollbackOptions & { nonInteractive: boolean } {
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('; '), { hint: 'Run `bybit-vault rollback --help`.' });
  }
  return { ...parsed.data, keysFile: parsed.data.keysFile ? resolve(parsed.data.keysFile) : undefined };
}

export async function run(rawOptions: Record<string, unknown>, common: CommonOptions): Promise<number> {
  const options = parseRollbackOptions(rawOptions);
  const interrupt = installInterruptHandler();
  try {
    const ctx = createContext(common, { nonInteractive: options.nonInteractive, signal: interrupt.signal });
    await ctx.logger.enableColors();
    return await runRollback(ctx, options);
  } finally {
    interrupt.dispose();
  }
}
