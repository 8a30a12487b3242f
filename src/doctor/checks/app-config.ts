// Runbook case "the application does not read from Vault": what the application's .env points at.
import { normalizeAddress } from '../../context.js';
import { VaultUnreachableError } from '../../vault/index.js';
import { parseVaultAddress } from '../../runtime/index.js';
import { explainConnectionError } from '../explain.js';
import { describeSource, tokenFingerprint } from '../format.js';
import { fail, ok, skip, warn, type Check, type DoctorContext } from '../types.js';

export const appConfigCheck: Check = {
  id: 'app.config',
  title: "Application's Vault settings (.env)",
  async run(ctx) {
    const { appEnv, state } = ctx;
    const serverAddress = ctx.settings.address;
    if (appEnv.problem) {
      if (appEnv.problem.code === 'ENV_NOT_FOUND' && !state) {
        return warn(`no .env at ${appEnv.path}`, "pass --env-file <path> to point doctor at the application's .env");
      }
      return fail(`cannot read the application's .env: ${appEnv.problem.message}`, appEnv.problem.hint ?? `make ${appEnv.path} readable, or pass --env-file <path>`);
    }
    const values = appEnv.values ?? {};
    const appAddress = values.VAULT_ADDR;
    const appToken = values.VAULT_TOKEN;
    const envStepDone = state?.steps.env?.status === 'done';

    if (!appAddress && !appToken) {
      if (envStepDone) {
        return fail(
          `${appEnv.path} has no VAULT_ADDR or VAULT_TOKEN although migrate's env step is done: the application does not read from Vault`,
          `bybit-vault migrate (its env step points ${appEnv.path} at Vault again)`,
        );
      }
      return skip(`the application does not use Vault yet: no VAULT_ADDR or VAULT_TOKEN in ${appEnv.path}`);
    }
    if (!appAddress) {
      return fail(`${appEnv.path} has VAULT_TOKEN but no VAULT_ADDR: the application cannot find Vault`, `add VAULT_ADDR=${serverAddress.value} to ${appEnv.path}, then restart the application`);
    }
    if (!appToken) {
      return fail(
        `${appEnv.path} has VAULT_ADDR but no VAULT_TOKEN: the application cannot authenticate to Vault`,
        `bybit-vault migrate (its token and env steps write VAULT_TOKEN into ${appEnv.path}), then restart the application`,
      );
    }

    const namespace = values.VAULT_NAMESPACE ? `, namespace ${values.VAULT_NAMESPACE}` : '';
    const pointsAt = `the application uses ${appAddress} with token ${tokenFingerprint(appToken)}${namespace}`;
    if (normalizeAddress(appAddress) === serverAddress.value) return ok(pointsAt);

    try {
      parseVaultAddress(appAddress);
    } catch {
      return fail(`VAULT_ADDR in ${appEnv.path} is not a valid URL`, `set VAULT_ADDR=${serverAddress.value} in ${appEnv.path}, then restart the application`);
    }
    const checked = `${serverAddress.value} (from the ${describeSource(serverAddress.source)})`;
    try {
      const health = await ctx.connect(normalizeAddress(appAddress)).health();
      return warn(
        `${pointsAt}, which answers (${health.state}), but doctor checks ${checked}`,
        `check the application's server: bybit-vault doctor --vault-addr ${appAddress}; or, if the application should use ${serverAddress.value}, set VAULT_ADDR=${serverAddress.value} in ${appEnv.path}`,
      );
    } catch (error) {
      if (error instanceof VaultUnreachableError && /host name not found/.test(error.reason)) {
        // A container-network name (e.g. http://bybit-vault:8200) resolves only inside that network.
        return warn(
          `${pointsAt}; that host does not resolve from here (expected only if the application runs in a container network); doctor checks ${checked}`,
          `if the application runs on this host, set VAULT_ADDR=${serverAddress.value} in ${appEnv.path}`,
        );
      }
      const explanation = explainConnectionError(error, appAddress);
      const corrected = explanation.schemeFix ?? ((await serverAnswers(ctx)) ? serverAddress.value : undefined);
      return fail(
        `the application cannot reach Vault: ${explanation.finding}`,
        corrected
          ? `set VAULT_ADDR=${corrected} in ${appEnv.path}, then restart the application`
          : `set VAULT_ADDR in ${appEnv.path} to the address of the running Vault server (${serverAddress.value} does not answer either; see network.tcp), then restart the application`,
      );
    }
  },
};

/** Whether the address doctor checks has a Vault answering, so it can be recommended to the application. */
async function serverAnswers(ctx: DoctorContext): Promise<boolean> {
  return ctx.probes.health().then(
    () => true,
    () => false,
  );
}
