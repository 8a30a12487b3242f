// The keys file: unseal shares and root token in the JSON shape of `vault operator init -format=json`.
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { BybitVaultError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { InitResult } from '../vault/types.js';

const keysFileSchema = z.object({
  unseal_keys_b64: z.array(z.string()),
  unseal_keys_hex: z.array(z.string()).optional(),
  unseal_shares: z.number().int().optional(),
  unseal_threshold: z.number().int().optional(),
  root_token: z.string().optional(),
});

export interface KeysFileContent {
  unsealKeys: string[];
  rootToken?: string;
  threshold?: number;
}

export async function keysFileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

export async function writeKeysFile(path: string, init: InitResult, shares: number, threshold: number): Promise<void> {
  const content = {
    unseal_keys_b64: init.keysBase64,
    unseal_keys_hex: init.keys,
    unseal_shares: shares,
    unseal_threshold: threshold,
    recovery_keys_b64: [],
    recovery_keys_hex: [],
    recovery_keys_shares: 0,
    recovery_keys_threshold: 0,
    root_token: init.rootToken,
  };
  await writeFileAtomic(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
}

export async function readKeysFile(path: string): Promise<KeysFileContent> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BybitVaultError('KEYS_FILE_UNREADABLE', `Cannot read the keys file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'Pass --keys-file with the JSON written at init (vault operator init -format=json), or type the shares when asked.',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BybitVaultError('KEYS_FILE_INVALID', `The keys file ${path} is not JSON`, {
      hint: 'It must have the shape of `vault operator init -format=json` (unseal_keys_b64, root_token).',
    });
  }
  // `vault operator init -format=json` writes unseal_keys_b64; accept a plain `keys` array too.
  const normalised = Array.isArray((raw as { keys?: unknown }).keys) && !(raw as { unseal_keys_b64?: unknown }).unseal_keys_b64
    ? { unseal_keys_b64: (raw as { keys: string[] }).keys, root_token: (raw as { root_token?: string }).root_token }
    : raw;
  const parsed = keysFileSchema.safeParse(normalised);
  if (!parsed.success) {
    throw new BybitVaultError('KEYS_FILE_INVALID', `The keys file ${path} has no unseal_keys_b64 array`, {
      hint: 'It must have the shape of `vault operator init -format=json` (unseal_keys_b64, root_token).',
    });
  }
  return {
    unsealKeys: parsed.data.unseal_keys_b64.map((key) => key.trim()).filter(Boolean),
    rootToken: parsed.data.root_token?.trim() || undefined,
    threshold: parsed.data.unseal_threshold,
  };
}
