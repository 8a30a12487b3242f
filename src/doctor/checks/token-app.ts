// The application's token (VAULT_TOKEN in .env): valid, policies, TTL, renewable, orphan.
import { VaultApiError } from '../../vault/index.js';
import { explainConnectionError } from '../explain.js';
import { formatDuration, tokenFingerprint } from '../format.js';
import { combine, fail, ok, skip, warn, type Check, type CheckResult } from '../types.js';

/** The runbook rotates application tokens every 30 days; warn in the last week. */
export const TOKEN_EXPIRY_WARNING_SECONDS = 7 * 86_400;

const NEW_TOKEN_FIX = 'bybit-vault migrate (its token step creates a new orphan application token and writes it into .env), then restart the application';

export const appTokenCheck: Check = {
  id: 'token.app',
  title: 'Application token',
  dependsOn: ['server.health'],
  async run(ctx) {
    const token = ctx.settings.appToken;
    if (!token) return skip("no VAULT_TOKEN in the application's .env (see app.config)");
    const fingerprint = tokenFingerprint(token);
    let info;
    try {
      info = await ctx.probes.appTokenLookup();
    } catch (error) {
      if (error instanceof VaultApiError && error.isPermissionDenied) {
        return fail(
          `the application's token (${fingerprint}) is invalid: Vault rejects it (lookup-self: permission denied), so it was revoked, expired, or belongs to another server`,
          NEW_TOKEN_FIX,
        );
      }
      return fail(`lookup of the application's token failed: ${explainConnectionError(error, ctx.settings.address.value).finding}`);
    }

    const policies = info.policies.length > 0 ? info.policies.join(', ') : 'none';
    const expiry = info.ttlSeconds > 0 ? `expires in ${formatDuration(info.ttlSeconds)}` : 'never expires';
    const details = [
      `accessor ${info.accessor}`,
      `policies: ${policies}`,
      `ttl: ${expiry}${info.expireTime ? ` (${info.expireTime})` : ''}`,
      `renewable: ${info.renewable ? 'yes' : 'no'}; orphan: ${info.orphan ? 'yes' : 'no'}`,
    ];
    const summary = `valid (accessor ${info.accessor}); policies ${policies}; ${expiry}; ${info.renewable ? 'renewable' : 'not renewable'}; ${info.orphan ? 'orphan' : 'not an orphan'}`;
    const problems: CheckResult[] = [];

    if (info.expireTime && Date.parse(info.expireTime) <= Date.now()) {
      return fail(`the application's token expired at ${info.expireTime}`, NEW_TOKEN_FIX, details);
    }
    if (!info.policies.includes(ctx.policyName) && !info.policies.includes('root')) {
      problems.push(warn(`valid, but its policies (${policies}) do not include ${ctx.policyName}: the application may be denied its secrets (see token.policy)`, NEW_TOKEN_FIX));
    }
    if (info.policies.includes('root')) {
      problems.push(warn('the application uses a root token: it should hold only the least-privilege policy', NEW_TOKEN_FIX));
    }
    if (info.ttlSeconds > 0 && info.ttlSeconds < TOKEN_EXPIRY_WARNING_SECONDS) {
      problems.push(
        warn(
          `the application's token expires in ${formatDuration(info.ttlSeconds)}`,
          info.renewable
            ? 'renew it with the application token: VAULT_TOKEN=<token from .env> vault token renew -increment=720h; or rotate it with bybit-vault migrate'
            : `it is not renewable: ${NEW_TOKEN_FIX}`,
        ),
      );
    }
    if (!info.orphan) {
      problems.push(warn('not an orphan token: revoking its parent (e.g. the root token) revokes it too', NEW_TOKEN_FIX));
    }
    return problems.length === 0 ? ok(summary, details) : combine(problems, details);
  },
};
