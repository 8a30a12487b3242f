// The state file's versioned schema. It holds progress and non-secret facts only: never values, keys or tokens.
import { z } from 'zod';

export const STEP_IDS = ['deploy', 'init', 'unseal', 'configure', 'seed', 'token', 'env', 'verify', 'cleanup'] as const;
export type StepId = (typeof STEP_IDS)[number];

export const stepStatusSchema = z.enum(['pending', 'running', 'done', 'skipped', 'failed', 'interrupted']);
export type StepStatus = z.infer<typeof stepStatusSchema>;

const stepRecordSchema = z.object({
  status: stepStatusSchema,
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** A one-line, non-secret summary (what was done, or why it failed). */
  message: z.string().optional(),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

const runtimeInfoSchema = z.object({
  kind: z.enum(['docker', 'binary', 'external']),
  pid: z.number().int().optional(),
  serverBin: z.string().optional(),
  configPath: z.string().optional(),
  logPath: z.string().optional(),
  dataDir: z.string().optional(),
  composeFile: z.string().optional(),
  image: z.string().optional(),
});

const seededPathSchema = z.object({
  path: z.string(),
  fields: z.array(z.string()),
  version: z.number().int(),
  action: z.enum(['create', 'update', 'unchanged']),
});

const rollbackRecordSchema = z.object({
  at: z.string(),
  source: z.enum(['backup', 'vault']),
  restoredKeys: z.array(z.string()),
  backupOfCurrent: z.string().optional(),
  tokenRevoked: z.boolean().default(false),
  vaultStopped: z.boolean().default(false),
});

export const stateSchema = z.object({
  schemaVersion: z.literal(1),
  createdAt: z.string(),
  updatedAt: z.string(),
  envFile: z.string().optional(),
  vaultAddr: z.string().optional(),
  namespace: z.string().optional(),
  runtime: runtimeInfoSchema.optional(),
  keysFile: z.string().optional(),
  init: z
    .object({ shares: z.number().int(), threshold: z.number().int(), pgp: z.boolean(), at: z.string(), byThisTool: z.boolean() })
    .optional(),
  mount: z.string().default('secret'),
  policyName: z.string().default('bybit-app'),
  mappingFile: z.string().optional(),
  audit: z.object({ enabled: z.boolean(), path: z.string().optional(), reason: z.string().optional() }).optional(),
  seeded: z.array(seededPathSchema).optional(),
  /** Fields where a conflict was resolved by keeping Vault's value (`path#field`); verify does not compare them. */
  keptVaultValues: z.array(z.string()).optional(),
  /** Variables that were moved into Vault (names only). */
  migratedKeys: z.array(z.string()).optional(),
  token: z
    .object({ accessor: z.string(), policies: z.array(z.string()), ttl: z.string(), createdAt: z.string(), displayName: z.string() })
    .optional(),
  envBackup: z.string().optional(),
  /** Which VAULT_* keys the env step added (rollback removes only these). */
  envAddedKeys: z.array(z.string()).optional(),
  removedPlaintextKeys: z.array(z.string()).optional(),
  steps: z.record(z.string(), stepRecordSchema).default({}),
  rollbacks: z.array(rollbackRecordSchema).default([]),
});

export type MigrationState = z.infer<typeof stateSchema>;
export type RuntimeInfo = z.infer<typeof runtimeInfoSchema>;
export type SeededPath = z.infer<typeof seededPathSchema>;
export type RollbackRecord = z.infer<typeof rollbackRecordSchema>;

export function emptyState(now = new Date()): MigrationState {
  const stamp = now.toISOString();
  return stateSchema.parse({ schemaVersion: 1, createdAt: stamp, updatedAt: stamp });
}
