import type { CommandContext } from '../context.js';
import type { StateStore } from '../state/store.js';
import type { StepId } from '../state/schema.js';
import type { ServerRuntime, RuntimeKind } from '../runtime/types.js';
import type { VaultClient } from '../vault/client.js';
import type { Progress } from '../ui/spinner.js';

export type ConflictPolicy = 'skip' | 'overwrite' | 'fail';

export interface MigrationOptions {
  runtime: RuntimeKind;
  vaultBin?: string;
  image?: string;
  keyShares: number;
  keyThreshold: number;
  pgpKeyFiles: string[];
  keysFile?: string;
  mappingFile?: string;
  tokenTtl: string;
  onConflict?: ConflictPolicy;
  /** configure: upgrade an existing KV version 1 mount at the mount path to version 2 without asking. */
  upgradeKv: boolean;
  removePlaintext: boolean;
  dryRun: boolean;
  nonInteractive: boolean;
}

/** Secrets live only in memory for the length of one run: never in state, logs or output. */
export interface SessionSecrets {
  unsealKeys?: string[];
  rootToken?: string;
  appToken?: string;
}

export interface MigrationContext extends CommandContext {
  options: MigrationOptions;
  store: StateStore;
  vault: VaultClient;
  vaultAddr: string;
  namespace?: string;
  runtime: ServerRuntime;
  secrets: SessionSecrets;
  /** The spinner of the running step, for progress inside long work. */
  progress?: Progress;
  /** Facts for the --json summary, filled by the steps. Never values. */
  summary: Record<string, unknown>;
}

export interface StepSkipped {
  skipped: true;
  message: string;
}

export type CheckOutcome = { done: true; message: string } | { done: false; reason?: string };

export interface Step {
  id: StepId;
  title: string;
  /** "Already done?" answered from the real world (server, files), not only from the state file. */
  check(ctx: MigrationContext): Promise<CheckOutcome>;
  /** Do the work; returns a one-line, non-secret summary (or marks the step skipped by choice). */
  run(ctx: MigrationContext): Promise<string | StepSkipped>;
  /** --dry-run: what run() would do, as lines (values masked). */
  plan?(ctx: MigrationContext): Promise<string[]>;
  /** Steps that need the server to answer get a precise error when it does not. */
  needsServer?: boolean;
}
