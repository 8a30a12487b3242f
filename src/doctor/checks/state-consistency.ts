// The state file agrees with what is real: server, token, process, .env.
import { STEP_IDS, type MigrationState } from '../../state/schema.js';
import { isProcessAlive } from '../../state/store.js';
import { VaultApiError, type HealthStatus } from '../../vault/index.js';
import { describeSource } from '../format.js';
import { combine, ok, warn, type Check, type CheckResult, type DoctorContext } from '../types.js';

export const stateConsistencyCheck: Check = {
  id: 'state.consistency',
  title: 'State file matches reality',
  dependsOn: ['state.file'],
  async run(ctx) {
    const state = ctx.state!;
    const health = await ctx.probes.health().catch(() => undefined);
    const problems = [
      ...addressProblems(ctx, state),
      ...stepProblems(state),
      ...serverProblems(state, health),
      ...(await tokenProblems(ctx, state, health)),
      ...processProblems(state),
      ...envProblems(ctx, state),
    ];
    return problems.length === 0 ? ok('the recorded steps, token and runtime match what doctor sees') : combine(problems);
  },
};

function addressProblems(ctx: DoctorContext, state: MigrationState): CheckResult[] {
  const { address } = ctx.settings;
  if (!state.vaultAddr || state.vaultAddr === address.value) return [];
  return [warn(`the state records Vault at ${state.vaultAddr}, but doctor checks ${address.value} (from the ${describeSource(address.source)})`, `run doctor with --vault-addr ${state.vaultAddr} to check the migrated server`)];
}

function stepProblems(state: MigrationState): CheckResult[] {
  const unfinished = STEP_IDS.filter((id) => ['running', 'interrupted', 'failed'].includes(state.steps[id]?.status ?? ''));
  if (unfinished.length === 0) return [];
  const list = unfinished.map((id) => `${id} ${state.steps[id]!.status}`).join(', ');
  return [warn(`unfinished migration steps: ${list}`, 'bybit-vault migrate (resumes at the first unfinished step)')];
}

function serverProblems(state: MigrationState, health: HealthStatus | undefined): CheckResult[] {
  if (!health) return [];
  if (state.steps.init?.status === 'done' && !health.initialized) {
    return [warn('the state says init is done, but the server is not initialised (another server, or its data was lost)', 'check --vault-addr and the server storage before running bybit-vault migrate again')];
  }
  if (state.steps.unseal?.status === 'done' && health.sealed) {
    return [warn('the state says unsealed, but the server is sealed now (it restarted)', 'bybit-vault unseal')];
  }
  return [];
}

async function tokenProblems(ctx: DoctorContext, state: MigrationState, health: HealthStatus | undefined): Promise<CheckResult[]> {
  const recorded = state.token?.accessor;
  if (!recorded || !health || health.sealed || !health.initialized) return [];
  const { appToken, shellToken } = ctx.settings;
  const problems: CheckResult[] = [];
  if (appToken) {
    const lookup = await ctx.probes.appTokenLookup().catch(() => undefined);
    if (lookup && lookup.accessor !== recorded) {
      problems.push(warn(`the token in .env (accessor ${lookup.accessor}) is not the one migrate created (accessor ${recorded})`, 'if the token was rotated on purpose, ignore this; otherwise bybit-vault migrate (token step)'));
    }
  }
  // Only a privileged token can look up another token by accessor.
  if (shellToken && shellToken !== appToken) {
    try {
      await ctx.client.lookupAccessor(shellToken, recorded);
    } catch (error) {
      if (error instanceof VaultApiError && error.status === 400) {
        problems.push(warn(`the token migrate created (accessor ${recorded}) no longer exists: revoked or expired`, 'bybit-vault migrate (its token step creates a new application token)'));
      }
    }
  }
  return problems;
}

function processProblems(state: MigrationState): CheckResult[] {
  const pid = state.runtime?.kind === 'binary' ? state.runtime.pid : undefined;
  if (pid === undefined || isProcessAlive(pid)) return [];
  return [warn(`the state records server process ${pid}, which is not running`, 'bybit-vault migrate --runtime binary (its deploy step starts it again), then bybit-vault unseal')];
}

function envProblems(ctx: DoctorContext, state: MigrationState): CheckResult[] {
  const values = ctx.appEnv.values;
  if (!values) return [];
  // After a rollback, an .env without VAULT_TOKEN is the expected result.
  const rolledBack = state.rollbacks.length > 0;
  if (state.steps.env?.status !== 'done' || rolledBack || values.VAULT_TOKEN) return [];
  return [
    warn(
      `the state says .env points at Vault, but ${ctx.appEnv.path} has no VAULT_TOKEN (edited, or restored by hand?)`,
      `bybit-vault migrate (its env step writes VAULT_ADDR and VAULT_TOKEN into ${ctx.appEnv.path})`,
    ),
  ];
}
