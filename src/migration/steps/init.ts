import { access, constants, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BybitVaultError, MissingInputError, UsageError } from '../../errors.js';
import { faultPoint } from '../../util/fault.js';
import { keysFileExists, writeKeysFile } from '../keys-file.js';
import type { InitOptions, InitResult } from '../../vault/types.js';
import { uninterruptible } from '../../ui/interrupt.js';
import type { MigrationContext, Step } from '../types.js';

export const initStep: Step = {
  id: 'init',
  title: 'Initialise Vault (unseal key shares and root token)',

  async check(ctx) {
    // One round trip: seal-status says both whether the server is initialised and whether it is sealed.
    const { initialized, sealed } = await ctx.vault.sealStatus();
    if (!initialized) return { done: false };
    const keysFile = ctx.options.keysFile ?? ctx.store.state.keysFile;
    const hasKeys = keysFile !== undefined && (await keysFileExists(keysFile));
    if (sealed && !hasKeys && !ctx.interactive) {
      // Never re-initialise or wipe: the existing storage holds somebody's data.
      throw new MissingInputError(
        '--keys-file',
        `Vault at ${ctx.vaultAddr} is already initialised and sealed (storage: ${ctx.runtime.storageLocation()}); a keys file with its unseal keys`,
        'Pass --keys-file with the keys from its init, or unseal it yourself (`bybit-vault unseal`) and run migrate again. bybit-vault never wipes existing storage.',
      );
    }
    return { done: true, message: hasKeys ? `already initialised; keys file ${keysFile}` : 'already initialised' };
  },

  async plan(ctx) {
    const custody = ctx.options.keysFile ? `write them to ${ctx.options.keysFile} (0600)` : 'show them once and ask you to confirm you saved them';
    return [`init with ${ctx.options.keyShares} shares, threshold ${ctx.options.keyThreshold}${ctx.options.pgpKeyFiles.length ? ', PGP-encrypted shares' : ''}; ${custody}`];
  },

  async run(ctx) {
    const { keyShares, keyThreshold, keysFile } = ctx.options;
    validateShares(keyShares, keyThreshold);
    // Keys must never be lost: decide where they go before the server creates them.
    if (!keysFile && !ctx.interactive) {
      throw new MissingInputError('--keys-file', 'A keys file for the unseal keys and root token', 'Pass --keys-file <path>: init writes the keys there (0600) before anything else happens.');
    }
    if (keysFile) await assertKeysFileWritable(keysFile);
    const pgpKeys = ctx.options.pgpKeyFiles.length ? await readPgpKeys(ctx.options.pgpKeyFiles, keyShares) : undefined;

    const result = await uninterruptible('Vault is initialising and its unseal keys are not saved yet', async () => {
      const created = await initializeOrExplain(ctx, { secretShares: keyShares, secretThreshold: keyThreshold, pgpKeys });
      if (keysFile) await saveKeysOrShowThem(ctx, keysFile, created, keyShares, keyThreshold);
      return created;
    });
    ctx.secrets.unsealKeys = pgpKeys ? undefined : result.keysBase64;
    ctx.secrets.rootToken = result.rootToken;

    if (keysFile) {
      // A crash here leaves the server initialised and the keys on disk, but the state file unaware.
      faultPoint('in-step:init');
    } else {
      showKeysOnce(ctx, result, 'Save every share and the root token now, in separate safe places. They are shown only this once.');
      await confirmSaved(ctx, result.keysBase64[0]!);
    }
    for (const key of [...result.keys, ...result.keysBase64, result.rootToken]) ctx.logger.registerSecret(key);
    await ctx.store.update((state) => {
      state.init = { shares: keyShares, threshold: keyThreshold, pgp: Boolean(pgpKeys), at: new Date().toISOString(), byThisTool: true };
      if (keysFile) state.keysFile = keysFile;
    });
    ctx.summary.init = { shares: keyShares, threshold: keyThreshold, keysFile: keysFile ?? null };
    return `initialised with ${keyShares} shares, threshold ${keyThreshold}${keysFile ? `; keys written to ${keysFile} (0600)` : ''}`;
  },
};

async function initializeOrExplain(ctx: MigrationContext, options: InitOptions): Promise<InitResult> {
  try {
    return await ctx.vault.initialize(options);
  } catch (error) {
    // The request may have reached the server: if it is initialised now, its keys never reached us.
    const initialised = await ctx.vault.isInitialized().catch(() => undefined);
    if (initialised) {
      throw new BybitVaultError('INIT_RESPONSE_LOST', `Vault at ${ctx.vaultAddr} was initialised, but its answer (the unseal keys) never arrived`, {
        cause: error,
        hint: `Without the keys this storage can never be unsealed. If it holds nothing yet, stop the server, move its storage (${ctx.runtime.storageLocation()}) aside, and run \`bybit-vault migrate\` again.`,
      });
    }
    throw error;
  }
}

