// The KV mount exists and is version 2: listed with a privileged shell token, else inferred from the application's reads.
import { VaultApiError } from '../../vault/index.js';
import { explainConnectionError } from '../explain.js';
import { readMappedSecrets } from '../mapped-secrets.js';
import { fail, ok, skip, type Check, type CheckResult, type DoctorContext } from '../types.js';

export const kvMountCheck: Check = {
  id: 'kv.mount',
  title: 'KV mount and version',
  dependsOn: ['server.health', 'mapping'],
  async run(ctx) {
    const mount = ctx.mapping.mount;
    const { shellToken, appToken } = ctx.settings;
    // The application's own token cannot list mounts; only a different (operator) token is worth trying.
    if (shellToken && shellToken !== appToken) {
      try {
        const mounts = await ctx.probes.mounts();
        return judgeMount(mount, mounts[`${mount}/`]);
      } catch (error) {
        if (!(error instanceof VaultApiError && error.isPermissionDenied)) {
          return fail(`listing mounts failed: ${explainConnectionError(error, ctx.settings.address.value).finding}`);
        }
        return inferFromReads(ctx, "the shell's VAULT_TOKEN may not list mounts");
      }
    }
    return inferFromReads(ctx, "needs a privileged token to list mounts: export VAULT_TOKEN=<an admin token> to check it directly");
  },
};

function judgeMount(mount: string, info: { type: string; version?: string } | undefined): CheckResult {
  const configure = `bybit-vault migrate (its configure step enables KV version 2 at ${mount}/)`;
  if (!info) return fail(`the mount ${mount}/ does not exist`, configure);
  if (info.type !== 'kv' && info.type !== 'generic') return fail(`${mount}/ is a ${info.type} mount, not KV`, `move that mount elsewhere, or use another mount in the mapping file; then ${configure}`);
  if (info.version !== '2') {
    return fail(`${mount}/ is KV version 1: the application reads ${mount}/data/<path>, which only version 2 serves`, `bybit-vault migrate --upgrade-kv (its configure step upgrades ${mount}/ to version 2 in place, keeping the data)`);
  }
  return ok(`${mount}/ is KV version 2`);
}

/** Without a privileged token, the application token's reads still reveal a missing or working KV v2 mount. */
async function inferFromReads(ctx: DoctorContext, reasonToSkip: string): Promise<CheckResult> {
  const mount = ctx.mapping.mount;
  if (!ctx.settings.appToken) return skip(reasonToSkip);
  const reads = await readMappedSecrets(ctx);
  if (reads.some((read) => !read.ok && read.error instanceof VaultApiError && read.error.isMissingMount)) {
    return fail(`the mount ${mount}/ does not exist (the application's reads find no route)`, `bybit-vault migrate (its configure step enables KV version 2 at ${mount}/)`);
  }
  // Only KV v2 answers <mount>/data/<path> with versioned metadata.
  if (reads.some((read) => read.ok && read.secret && read.secret.version > 0)) {
    return ok(`${mount}/ serves KV version 2 reads (inferred from the application's reads; export a privileged VAULT_TOKEN to inspect the mount)`);
  }
  return skip(reasonToSkip);
}
