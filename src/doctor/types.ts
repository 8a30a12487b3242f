// Doctor's vocabulary: a check is data (id, title, dependencies) plus a read-only run() that yields a verdict.
import type { CommonOptions, ValueSource } from '../context.js';
import type { Mapping } from '../mapping/index.js';
import type { ServerRuntime } from '../runtime/index.js';
import type { MigrationState } from '../state/schema.js';
import type { VaultClient } from '../vault/index.js';
import type { Probes } from './probes.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  status: CheckStatus;
  /** One line; names, paths, counts, fingerprints or accessors only, never a value or token. */
  finding: string;
  /** The exact command or change that fixes it (only when not ok). */
  fix?: string;
  /** Supporting lines, e.g. recent server log lines or one line per problem. */
  details?: string[];
}

export interface Check {
  id: string;
  title: string;
  /** Ids of checks that must pass (ok or warn) first; if one failed or was skipped, this one is skipped. */
  dependsOn?: string[];
  timeoutMs?: number;
  run(ctx: DoctorContext): Promise<CheckResult>;
}

export interface CheckOutcome extends CheckResult {
  id: string;
  title: string;
}

export interface Sourced<T> {
  value: T;
  source: ValueSource;
}

/** The application's .env: its values, or why they could not be read. */
export interface AppEnvFile {
  path: string;
  values?: Record<string, string>;
  /** Why the file could not be read (missing, unreadable, undecodable). */
  problem?: { code: string; message: string; hint?: string };
}

export interface VaultSettings {
  /** The address doctor probes: flag, environment, state, .env, default. */
  address: Sourced<string>;
  namespace?: Sourced<string>;
  /** VAULT_TOKEN of the shell doctor runs in: the operator's (possibly privileged) token. */
  shellToken?: string;
  /** VAULT_TOKEN from the application's .env. */
  appToken?: string;
  caCert?: string;
  skipVerify: boolean;
}

export interface DoctorContext {
  common: CommonOptions;
  /** The shell environment doctor runs in. */
  env: NodeJS.ProcessEnv;
  /** Absent when no migration was recorded in the state directory. */
  state?: MigrationState;
  /** Set when the state file exists but cannot be used. */
  stateProblem?: { code: string; message: string; hint?: string };
  appEnv: AppEnvFile;
  /** The mapping in use (the default table when the mapping file cannot be loaded; see mappingProblem). */
  mapping: Mapping;
  mappingSource: string;
  mappingProblem?: { message: string; hint?: string };
  policyName: string;
  settings: VaultSettings;
  /** Client for settings.address, with the shell's TLS and namespace settings. */
  client: VaultClient;
  /** A client for another address (the application's VAULT_ADDR) with the same TLS settings. */
  connect(address: string): VaultClient;
  /** Absent when the state records no runtime. */
  runtime?: ServerRuntime;
  /** Shared, memoised server calls so checks never repeat a request. */
  probes: Probes;
}

export const ok = (finding: string, details?: string[]): CheckResult => ({ status: 'ok', finding, details });
export const warn = (finding: string, fix?: string, details?: string[]): CheckResult => ({ status: 'warn', finding, fix, details });
export const fail = (finding: string, fix?: string, details?: string[]): CheckResult => ({ status: 'fail', finding, fix, details });
export const skip = (finding: string): CheckResult => ({ status: 'skip', finding });

/** Severity order for "worst wins"; a skip never outranks ok. */
const SEVERITY: Record<CheckStatus, number> = { skip: 0, ok: 1, warn: 2, fail: 3 };

export function worstStatus(statuses: CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((worst, status) => (SEVERITY[status] > SEVERITY[worst] ? status : worst), 'ok');
}

/** Several problems found by one check become one result: worst status, findings joined, distinct fixes joined. */
export function combine(problems: CheckResult[], details?: string[]): CheckResult {
  const fixes = [...new Set(problems.map((problem) => problem.fix).filter((fix): fix is string => Boolean(fix)))];
  return {
    status: worstStatus(problems.map((problem) => problem.status)),
    finding: problems.map((problem) => problem.finding).join('; '),
    fix: fixes.length > 0 ? fixes.join('; ') : undefined,
    details: [...(details ?? []), ...problems.flatMap((problem) => problem.details ?? [])],
  };
}