async function saveKeysOrShowThem(ctx: MigrationContext, keysFile: string, result: InitResult, shares: number, threshold: number): Promise<void> {
  try {
    await writeKeysFile(keysFile, result, shares, threshold);
  } catch (error) {
    showKeysOnce(ctx, result, `The keys file ${keysFile} could not be written (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    throw new BybitVaultError('KEYS_FILE_WRITE_FAILED', `Vault was initialised but the keys could not be written to ${keysFile}`, {
      hint: 'Save the keys shown above now; then run `bybit-vault migrate --keys-file <a writable path>` after saving them there in the same JSON shape, or type the shares when asked.',
    });
  }
}

function validateShares(shares: number, threshold: number): void {
  if (!Number.isInteger(shares) || shares < 1 || shares > 255) throw new UsageError(`--key-shares must be a whole number from 1 to 255 (got ${shares})`);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > shares) {
    throw new UsageError(`--key-threshold must be from 1 to --key-shares (${shares}) (got ${threshold})`);
  }
  if (shares > 1 && threshold < 2) throw new UsageError('--key-threshold must be at least 2 when there is more than one share');
}

async function assertKeysFileWritable(path: string): Promise<void> {
  if (await keysFileExists(path)) {
    // A non-empty keys file belongs to some earlier init; overwriting it could lose those keys.
    throw new BybitVaultError('KEYS_FILE_EXISTS', `The keys file ${path} already exists and the server is not initialised`, {
      hint: `It may hold the keys of another Vault. Move it somewhere safe (mv ${path} ${path}.old) or choose another --keys-file.`,
    });
  }
  try {
    await access(dirname(path), constants.W_OK);
  } catch {
    throw new UsageError(`Cannot write the keys file: the directory ${dirname(path)} is not writable or does not exist`, {
      hint: 'Choose a --keys-file in a directory you can write to (create it first).',
    });
  }
}

async function readPgpKeys(files: string[], shares: number): Promise<string[]> {
  if (files.length !== shares) {
    throw new UsageError(`--pgp-keys lists ${files.length} key file(s) but --key-shares is ${shares}: give one public key per share`);
  }
  return Promise.all(files.map(async (file) => publicKeyAsBase64(file, await readFile(file).catch(() => {
    throw new UsageError(`Cannot read the PGP public key file ${file}`);
  }))));
}

/** Vault wants each public key as base64 of the binary key; accept armored, base64 or binary files. */
function publicKeyAsBase64(file: string, bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
    const body = text
      .split(/\r?\n/)
      .filter((line) => line && !line.startsWith('-----') && !/^[A-Za-z-]+: /.test(line) && !line.startsWith('='))
      .join('');
    if (!body) throw new UsageError(`The PGP key file ${file} has no key data`);
    return body;
  }
  if (/^[A-Za-z0-9+/=\s]+$/.test(text)) return text.replace(/\s+/g, '');
  return bytes.toString('base64');
}

function showKeysOnce(ctx: MigrationContext, result: InitResult, why: string): void {
  const out = process.stderr;
  ctx.progress?.pause();
  // The one deliberate exception to "never print a key": the operator must save them.
  out.write(`\n${why}\n\n`);
  result.keysBase64.forEach((key, index) => out.write(`  Unseal key ${index + 1}: ${key}\n`));
  out.write(`\n  Root token: ${result.rootToken}\n\n`);
  out.write('Keep the unseal keys apart from each other and from the root token (runbook: security practice).\n\n');
}

async function confirmSaved(ctx: MigrationContext, firstShare: string): Promise<void> {
  const expected = firstShare.slice(0, 8);
  for (let attempt = 1; ; attempt++) {
    // Masked: the answer is part of a share and must not be echoed back.
    const typed = await ctx.prompter.secret('To confirm you saved them, type the first 8 characters of unseal key 1 (input hidden)', { flag: '--keys-file' });
    if (typed.trim() === expected) break;
    ctx.logger.warn(attempt < 3 ? 'That does not match unseal key 1; look at what you saved and try again.' : 'Still no match. Check the saved copy carefully: without the keys this Vault cannot be unsealed.');
  }
  if (process.stderr.isTTY) {
    // The keys must not stay on a screen someone else may see: clear it and its scrollback.
    process.stderr.write('\x1b[2J\x1b[3J\x1b[H');
    ctx.logger.info('Saved, thank you. The keys were cleared from the screen.');
  } else {
    ctx.logger.info('Saved, thank you. Clear your terminal scrollback: it still shows the keys.');
  }
  ctx.progress?.resume();
}
