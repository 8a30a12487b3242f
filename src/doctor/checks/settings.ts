// Which VAULT_ADDR, VAULT_TOKEN and VAULT_NAMESPACE are in effect, and where each comes from.
import { describeSource, describeToken, tokenFingerprint } from '../format.js';
import { ok, warn, type Check } from '../types.js';

export const settingsCheck: Check = {
  id: 'settings',
  title: 'Vault settings in effect',
  async run(ctx) {
    const { address, namespace, shellToken, appToken } = ctx.settings;
    const appValues = ctx.appEnv.values ?? {};
    const shellNamespace = ctx.env.VAULT_NAMESPACE || undefined;
    const appNamespace = appValues.VAULT_NAMESPACE || undefined;
    const details = [
      `VAULT_ADDR: ${address.value} (from the ${describeSource(address.source)}); application's .env: ${appValues.VAULT_ADDR ?? 'unset'}`,
      `VAULT_TOKEN: shell ${describeToken(shellToken)}; application's .env ${describeToken(appToken)}`,
      `VAULT_NAMESPACE: ${namespace ? `${namespace.value} (from the ${describeSource(namespace.source)})` : 'none (root namespace)'}`,
      `VAULT_CACERT: ${ctx.settings.caCert ?? 'unset'}; VAULT_SKIP_VERIFY: ${ctx.settings.skipVerify ? 'set' : 'unset'}`,
    ];
    const finding = `VAULT_ADDR ${address.value} (${describeSource(address.source)}); token: shell ${shellToken ? 'set' : 'unset'}, .env ${appToken ? 'set' : 'unset'}; namespace ${namespace?.value ?? 'none'}`;

    if (shellToken && appToken && shellToken !== appToken) {
      return warn(
        `the shell's VAULT_TOKEN (${tokenFingerprint(shellToken)}) differs from the application's in .env (${tokenFingerprint(appToken)}): commands run here act as another identity than the application`,
        `unset VAULT_TOKEN, or set it to the token in ${ctx.appEnv.path}, to see what the application sees (keep it only if it is deliberately an admin token)`,
        details,
      );
    }
    if (shellNamespace && appNamespace && shellNamespace !== appNamespace) {
      return warn(
        `the shell's VAULT_NAMESPACE (${shellNamespace}) differs from the application's (${appNamespace})`,
        `export VAULT_NAMESPACE=${appNamespace} (or fix VAULT_NAMESPACE in ${ctx.appEnv.path})`,
        details,
      );
    }
    return ok(finding, details);
  },
};
