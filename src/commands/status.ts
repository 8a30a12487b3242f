// `bybit-vault status`: every step's state from the state file, and the live server state.
import { ExitCode } from '../errors.js';
import { createContext, resolveVaultAddress, tlsOptionsFromEnvironment, type CommonOptions } from '../context.js';
import { STEP_IDS, type MigrationState, type StepRecord } from '../state/schema.js';
import { isProcessAlive, readState } from '../state/store.js';
import { VaultClient } from '../vault/client.js';
import type { HealthStatus, SealStatus } from '../vault/types.js';

export interface ServerView {
  address: string;
  addressSource: string;
  reachable: boolean;
  error?: string;
  health?: HealthStatus;
  seal?: Pick<SealStatus, 'sealed' | 'threshold' | 'shares' | 'progress'>;
}

export async function run(_options: Record<string, unknown>, common: CommonOptions): Promise<number> {
  const ctx = createContext(common, { nonInteractive: true });
  await ctx.logger.enableColors();
  const state = await readState(common.stateDir);
  const resolved = resolveVaultAddress(common, ctx.env, state?.vaultAddr);
  const tls = tlsOptionsFromEnvironment(ctx.env);
  const server = await inspectServer(new VaultClient({ address: resolved.address, ...tls, timeoutMs: 5_000 }), resolved.address, resolved.source);
  const steps = STEP_IDS.map((id) => ({ id, ...(state?.steps[id] ?? { status: 'pending' as const }) }));

  if (common.json) {
    ctx.logger.printJson({
      stateFile: state ? `${common.stateDir}/state.json` : null,
      envFile: state?.envFile ?? common.envFile,
      runtime: state?.runtime?.kind ?? null,
      steps,
      server,
      token: state?.token ? { accessor: state.token.accessor, policies: state.token.policies, ttl: state.token.ttl, createdAt: state.token.createdAt } : null,
      rollbacks: state?.rollbacks ?? [],
    });
    return ExitCode.ok;
  }
  const { logger } = ctx;
  logger.heading('Migration steps');
  if (!state) logger.info(logger.paint('dim', `  no migration recorded in ${common.stateDir} yet (run \`bybit-vault migrate\`)`));
  for (const step of steps) logger.info(`  ${statusBadge(logger.paint.bind(logger), step.status)} ${step.id.padEnd(10)} ${step.message ?? ''}`.trimEnd());
  logger.line();
  logger.heading('Server');
  renderServer(logger, server, state);
  return ExitCode.ok;
}

export async function inspectServer(client: VaultClient, address: string, addressSource: string): Promise<ServerView> {
  try {
    const [health, seal] = await Promise.all([client.health(), client.sealStatus().catch(() => undefined)]);
    return {
      address,
      addressSource,
      reachable: true,
      health,
      seal: seal ? { sealed: seal.sealed, threshold: seal.threshold, shares: seal.shares, progress: seal.progress } : undefined,
    };
  } catch (error) {
    return { address, addressSource, reachable: false, error: error instanceof Error ? error.message : String(error) };
  }
}

type Paint = (style: 'green' | 'yellow' | 'red' | 'cyan' | 'dim' | 'bold' | 'gray', text: string) => string;

function statusBadge(paint: Paint, status: StepRecord['status']): string {
  const badges: Record<StepRecord['status'], string> = {
    done: paint('green', '[done]       '),
    running: paint('yellow', '[running]    '),
    pending: paint('dim', '[pending]    '),
    skipped: paint('yellow', '[skipped]    '),
    failed: paint('red', '[failed]     '),
    interrupted: paint('yellow', '[interrupted]'),
  };
  return badges[status];
}

function renderServer(logger: ReturnType<typeof createContext>['logger'], server: ServerView, state: MigrationState | undefined): void {
  logger.info(`  address  ${server.address} (from ${server.addressSource})`);
  if (!server.reachable) {
    logger.info(`  state    ${logger.paint('red', 'unreachable')}: ${server.error}`);
    return;
  }
  const health = server.health!;
  const seal = server.seal;
  const sealText = health.initialized
    ? seal?.sealed
      ? logger.paint('yellow', `sealed (${seal.progress} of ${seal.threshold} shares submitted)`)
      : logger.paint('green', 'unsealed')
    : logger.paint('yellow', 'not initialised');
  const role = health.state === 'sealed' || health.state === 'not-initialized' ? '' : `${health.state}, `;
  logger.info(`  state    ${role}${sealText}${health.version ? `, version ${health.version}` : ''}`);
  if (state?.runtime) {
    const pid = state.runtime.pid ? ` (pid ${state.runtime.pid}${isProcessAlive(state.runtime.pid) ? '' : ', not running'})` : '';
    logger.info(`  runtime  ${state.runtime.kind}${pid}`);
  }
  if (state?.token) logger.info(`  token    accessor ${state.token.accessor} (policies ${state.token.policies.join(', ')}, TTL ${state.token.ttl}, created ${state.token.createdAt})`);
}
