// Secret mapping: which .env variable goes to which KV v2 path and field, and everything derived from it.
export type { Mapping, MappingEntry } from './types.js';
export { DEFAULT_MAPPING, DEFAULT_MOUNT, cloneMapping } from './defaults.js';
export { loadMapping, parseMapping } from './load.js';
export type { DocumentFormat } from './parse-document.js';
export { VARIABLE_NAME_PATTERN } from './rules.js';
export { generatePolicy, groupByPath, policyPaths } from './policy.js';
export { planSeed, resolveConflicts, unresolvedConflicts } from './seed-plan.js';
export type {
  ConflictResolution,
  ExistingSecret,
  FieldChange,
  SeedAction,
  SeedConflict,
  SeedFieldPlan,
  SeedPathPlan,
  SeedPlan,
} from './seed-plan.js';
export { maskValue } from './mask.js';
export { unmappedSecretCandidates } from './candidates.js';
