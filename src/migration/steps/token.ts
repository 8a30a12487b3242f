import { BybitVaultError } from '../../errors.js';
import { VaultApiError } from '../../vault/errors.js';
import { readApplicationEnv } from '../inputs.js';
import { requireAdminToken } from '../session.js';
import type { MigrationContext, Step } from '../types.js';

export const APP_TOKEN_DISPLAY_NAME = 'bybit-app';

export const tokenStep: Step = {
  id: 'token',
  title: 'Create the application token (orphan, bybit-app policy)',

  async check(ctx) {
    if (ctx.secrets.appToken) return { done: true, message: 'created in this run' };
    // Only the token in the application's .env counts: a token nobody holds is no token.
    const envToken = (await readApplicationEnv(ctx)).values.VAULT_TOKEN;
    const accessor = ctx.store.state.token?.accessor;
    if (!envToken || !accessor) return { done: false };
    try {
      const info = await ctx.vault.lookupSelf(envToken);
      if (info.accessor === accessor && info.policies.includes(ctx.store.state.policyName)) {
        return { done: true, message: `the application token in .env is valid (accessor ${accessor})` };
      }
    } catch (error) {
      if (!(error instanceof VaultApiError)) throw error;
    }
    return { done: false };
  },

  async plan(ctx) {
    return [`create an orphan token with policies ${ctx.store.state.policyName} + default, TTL ${ctx.options.tokenTtl}, renewable; only its accessor is recorded`];
  },

  async run(ctx) {
    const token = await requireAdminToken(ctx);
    await revokeUnheldToken(ctx, token);
    const created = await ctx.vault.createOrphanToken(token, {
      policies: [ctx.store.state.policyName, 'default'],
      ttl: ctx.options.tokenTtl,
      renewable: true,
      displayName: APP_TOKEN_DISPLAY_NAME,
      meta: { created_by: 'bybit-vault' },
    });
    ctx.secrets.appToken = created.clientToken;
    ctx.logger.registerSecret(created.clientToken);
    if (!created.orphan) {
      throw new BybitVaultError('TOKEN_NOT_ORPHAN', 'Vault created the application token with a parent', {
        hint: 'The admin token needs sudo on auth/token/create-orphan; use the root token from init.',
      });
    }
    await ctx.store.update((state) => {
      state.token = {
        accessor: created.accessor,
        policies: created.policies,
        ttl: ctx.options.tokenTtl,
        createdAt: new Date().toISOString(),
        displayName: APP_TOKEN_DISPLAY_NAME,
      };
    });
    ctx.summary.token = { accessor: created.accessor, policies: created.policies, ttl: ctx.options.tokenTtl, orphan: created.orphan };
    return `orphan token created (accessor ${created.accessor}, policies ${created.policies.join(', ')}, TTL ${ctx.options.tokenTtl})`;
  },
};

/** The previous token is held by nobody now (a crash before .env was written, or a rollback): revoke it. */
async function revokeUnheldToken(ctx: MigrationContext, adminToken: string): Promise<void> {
  const accessor = ctx.store.state.token?.accessor;
  if (!accessor) return;
  try {
    await ctx.vault.revokeAccessor(adminToken, accessor);
    ctx.logger.info(`revoked the previous application token (accessor ${accessor}): .env no longer holds it`);
  } catch (error) {
    if (!(error instanceof VaultApiError)) throw error;
  }
}
