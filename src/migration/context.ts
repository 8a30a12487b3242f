// Builds the context of a migration run (also used by `unseal`): state, Vault client, runtime.
import { dirname } from 'node:path';
import { createContext, resolveVaultAddress, tlsOptionsFromEnvironment, type CommonOptions, type ContextOptions } from '../context.js';
import { createRuntime, parseVaultAddress } from '../runtime/index.js';
import { StateStore } from '../state/store.js';
import { VaultClient } from '../vault/client.js';
import { pausingPrompter } from '../ui/prompter.js';
import type { MigrationContext, MigrationOptions } from './types.js';

export async function createMigrationContext(
  common: CommonOptions,
  options: MigrationOptions,
  contextOptions: ContextOptions = {},
): Promise<MigrationContext> {
  const base = createContext(common, { ...contextOptions, nonInteractive: options.nonInteractive || contextOptions.nonInteractive });
  await base.logger.enableColors();
  const store = await StateStore.open(common.stateDir);
  const { address } = resolveVaultAddress(common, base.env, store.state.vaultAddr);
  // A malformed address is a usage error now, not a confusing connection failure later.
  parseVaultAddress(address);
  const tls = tlsOptionsFromEnvironment(base.env);
  if (tls.skipVerify && address.startsWith('https:')) {
    base.logger.warn('VAULT_SKIP_VERIFY is set: TLS certificates are NOT verified in this session (never written to .env).');
  }
  const savedRuntime = store.state.runtime;
  const runtime = createRuntime({
    kind: options.runtime,
    projectDir: dirname(common.envFile),
    stateDir: common.stateDir,
    vaultAddr: address,
    vaultBin: options.vaultBin,
    image: options.image,
    saved: savedRuntime?.kind === options.runtime ? savedRuntime : undefined,
  });
  const namespace = tls.namespace ?? store.state.namespace;
  const ctx: MigrationContext = {
    ...base,
    options,
    store,
    vault: new VaultClient({ address, namespace, caCert: tls.caCert, skipVerify: tls.skipVerify }),
    vaultAddr: address,
    namespace,
    runtime,
    secrets: {},
    summary: {},
  };
  ctx.prompter = pausingPrompter(base.prompter, () => ctx.progress);
  return ctx;
}
