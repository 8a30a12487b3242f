// What seeding would write to each KV path, computed without touching Vault.
// A plan holds secret values (existing, incoming, merged): never log or print it; show maskValue() previews.
import { groupByPath } from './policy.js';
import type { Mapping } from './types.js';

export type SeedAction = 'create' | 'update' | 'unchanged';
export type FieldChange = 'add' | 'same' | 'conflict';
export type ConflictResolution = 'overwrite' | 'skip';

/** A KV v2 secret as read from Vault: latest version's data and its version number. */
export interface ExistingSecret {
  data: Record<string, string>;
  version: number;
}

export interface SeedFieldPlan {
  field: string;
  variable: string;
  /** `conflict`: Vault already holds a different value for this field. */
  change: FieldChange;
  /** Set on conflicts by resolveConflicts(); an unresolved conflict keeps Vault's value. */
  resolution?: ConflictResolution;
}

export interface SeedPathPlan {
  path: string;
  action: SeedAction;
  /** Current version in Vault, 0 when the secret does not exist (the check-and-set value for the write). */
  version: number;
  /** What to write: Vault's data (fields outside the mapping included) plus the .env fields. */
  merged: Record<string, string>;
  fields: SeedFieldPlan[];
  /** Vault's data when planned; undefined when the secret did not exist. */
  existing: Record<string, string> | undefined;
  /** The .env values for this path's mapped fields. */
  incoming: Record<string, string>;
}

export interface SeedPlan {
  /** One entry per mapped path with at least one variable present in .env, in mapping order. */
  paths: SeedPathPlan[];
  /** Required variables absent from .env (an empty value counts as present). */
  missingRequired: string[];
  missingOptional: string[];
}

export interface SeedConflict {
  path: string;
  field: string;
  variable: string;
}

export function planSeed(
  mapping: Mapping,
  envValues: Record<string, string>,
  existing: Map<string, ExistingSecret | undefined>,
): SeedPlan {
  const paths: SeedPathPlan[] = [];
  const missingRequired: string[] = [];
  const missingOptional: string[] = [];

  for (const [path, entries] of groupByPath(mapping)) {
    const present = entries.filter((entry) => Object.hasOwn(envValues, entry.variable));
    for (const entry of entries) {
      if (present.includes(entry)) continue;
      (entry.optional ? missingOptional : missingRequired).push(entry.variable);
    }
    if (present.length === 0) continue; // nothing from .env to write here; the missing lists say why

    const current = existing.get(path);
    const existingData = current === undefined ? undefined : { ...current.data };
    const incoming = Object.fromEntries(present.map((entry) => [entry.field, envValues[entry.variable] as string]));
    const fields = present.map(
      (entry): SeedFieldPlan => ({
        field: entry.field,
        variable: entry.variable,
        change: classifyField(existingData, entry.field, incoming[entry.field] as string),
      }),
    );
    paths.push(buildPathPlan(path, current?.version ?? 0, existingData, incoming, fields));
  }
  return { paths, missingRequired, missingOptional };
}

/** Decides every conflict (`skip` keeps Vault's value) and rebuilds merged data and actions; pure. */
export function resolveConflicts(
  plan: SeedPlan,
  decide: (path: string, field: string, variable: string) => ConflictResolution,
): SeedPlan {
  return {
    ...plan,
    paths: plan.paths.map((pathPlan) => {
      const fields = pathPlan.fields.map((field) =>
        field.change === 'conflict' ? { ...field, resolution: decide(pathPlan.path, field.field, field.variable) } : field,
      );
      return buildPathPlan(pathPlan.path, pathPlan.version, pathPlan.existing, pathPlan.incoming, fields);
    }),
    missingRequired: [...plan.missingRequired],
    missingOptional: [...plan.missingOptional],
  };
}

/** Conflicts still waiting for a decision, in plan order. */
export function unresolvedConflicts(plan: SeedPlan): SeedConflict[] {
  return plan.paths.flatMap((pathPlan) =>
    pathPlan.fields
      .filter((field) => field.change === 'conflict' && field.resolution === undefined)
      .map((field) => ({ path: pathPlan.path, field: field.field, variable: field.variable })),
  );
}

function classifyField(existingData: Record<string, string> | undefined, field: string, value: string): FieldChange {
  if (existingData === undefined || !Object.hasOwn(existingData, field)) return 'add';
  return existingData[field] === value ? 'same' : 'conflict';
}

function buildPathPlan(
  path: string,
  version: number,
  existing: Record<string, string> | undefined,
  incoming: Record<string, string>,
  fields: SeedFieldPlan[],
): SeedPathPlan {
  // Until someone decides, Vault's value wins: a forgotten resolution must not overwrite a rotated secret.
  const written = fields.filter(({ change, resolution }) => change !== 'conflict' || resolution === 'overwrite');
  // fromEntries defines properties, so a field named "__proto__" stays an ordinary field.
  const merged: Record<string, string> = Object.fromEntries([
    ...Object.entries(existing ?? {}),
    ...written.map(({ field }) => [field, incoming[field] as string]),
  ]);
  const action: SeedAction =
    existing === undefined ? 'create'
    : sameData(existing, merged) ? 'unchanged'
    : 'update';
  const existingCopy = existing === undefined ? undefined : { ...existing };
  return { path, action, version, merged, fields, existing: existingCopy, incoming: { ...incoming } };
}

function sameData(left: Record<string, string>, right: Record<string, string>): boolean {
  const leftKeys = Object.keys(left);
  return (
    leftKeys.length === Object.keys(right).length &&
    leftKeys.every((key) => Object.hasOwn(right, key) && left[key] === right[key])
  );
}
