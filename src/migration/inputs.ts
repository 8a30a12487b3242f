// Inputs the later steps share, loaded once per run: the mapping and the application's .env.
import { join } from 'node:path';
import { readEnvFile, type EnvDocument } from '../env/index.js';
import { loadMapping, type Mapping } from '../mapping/index.js';
import type { MigrationContext } from './types.js';

const mappingCache = new WeakMap<MigrationContext, Promise<Mapping>>();

export function mappingFor(ctx: MigrationContext): Promise<Mapping> {
  let mapping = mappingCache.get(ctx);
  if (!mapping) {
    mapping = loadMapping(ctx.options.mappingFile ?? ctx.store.state.mappingFile);
    mappingCache.set(ctx, mapping);
  }
  return mapping;
}

/** Read .env fresh each time: a step may have rewritten it. */
export function readApplicationEnv(ctx: MigrationContext): Promise<EnvDocument> {
  return readEnvFile(ctx.common.envFile);
}

export function backupDirectory(ctx: MigrationContext): string {
  return join(ctx.store.stateDir, 'backups');
}

/** The values the migration started from: the pre-migration backup when there is one, else .env now. */
export async function sourceValues(ctx: MigrationContext): Promise<Record<string, string>> {
  const backup = ctx.store.state.envBackup;
  if (backup) {
    try {
      return { ...(await readEnvFile(backup)).values, ...(await readApplicationEnv(ctx)).values };
    } catch {
      // A missing backup falls back to .env; verify then reports any value it cannot compare.
    }
  }
  return (await readApplicationEnv(ctx)).values;
}
