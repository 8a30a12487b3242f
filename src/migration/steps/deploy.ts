import { BybitVaultError } from '../../errors.js';
import { VaultUnreachableError } from '../../vault/errors.js';
import { probeHealth, waitForApi } from '../session.js';
import type { Step } from '../types.js';

const START_TIMEOUT_MS = { docker: 180_000, binary: 60_000, external: 15_000 } as const;

export const deployStep: Step = {
  id: 'deploy',
  title: 'Deploy the Vault server',

  async check(ctx) {
    const health = await probeHealth(ctx);
    if (health) return { done: true, message: `server answers at ${ctx.vaultAddr} (${health.state}${health.version ? `, ${health.version}` : ''})` };
    return { done: false, reason: 'nothing answers yet' };
  },

  async plan(ctx) {
    const kind = ctx.options.runtime;
    if (kind === 'external') return [`check that the server at ${ctx.vaultAddr} answers`];
    if (kind === 'binary') return [`start ${ctx.options.vaultBin ?? 'vault/bao from PATH'} as a background server on ${ctx.vaultAddr}, data under ${ctx.runtime.storageLocation()}`];
    return ['write deployment/docker-compose.vault.yml and deployment/config/vault.hcl when missing', `docker compose up -d, then wait for ${ctx.vaultAddr}`];
  },

  async run(ctx) {
    const kind = ctx.options.runtime;
    if (kind === 'external') {
      try {
        await ctx.vault.health();
      } catch (error) {
        if (!(error instanceof VaultUnreachableError)) throw error;
        throw new BybitVaultError('EXTERNAL_UNREACHABLE', `No Vault server answers at ${ctx.vaultAddr}: ${error.reason} (--runtime external expects one to run already)`, {
          hint: `${error.hint} Use --runtime docker or binary to let bybit-vault start one.`,
        });
      }
      return `server answers at ${ctx.vaultAddr}`;
    }
    await ctx.runtime.preflight(ctx.logger);
    await ctx.runtime.start(ctx.logger, ctx.signal);
    // Record the process right away so a crash during the wait still finds its own server.
    await ctx.store.update((state) => {
      state.runtime = ctx.runtime.info();
      state.vaultAddr = ctx.vaultAddr;
    });
    const health = await waitForApi(ctx, START_TIMEOUT_MS[kind]);
    return `${kind} server answers at ${ctx.vaultAddr} (${health.state})`;
  },
};
