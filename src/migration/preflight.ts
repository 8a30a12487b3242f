// Inputs checked before anything is deployed: a run must not set up a server and then stop on a typo.
import { BybitVaultError, UsageError } from '../errors.js';
import { mappingFor, readApplicationEnv } from './inputs.js';
import type { MigrationContext } from './types.js';

export async function checkInputs(ctx: MigrationContext): Promise<void> {
  let values: Record<string, string>;
  try {
    values = (await readApplicationEnv(ctx)).values;
  } catch (error) {
    if (error instanceof BybitVaultError && error.code === 'ENV_NOT_FOUND') {
      throw new UsageError(`The .env file ${ctx.common.envFile} does not exist`, { hint: 'Run bybit-vault where the application\'s .env is, or pass --env-file <path>.' });
    }
    throw error;
  }
  const mapping = await mappingFor(ctx);
  // A server we deploy ourselves holds nothing yet, so every required variable must come from .env.
  const seedPending = ctx.store.stepStatus('seed') !== 'done';
  if (seedPending && ctx.options.runtime !== 'external') {
    const missing = mapping.entries.filter((entry) => !entry.optional && !Object.hasOwn(values, entry.variable)).map((entry) => entry.variable);
    if (missing.length > 0) {
      throw new BybitVaultError('ENV_MISSING_VARIABLES', `${ctx.common.envFile} lacks required variable(s): ${missing.join(', ')}`, {
        hint: 'Add them to .env, or mark them optional / remove them in a mapping file (--mapping). Nothing was deployed.',
      });
    }
  }
}
