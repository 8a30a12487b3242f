// What every command receives: resolved common options, output, prompts, and the interrupt signal.
import { resolve } from 'node:path';
import { Logger } from './ui/logger.js';
import { createPrompter, type Prompter } from './ui/prompter.js';

export interface CommonOptions {
  envFile: string;
  stateDir: string;
  /** Only the --vault-addr flag; see resolveVaultAddress for the full precedence. */
  vaultAddrFlag?: string;
  json: boolean;
  color: boolean;
}

export interface CommandContext {
  common: CommonOptions;
  logger: Logger;
  prompter: Prompter;
  interactive: boolean;
  /** Aborted on Ctrl-C so long operations can stop at a safe point. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
}

export function resolveCommonOptions(options: Record<string, unknown>): CommonOptions {
  const color = options.color !== false && !process.env.NO_COLOR && process.env.FORCE_COLOR !== '0';
  return {
    envFile: resolve(String(options.envFile ?? '.env')),
    stateDir: resolve(String(options.stateDir ?? '.bybit-vault')),
    vaultAddrFlag: typeof options.vaultAddr === 'string' ? options.vaultAddr : undefined,
    json: Boolean(options.json),
    color,
  };
}

export interface ContextOptions {
  nonInteractive?: boolean;
  prompter?: Prompter;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export function createContext(common: CommonOptions, options: ContextOptions = {}): CommandContext {
  const env = options.env ?? process.env;
  const interactive = !options.nonInteractive && Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY) && env.CI !== 'true';
  const logger = new Logger({ color: common.color && Boolean(process.stderr.isTTY || env.FORCE_COLOR), json: common.json });
  return {
    common,
    logger,
    prompter: options.prompter ?? createPrompter(interactive),
    interactive: options.prompter ? true : interactive,
    signal: options.signal ?? new AbortController().signal,
    env,
  };
}

export const DEFAULT_VAULT_ADDR = 'http://127.0.0.1:8200';

export type ValueSource = 'flag' | 'environment' | 'state' | '.env' | 'default';

export interface ResolvedVaultAddress {
  address: string;
  source: ValueSource;
}

/** --vault-addr, then $VAULT_ADDR, then the address the migration saved, then the default. */
export function resolveVaultAddress(common: CommonOptions, env: NodeJS.ProcessEnv, savedAddress?: string): ResolvedVaultAddress {
  if (common.vaultAddrFlag) return { address: normalizeAddress(common.vaultAddrFlag), source: 'flag' };
  if (env.VAULT_ADDR) return { address: normalizeAddress(env.VAULT_ADDR), source: 'environment' };
  if (savedAddress) return { address: savedAddress, source: 'state' };
  return { address: DEFAULT_VAULT_ADDR, source: 'default' };
}

export function normalizeAddress(address: string): string {
  return address.trim().replace(/\/+$/, '');
}

export function tlsOptionsFromEnvironment(env: NodeJS.ProcessEnv): { caCert?: string; skipVerify: boolean; namespace?: string } {
  const skip = (env.VAULT_SKIP_VERIFY ?? '').toLowerCase();
  return {
    caCert: env.VAULT_CACERT || undefined,
    skipVerify: skip === '1' || skip === 'true' || skip === 'yes',
    namespace: env.VAULT_NAMESPACE || undefined,
  };
}
