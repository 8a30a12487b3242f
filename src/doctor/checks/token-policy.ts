// Runbook case "permission denied", the policy half: may the application's token read every mapped path?
import { policyPaths } from '../../mapping/index.js';
import { VaultApiError } from '../../vault/index.js';
import { explainConnectionError } from '../explain.js';
import { plural } from '../format.js';
import { fail, ok, type Check, type DoctorContext } from '../types.js';

export const tokenPolicyCheck: Check = {
  id: 'token.policy',
  title: 'Policy and capabilities on the mapped paths',
  dependsOn: ['token.app', 'mapping'],
  async run(ctx) {
    const paths = policyPaths(ctx.mapping);
    const [capabilities, tokenInfo] = await Promise.all([
      ctx.client.capabilitiesSelf(ctx.settings.appToken!, paths).catch((error: unknown) => error as Error),
      ctx.probes.appTokenLookup(),
    ]);
    if (capabilities instanceof Error) {
      return fail(`capabilities-self failed: ${explainConnectionError(capabilities, ctx.settings.address.value).finding}`);
    }
    const denied = paths.filter((path) => !(capabilities[path] ?? []).some((capability) => capability === 'read' || capability === 'root'));
    const details = paths.map((path) => `${path}: ${(capabilities[path] ?? []).join(', ') || 'none'}`);
    if (denied.length === 0) return ok(`the application's token may read all ${plural(paths.length, 'mapped path')} (policy ${ctx.policyName})`, details);

    const hasPolicy = tokenInfo.policies.includes(ctx.policyName);
    const deniedList = denied.join(', ');
    if (!hasPolicy) {
      return fail(
        `permission denied by policy: the token is valid but lacks the ${ctx.policyName} policy, so it may not read ${deniedList}`,
        'bybit-vault migrate (its token step creates an application token with the bybit-app policy and writes it into .env), then restart the application',
        details,
      );
    }
    const policyState = await policyDocumentState(ctx);
    return fail(
      `permission denied by policy: ${ctx.policyName} does not grant read on ${deniedList}${policyState ? ` (${policyState})` : ''}`,
      `bybit-vault migrate (its configure step rewrites the ${ctx.policyName} policy from the mapping: read on every mapped path)`,
      details,
    );
  },
};

/** With a privileged shell token, say whether the policy document exists at all. */
async function policyDocumentState(ctx: DoctorContext): Promise<string | undefined> {
  const { shellToken, appToken } = ctx.settings;
  if (!shellToken || shellToken === appToken) return undefined;
  try {
    const policy = await ctx.client.readPolicy(shellToken, ctx.policyName);
    return policy === undefined ? `policy ${ctx.policyName} does not exist` : undefined;
  } catch (error) {
    return error instanceof VaultApiError && error.isPermissionDenied ? undefined : `policy ${ctx.policyName} could not be read`;
  }
}
