import { BybitVaultError, MissingInputError } from '../../errors.js';
import { VaultApiError } from '../../vault/errors.js';
import { keysFileExists, readKeysFile } from '../keys-file.js';
import { waitForActive } from '../session.js';
import type { MigrationContext, Step } from '../types.js';

export const unsealStep: Step = {
  id: 'unseal',
  title: 'Unseal Vault',

  async check(ctx) {
    const status = await ctx.vault.sealStatus();
    if (!status.initialized) return { done: false, reason: 'not initialised yet' };
    return status.sealed ? { done: false, reason: 'sealed' } : { done: true, message: 'unsealed' };
  },

  async plan(ctx) {
    const source = ctx.options.keysFile ? `the keys file ${ctx.options.keysFile}` : 'init (this run) or masked prompts';
    return [`reset any leftover unseal progress, then submit shares from ${source} until unsealed`];
  },

  async run(ctx) {
    await unsealServer(ctx);
    return 'unsealed';
  },
};

/** Reset leftover progress, then submit shares one by one until the server is unsealed. */
export async function unsealServer(ctx: MigrationContext): Promise<void> {
  let status = await ctx.vault.sealStatus();
  if (!status.sealed) return;
  if (status.progress > 0) {
    // Shares left over from an earlier, unfinished attempt would mix with ours.
    status = await ctx.vault.resetUnseal();
  }
  const shares = await knownShares(ctx);
  const threshold = status.threshold;
  let submitted = 0;
  for (let index = 0; status.sealed; index++) {
    const share = index < shares.length ? shares[index]! : await askShare(ctx, index + 1, threshold);
    if (!share) break;
    if (!looksLikeShare(share)) {
      throw new BybitVaultError('UNSEAL_MALFORMED_SHARE', `Share ${index + 1} in the keys file is not an unseal key share (base64 or hex); nothing was submitted for it`, {
        hint: 'Check the keys file: it must hold the shares exactly as init wrote them (unseal_keys_b64).',
      });
    }
    ctx.logger.registerSecret(share);
    try {
      status = await ctx.vault.submitUnsealKey(share.trim());
    } catch (error) {
      if (error instanceof VaultApiError && error.status === 400) throw wrongShareError(index + 1);
      throw error;
    }
    submitted++;
    if (status.sealed && status.progress === 0 && submitted >= threshold) throw wrongShareError(index + 1);
    ctx.progress?.update(`Unseal Vault: ${status.sealed ? status.progress : threshold} of ${threshold} shares accepted`);
    if (!ctx.progress) ctx.logger.info(`  ${status.sealed ? status.progress : threshold} of ${threshold} shares accepted`);
  }
  if (status.sealed) {
    throw new BybitVaultError('UNSEAL_INCOMPLETE', `Vault is still sealed: ${status.progress} of ${threshold} shares accepted and no more shares were given`, {
      hint: 'Run `bybit-vault unseal --keys-file <file>` or type the remaining shares interactively.',
    });
  }
  await waitForActive(ctx);
}

async function knownShares(ctx: MigrationContext): Promise<string[]> {
  if (ctx.secrets.unsealKeys?.length) return ctx.secrets.unsealKeys;
  const keysFile = ctx.options.keysFile ?? ctx.store.state.keysFile;
  if (keysFile && (await keysFileExists(keysFile))) {
    if (ctx.store.state.init?.pgp && keysFile === ctx.store.state.keysFile) {
      // The file init wrote holds PGP-encrypted shares: only their owners can decrypt and type them.
      return [];
    }
    const content = await readKeysFile(keysFile);
    if (content.rootToken) {
      ctx.secrets.rootToken ??= content.rootToken;
      ctx.logger.registerSecret(content.rootToken);
    }
    return content.unsealKeys;
  }
  return [];
}

async function askShare(ctx: MigrationContext, number: number, threshold: number): Promise<string> {
  if (!ctx.interactive) {
    const hint = ctx.store.state.init?.pgp
      ? 'The shares are PGP-encrypted: each holder decrypts theirs (base64 -d | gpg -d); put them in a keys file of your own and run `bybit-vault unseal --keys-file <it>`, or type them interactively.'
      : 'Pass --keys-file with the JSON init wrote (unseal_keys_b64), or run interactively to type the shares.';
    throw new MissingInputError('--keys-file', 'Unseal key shares', hint);
  }
  return ctx.prompter.secret(`Unseal key share ${number} (of ${threshold} needed; input hidden)`, {
    flag: '--keys-file',
    // A typo is caught here, before Vault would throw away the shares already accepted.
    validate: (value) => (looksLikeShare(value) ? true : 'that is not an unseal key share (base64 or hex, as init printed it); try again'),
  });
}

/** Shares are printed as base64 (keys_base64) or hex (keys); anything else is a typo. */
export function looksLikeShare(value: string): boolean {
  const share = value.trim();
  if (/^[0-9a-fA-F]+$/.test(share)) return share.length >= 34 && share.length % 2 === 0;
  return /^[A-Za-z0-9+/]+={0,2}$/.test(share) && share.length % 4 === 0 && Buffer.from(share, 'base64').length >= 17;
}

function wrongShareError(number: number): BybitVaultError {
  return new BybitVaultError('UNSEAL_WRONG_SHARE', `Vault rejected the unseal shares (the combination failed at share ${number}); Vault stays sealed and its progress is back to 0`, {
    hint: 'One of the shares is wrong or belongs to another Vault: check the keys file or your saved shares, then run `bybit-vault unseal` again.',
  });
}
