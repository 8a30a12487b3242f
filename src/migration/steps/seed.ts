import { BybitVaultError } from '../../errors.js';
import { looksLikeSecret, type EnvDocument } from '../../env/index.js';
import {
  groupByPath,
  maskValue,
  planSeed,
  resolveConflicts,
  unmappedSecretCandidates,
  unresolvedConflicts,
  type ExistingSecret,
  type Mapping,
  type SeedPlan,
} from '../../mapping/index.js';
import { VaultApiError } from '../../vault/errors.js';
import { faultPoint } from '../../util/fault.js';
import { mappingFor, readApplicationEnv } from '../inputs.js';
import { readerToken, requireAdminToken } from '../session.js';
import type { MigrationContext, Step } from '../types.js';

export const seedStep: Step = {
  id: 'seed',
  title: 'Copy the secrets from .env into Vault',

  async check(ctx) {
    const env = await readApplicationEnv(ctx);
    const mapping = await mappingFor(ctx);
    const present = mapping.entries.filter((entry) => Object.hasOwn(env.values, entry.variable));
    // After cleanup the values live only in Vault (and the backup): nothing left to copy.
    if (present.length === 0 && ctx.store.state.steps.seed?.status === 'done') {
      return { done: true, message: 'already seeded; no mapped variable left in .env' };
    }
    const plan = await planWithReader(ctx, env, mapping);
    // A differing value is a decision for run(), even though the unresolved plan would write nothing.
    const settled = plan.missingRequired.length === 0 && unresolvedConflicts(plan).length === 0;
    if (settled && plan.paths.every((path) => path.action === 'unchanged')) {
      return { done: true, message: `all ${plan.paths.length} path(s) already hold the .env values` };
    }
    return { done: false };
  },

  async plan(ctx) {
    const env = await readApplicationEnv(ctx);
    const mapping = await mappingFor(ctx);
    warnAboutInput(ctx, env, mapping);
    let plan: SeedPlan;
    try {
      plan = await planWithReader(ctx, env, mapping);
    } catch (error) {
      if (!(error instanceof BybitVaultError)) throw error;
      // Before deploy there is no server to compare with: plan against an empty Vault.
      plan = planSeed(mapping, env.values, new Map());
    }
    return describePlan(plan, mapping, env);
  },

  async run(ctx) {
    const env = await readApplicationEnv(ctx);
    const mapping = await mappingFor(ctx);
    warnAboutInput(ctx, env, mapping);
    for (const entry of mapping.entries) ctx.logger.registerSecret(env.values[entry.variable]);
    const token = await requireAdminToken(ctx);
    let plan = await buildPlan(ctx, env, mapping, token);
    if (plan.missingRequired.length > 0) {
      throw new BybitVaultError('ENV_MISSING_VARIABLES', `${env.sourceName} lacks required variable(s): ${plan.missingRequired.join(', ')}`, {
        hint: 'Add them to .env, or mark them optional / remove them in a mapping file (--mapping).',
      });
    }
    plan = await decideConflicts(ctx, plan, mapping);

    const writes = plan.paths.filter((path) => path.action !== 'unchanged');
    const versions = new Map<string, number>();
    await Promise.all(
      writes.map(async (path) => {
        try {
          versions.set(path.path, await ctx.vault.kvWrite(token, mapping.mount, path.path, path.merged, path.version));
        } catch (error) {
          if (error instanceof VaultApiError && error.messages.some((message) => /check-and-set/i.test(message))) {
            throw new BybitVaultError('SEED_CAS_MISMATCH', `${mapping.mount}/${path.path} changed in Vault while seeding (check-and-set failed); nothing was overwritten`, {
              hint: 'Run `bybit-vault migrate` again: it re-reads the current version and asks about any differing value.',
            });
          }
          throw error;
        }
      }),
    );

    // A crash here leaves Vault written but the state unaware: the re-check finds the values in place.
    faultPoint('in-step:seed');
    const seeded = plan.paths.map((path) => ({
      path: path.path,
      fields: path.fields.map((field) => field.field),
      keptVaultValue: path.fields.filter((field) => field.change === 'conflict' && field.resolution === 'skip').map((field) => field.field),
      version: versions.get(path.path) ?? path.version,
      action: path.action,
    }));
    await ctx.store.update((state) => {
      // Union with earlier runs: a later run that updates one secret must not make rollback forget the others.
      const touched = new Set(seeded.map((path) => path.path));
      state.seeded = [...(state.seeded ?? []).filter((path) => !touched.has(path.path)), ...seeded.map(({ keptVaultValue: _kept, ...rest }) => rest)];
      const kept = seeded.flatMap((path) => path.keptVaultValue.map((field) => `${path.path}#${field}`));
      state.keptVaultValues = [...(state.keptVaultValues ?? []).filter((entry) => !touched.has(entry.split('#')[0]!)), ...kept];
      state.migratedKeys = [...new Set([...(state.migratedKeys ?? []), ...plan.paths.flatMap((path) => path.fields.map((field) => field.variable))])];
    });
    ctx.summary.seeded = seeded;
    const counts = { create: 0, update: 0, unchanged: 0 };
    for (const path of plan.paths) counts[path.action]++;
    return `${counts.create} created, ${counts.update} updated, ${counts.unchanged} unchanged under ${mapping.mount}/`;
  },
};

