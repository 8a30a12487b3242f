import { BybitVaultError } from '../../errors.js';
import { generatePolicy, policyPaths, type Mapping } from '../../mapping/index.js';
import { retryTransient } from '../../util/backoff.js';
import { VaultApiError } from '../../vault/errors.js';
import type { VaultClient } from '../../vault/client.js';
import { mappingFor, readApplicationEnv } from '../inputs.js';
import { availableAdminToken, requireAdminToken } from '../session.js';
import type { MigrationContext, Step } from '../types.js';

const AUDIT_DEVICE_PATH = 'bybit-vault-file';

export const configureStep: Step = {
  id: 'configure',
  title: 'Configure Vault (KV v2 mount, bybit-app policy, audit device)',

  async check(ctx) {
    const mapping = await mappingFor(ctx);
    if (!(await availableAdminToken(ctx)) && ctx.store.stepStatus('configure') === 'done') {
      // Without an admin token at hand, the application's token can still prove mount and policy work.
      const confirmed = await confirmedByApplicationToken(ctx, mapping);
      if (confirmed) return { done: true, message: confirmed };
    }
    const token = await requireAdminToken(ctx);
    const [mounts, policy, auditReady] = await Promise.all([
      ctx.vault.listMounts(token),
      ctx.vault.readPolicy(token, ctx.store.state.policyName),
      auditIsSettled(ctx, token),
    ]);
    const mount = mounts[`${mapping.mount}/`];
    const mountReady = mount?.type === 'kv' && mount.version === '2';
    if (mountReady && policy === generatePolicy(mapping) && auditReady) {
      return { done: true, message: `KV v2 at ${mapping.mount}/, policy ${ctx.store.state.policyName} up to date` };
    }
    return { done: false };
  },

  async plan(ctx) {
    const mapping = await mappingFor(ctx);
    return [
      `enable KV v2 at ${mapping.mount}/ when absent`,
      `write policy ${ctx.store.state.policyName}: read on ${policyPaths(mapping).length} path(s) under ${mapping.mount}/data/, nothing else`,
      ctx.runtime.auditLogPath() ? `enable a file audit device writing to ${ctx.runtime.auditLogPath()}` : 'audit device: not enabled for an external server (its file system is not ours to choose)',
    ];
  },

  async run(ctx) {
    const token = await requireAdminToken(ctx);
    const mapping = await mappingFor(ctx);
    const mountMessage = await ensureKvV2Mount(ctx, token, mapping.mount);
    const policyName = ctx.store.state.policyName;
    const policy = generatePolicy(mapping);
    if ((await ctx.vault.readPolicy(token, policyName)) !== policy) await ctx.vault.writePolicy(token, policyName, policy);
    const auditMessage = await ensureAudit(ctx, token);
    return `${mountMessage}; policy ${policyName} written; ${auditMessage}`;
  },
};

async function confirmedByApplicationToken(ctx: MigrationContext, mapping: Mapping): Promise<string | undefined> {
  const appToken = (await readApplicationEnv(ctx)).values.VAULT_TOKEN;
  if (!appToken) return undefined;
  ctx.logger.registerSecret(appToken);
  const apiPaths = policyPaths(mapping);
  try {
    const capabilities = await ctx.vault.capabilitiesSelf(appToken, apiPaths);
    if (!apiPaths.every((path) => (capabilities[path] ?? []).join(',') === 'read')) return undefined;
    // A read through the data/ API path only works on a KV v2 mount.
    await ctx.vault.kvRead(appToken, mapping.mount, mapping.entries[0]!.path);
    return `KV v2 at ${mapping.mount}/ and policy ${ctx.store.state.policyName} work (checked with the application token)`;
  } catch (error) {
    if (error instanceof VaultApiError) return undefined;
    throw error;
  }
}

