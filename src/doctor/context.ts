// Gathers everything the checks need, once: options, state, the application's .env, mapping, settings, client, runtime.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { normalizeAddress, resolveVaultAddress, tlsOptionsFromEnvironment, type CommonOptions } from '../context.js';
import { readEnvFile } from '../env/index.js';
import { isBybitVaultError } from '../errors.js';
import { DEFAULT_MAPPING, cloneMapping, loadMapping, type Mapping } from '../mapping/index.js';
import { createRuntime, type RuntimeKind } from '../runtime/index.js';
import type { MigrationState } from '../state/schema.js';
import { readState } from '../state/store.js';
import { VaultClient } from '../vault/index.js';
import { createProbes } from './probes.js';
import type { AppEnvFile, DoctorContext, Sourced, VaultSettings } from './types.js';

export const DEFAULT_POLICY_NAME = 'bybit-app';
/** Per-request limit: doctor should answer quickly even when a server hangs. */
export const DOCTOR_HTTP_TIMEOUT_MS = 5_000;

export interface DoctorContextOptions {
  env?: NodeJS.ProcessEnv;
  httpTimeoutMs?: number;
}

export async function createDoctorContext(common: CommonOptions, options: DoctorContextOptions = {}): Promise<DoctorContext> {
  const env = options.env ?? process.env;
  const [stateResult, appEnv] = await Promise.all([loadState(common.stateDir), loadAppEnv(common.envFile)]);
  const state = stateResult.state;
  const mappingResult = await loadMappingFor(state);
  const settings = resolveSettings(common, env, state, appEnv.values);
  const connect = (address: string): VaultClient => createClient(address, settings, options.httpTimeoutMs ?? DOCTOR_HTTP_TIMEOUT_MS);
  const client = connect(settings.address.value);
  const projectDir = dirname(common.envFile);
  const runtimeKind = state?.runtime?.kind ?? inferRuntimeKind(projectDir);
  const runtime = runtimeKind
    ? createRuntime({ kind: runtimeKind, projectDir, stateDir: common.stateDir, vaultAddr: settings.address.value, saved: state?.runtime })
    : undefined;
  return {
    common,
    env,
    state,
    stateProblem: stateResult.problem,
    appEnv,
    mapping: mappingResult.mapping,
    mappingSource: mappingResult.source,
    mappingProblem: mappingResult.problem,
    policyName: state?.policyName ?? DEFAULT_POLICY_NAME,
    settings,
    client,
    connect,
    runtime,
    probes: createProbes({
      client,
      mount: mappingResult.mapping.mount,
      appToken: settings.appToken,
      shellToken: settings.shellToken,
      runtime,
    }),
  };
}

/** The tokens and secret-looking values doctor must never print, for the logger's last-line redaction. */
export function valuesToRedact(ctx: DoctorContext): string[] {
  const mapped = new Set(ctx.mapping.entries.map((entry) => entry.variable));
  const values = Object.entries(ctx.appEnv.values ?? {})
    .filter(([key]) => mapped.has(key))
    .map(([, value]) => value)
    // Short values ("true", "10") would mangle ordinary output words; they are never printed anyway.
    .filter((value) => value.length >= 8);
  return [ctx.settings.shellToken, ctx.settings.appToken, ...values].filter((value): value is string => Boolean(value));
}

/** Without a recorded runtime, a compose file written by migrate beside the .env still says "docker". */
function inferRuntimeKind(projectDir: string): RuntimeKind | undefined {
  return existsSync(join(projectDir, 'deployment', 'docker-compose.vault.yml')) ? 'docker' : undefined;
}

async function loadState(stateDir: string): Promise<{ state?: MigrationState; problem?: DoctorContext['stateProblem'] }> {
  try {
    return { state: await readState(stateDir) };
  } catch (error) {
    return { problem: describeProblem(error) };
  }
}

async function loadAppEnv(path: string): Promise<AppEnvFile> {
  try {
    return { path, values: (await readEnvFile(path)).values };
  } catch (error) {
    return { path, problem: describeProblem(error) };
  }
}

async function loadMappingFor(state: MigrationState | undefined): Promise<{ mapping: Mapping; source: string; problem?: DoctorContext['mappingProblem'] }> {
  const file = state?.mappingFile ? resolve(state.mappingFile) : undefined;
  const source = file ? `mapping file ${file}` : 'default mapping';
  try {
    return { mapping: await loadMapping(file), source };
  } catch (error) {
    const problem = describeProblem(error);
    return { mapping: cloneMapping(DEFAULT_MAPPING), source, problem: { message: problem.message, hint: problem.hint } };
  }
}

function resolveSettings(
  common: CommonOptions,
  env: NodeJS.ProcessEnv,
  state: MigrationState | undefined,
  appValues: Record<string, string> | undefined,
): VaultSettings {
  const tls = tlsOptionsFromEnvironment(env);
  let address: Sourced<string> = toSourced(resolveVaultAddress(common, env, state?.vaultAddr));
  // Doctor also knows the application's .env, which beats the built-in default.
  if (address.source === 'default' && appValues?.VAULT_ADDR) address = { value: normalizeAddress(appValues.VAULT_ADDR), source: '.env' };
  const namespace = firstSourced([
    [tls.namespace, 'environment'],
    [state?.namespace, 'state'],
    [appValues?.VAULT_NAMESPACE, '.env'],
  ]);
  return {
    address,
    namespace,
    shellToken: env.VAULT_TOKEN || undefined,
    appToken: appValues?.VAULT_TOKEN || undefined,
    caCert: tls.caCert,
    skipVerify: tls.skipVerify,
  };
}

function toSourced(resolved: { address: string; source: Sourced<string>['source'] }): Sourced<string> {
  return { value: resolved.address, source: resolved.source };
}

function firstSourced(candidates: Array<[string | undefined, Sourced<string>['source']]>): Sourced<string> | undefined {
  const found = candidates.find(([value]) => Boolean(value));
  return found ? { value: found[0] as string, source: found[1] } : undefined;
}

function createClient(address: string, settings: VaultSettings, timeoutMs: number): VaultClient {
  const connection = { address, namespace: settings.namespace?.value, caCert: settings.caCert, skipVerify: settings.skipVerify, timeoutMs };
  try {
    return new VaultClient(connection);
  } catch {
    // An unreadable VAULT_CACERT is the TLS check's finding; the client falls back to the system CAs.
    return new VaultClient({ ...connection, caCert: undefined });
  }
}

function describeProblem(error: unknown): { code: string; message: string; hint?: string } {
  if (isBybitVaultError(error)) return { code: error.code, message: error.message, hint: error.hint };
  const code = (error as NodeJS.ErrnoException)?.code ?? 'ERROR';
  return { code, message: error instanceof Error ? error.message : String(error) };
}