/** Plan with a token that can read (the application's is enough), asking for the admin token only when needed. */
async function planWithReader(ctx: MigrationContext, env: EnvDocument, mapping: Mapping): Promise<SeedPlan> {
  const reader = await readerToken(ctx, env.values.VAULT_TOKEN);
  if (reader) {
    try {
      return await buildPlan(ctx, env, mapping, reader);
    } catch (error) {
      if (!(error instanceof VaultApiError && error.status === 403)) throw error;
    }
  }
  return buildPlan(ctx, env, mapping, await requireAdminToken(ctx));
}

async function buildPlan(ctx: MigrationContext, env: EnvDocument, mapping: Mapping, token: string): Promise<SeedPlan> {
  const paths = [...groupByPath(mapping).keys()];
  // Independent reads: one round trip of latency instead of one per path.
  const existing = new Map<string, ExistingSecret | undefined>(
    await Promise.all(
      paths.map(async (path): Promise<[string, ExistingSecret | undefined]> => {
        const secret = await ctx.vault.kvRead(token, mapping.mount, path);
        // A soft-deleted latest version still sets the version the check-and-set must name.
        return [path, secret ? { data: secret.data, version: secret.version } : undefined];
      }),
    ),
  );
  const plan = planSeed(mapping, env.values, existing);
  // After cleanup the values live in Vault only: a variable this migration moved there is not missing.
  const migrated = new Set(ctx.store.state.migratedKeys ?? []);
  const heldByVault = (variable: string) =>
    migrated.has(variable) && mapping.entries.some((entry) => entry.variable === variable && existing.get(entry.path)?.data[entry.field] !== undefined);
  return { ...plan, missingRequired: plan.missingRequired.filter((variable) => !heldByVault(variable)) };
}

async function decideConflicts(ctx: MigrationContext, plan: SeedPlan, mapping: Mapping): Promise<SeedPlan> {
  const conflicts = unresolvedConflicts(plan);
  if (conflicts.length === 0) return plan;
  const policy = ctx.options.onConflict ?? (ctx.interactive ? undefined : 'fail');
  if (policy === 'fail') {
    throw new BybitVaultError('SEED_CONFLICT', `Vault already holds different values for ${conflicts.length} field(s); nothing was written`, {
      details: conflicts.map((conflict) => `${mapping.mount}/${conflict.path} field ${conflict.field} (from ${conflict.variable})`),
      hint: 'Choose: --on-conflict overwrite (use the .env values) or --on-conflict skip (keep what Vault has).',
    });
  }
  if (policy) return resolveConflicts(plan, () => policy);
  const decisions = new Map<string, 'overwrite' | 'skip'>();
  for (const conflict of conflicts) {
    const choice = await ctx.prompter.select(
      `${mapping.mount}/${conflict.path} field ${conflict.field} differs from ${conflict.variable} in .env`,
      [
        { value: 'skip', name: 'Keep the value in Vault' },
        { value: 'overwrite', name: 'Overwrite it with the .env value' },
        { value: 'fail', name: 'Stop the migration' },
      ],
      { flag: '--on-conflict', default: 'skip' },
    );
    if (choice === 'fail') throw new BybitVaultError('SEED_CONFLICT', 'Stopped at a conflict; nothing was written', { hint: 'Run again with --on-conflict skip|overwrite.' });
    decisions.set(`${conflict.path}#${conflict.field}`, choice);
  }
  return resolveConflicts(plan, (path, field) => decisions.get(`${path}#${field}`) ?? 'skip');
}

function warnAboutInput(ctx: MigrationContext, env: EnvDocument, mapping: Mapping): void {
  for (const warning of env.warnings) {
    if (warning.kind === 'duplicate') ctx.logger.warn(`${warning.key} is set ${warning.lines.length} times in .env (lines ${warning.lines.join(', ')}); the last one wins`);
    else if (warning.kind === 'ignored-key') ctx.logger.warn(`${warning.key} (line ${warning.lines.join(', ')}) is ignored by dotenv and is not migrated`);
    else ctx.logger.warn(`.env line(s) ${warning.lines.join(', ')} are not assignments dotenv understands (a broken multi-line value?); they are left alone`);
  }
  const candidates = unmappedSecretCandidates(mapping, env.values, looksLikeSecret);
  if (candidates.length > 0) {
    ctx.logger.warn(`these variables look like secrets but are not mapped, so they stay in .env: ${candidates.join(', ')} (add them with --mapping)`);
  }
}

function describePlan(plan: SeedPlan, mapping: Mapping, env: EnvDocument): string[] {
  const lines: string[] = [];
  for (const path of plan.paths) {
    const conflicts = path.fields.filter((field) => field.change === 'conflict' && !field.resolution).length;
    const action = conflicts > 0 ? `${conflicts} conflict(s) to decide (--on-conflict)` : path.action;
    lines.push(`${mapping.mount}/${path.path}: ${action}${path.version ? ` (now version ${path.version})` : ''}`);
    for (const field of path.fields) {
      const value = env.values[field.variable] ?? '';
      const change = field.change === 'add' ? 'add' : field.change === 'same' ? 'unchanged' : 'CONFLICT (differs in Vault)';
      lines.push(`  ${field.field} <- ${field.variable} = ${maskValue(value)}  [${change}]`);
    }
  }
  if (plan.missingRequired.length) lines.push(`missing required variables: ${plan.missingRequired.join(', ')}`);
  if (plan.missingOptional.length) lines.push(`optional variables not in .env: ${plan.missingOptional.join(', ')}`);
  return lines;
}