async function ensureKvV2Mount(ctx: MigrationContext, token: string, mountPath: string): Promise<string> {
  const mount = (await ctx.vault.listMounts(token))[`${mountPath}/`];
  if (mount && mount.type !== 'kv') {
    throw new BybitVaultError('MOUNT_WRONG_TYPE', `${mountPath}/ is already a ${mount.type} mount, not a KV store`, {
      hint: 'Use a mapping file with another "mount", or move that mount (bybit-vault never changes it).',
    });
  }
  if (mount && mount.version === '2') return `KV v2 already at ${mountPath}/`;
  if (mount) {
    // KV v1 -> v2 rewrites the storage layout: an operator's choice, never silent.
    const upgrade =
      ctx.options.upgradeKv ||
      (ctx.interactive &&
        (await ctx.prompter.select(
          `${mountPath}/ is a KV version 1 mount. The migration needs version 2 (versions, check-and-set). Upgrade it in place?`,
          [
            { value: 'upgrade', name: 'Upgrade to KV v2 (data is kept; paths become <mount>/data/...; v1 clients must change)' },
            { value: 'stop', name: 'Stop here; I will decide later' },
          ],
          { flag: '--upgrade-kv', default: 'stop' },
        )) === 'upgrade');
    if (!upgrade) {
      throw new BybitVaultError('KV_V1_MOUNT', `${mountPath}/ is a KV version 1 mount; the migration needs KV version 2`, {
        hint: `Upgrading keeps the data but changes its API paths for every client of ${mountPath}/. To upgrade, re-run with --upgrade-kv (or \`vault kv enable-versioning ${mountPath}/\`), or map to another mount in a mapping file.`,
      });
    }
    await ctx.vault.upgradeKvToV2(token, mountPath);
    await waitUntilKvUsable(ctx.vault, token, mountPath);
    return `upgraded ${mountPath}/ from KV v1 to v2`;
  }
  await ctx.vault.enableKvV2(token, mountPath);
  await waitUntilKvUsable(ctx.vault, token, mountPath);
  return `enabled KV v2 at ${mountPath}/`;
}

/** A new or upgraded KV v2 mount answers with errors for a moment while it sets itself up. */
async function waitUntilKvUsable(vault: VaultClient, token: string, mountPath: string): Promise<void> {
  await retryTransient(
    () => vault.kvRead(token, mountPath, 'bybit-vault-probe'),
    (error) => error instanceof VaultApiError && error.status !== 403,
    { timeoutMs: 30_000, initialDelayMs: 50, maxDelayMs: 1_000 },
  );
}

async function auditIsSettled(ctx: MigrationContext, token: string): Promise<boolean> {
  if (!ctx.runtime.auditLogPath()) return true;
  if (ctx.store.state.audit && !ctx.store.state.audit.enabled) return true;
  const devices = await ctx.vault.listAuditDevices(token);
  return devices.some((device) => device.type === 'file');
}

async function ensureAudit(ctx: MigrationContext, token: string): Promise<string> {
  const filePath = ctx.runtime.auditLogPath();
  if (!filePath) {
    const reason = 'external server: enable an audit device where its file system allows (`vault audit enable file file_path=/var/log/vault/audit.log`)';
    await ctx.store.update((state) => {
      state.audit = { enabled: false, reason };
    });
    ctx.logger.warn(`audit device not enabled: ${reason}`);
    return 'audit device left to the operator (external server)';
  }
  const devices = await ctx.vault.listAuditDevices(token);
  const existing = devices.find((device) => device.type === 'file');
  if (existing) {
    await ctx.store.update((state) => {
      state.audit = { enabled: true, path: existing.options.file_path ?? existing.path };
    });
    return `audit device ${existing.path} already enabled`;
  }
  try {
    await ctx.vault.enableFileAudit(token, AUDIT_DEVICE_PATH, filePath);
  } catch (error) {
    if (!(error instanceof VaultApiError)) throw error;
    // Some servers refuse file audit devices set up over the API (OpenBao wants them in its config).
    const reason = `the server refused a file audit device (${error.messages.join('; ') || `HTTP ${error.status}`}); configure one in the server config`;
    await ctx.store.update((state) => {
      state.audit = { enabled: false, reason };
    });
    ctx.logger.warn(`audit device not enabled: ${reason}`);
    return 'audit device not enabled (see the warning)';
  }
  await ctx.store.update((state) => {
    state.audit = { enabled: true, path: filePath };
  });
  return `file audit device writing to ${filePath}`;
}
