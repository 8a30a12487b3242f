// Where rollback finds values and tokens: the pre-migration backup, Vault, the keys file and the environment.
import { readEnvFile, type EnvDocument } from '../env/index.js';
import { isBybitVaultError } from '../errors.js';
import { groupByPath, type Mapping } from '../mapping/index.js';
import { keysFileExists, readKeysFile } from '../migration/keys-file.js';
import type { MigrationState } from '../state/schema.js';
import type { VaultClient } from '../vault/client.js';
import { VaultApiError, VaultUnreachableError } from '../vault/errors.js';

export interface BackupLookup {
  document?: EnvDocument;
  /** Why there is no usable backup (shown to the operator; never a value). */
  problem?: string;
}

export async function loadMigrationBackup(path: string | undefined): Promise<BackupLookup> {
  if (!path) return { problem: 'the state file records no pre-migration backup' };
  try {
    return { document: await readEnvFile(path) };
  } catch (error) {
    if (isBybitVaultError(error) && error.code === 'ENV_NOT_FOUND') return { problem: `the pre-migration backup ${path} is missing` };
    return { problem: `the pre-migration backup ${path} cannot be read: ${isBybitVaultError(error) ? error.message : String(error)}` };
  }
}

export interface TokenCandidate {
  /** Says where the token came from, for messages; never the token. */
  label: string;
  token: string;
}

export interface AdminTokenLookup {
  admin?: TokenCandidate;
  /** Why no admin token was found, naming the places looked at. */
  problem?: string;
}

/** The root token from --keys-file or the keys file migrate recorded, else VAULT_TOKEN from the environment. */
export async function findAdminToken(state: MigrationState, env: NodeJS.ProcessEnv, keysFileFlag?: string): Promise<AdminTokenLookup> {
  const notes: string[] = [];
  const keysFile = keysFileFlag ?? state.keysFile;
  if (keysFile) {
    if (await keysFileExists(keysFile)) {
      try {
        const { rootToken } = await readKeysFile(keysFile);
        if (rootToken) return { admin: { label: `the root token in ${keysFile}`, token: rootToken } };
        notes.push(`the keys file ${keysFile} holds no root_token`);
      } catch (error) {
        notes.push(isBybitVaultError(error) ? error.message : `the keys file ${keysFile} cannot be read`);
      }
    } else {
      notes.push(`the keys file ${keysFile} is missing`);
    }
  } else {
    notes.push('no keys file (--keys-file, or the one migrate recorded)');
  }
  const fromEnvironment = env.VAULT_TOKEN?.trim();
  if (fromEnvironment) return { admin: { label: 'VAULT_TOKEN from the environment', token: fromEnvironment } };
  notes.push('VAULT_TOKEN is not set in the environment');
  return { problem: notes.join('; ') };
}

/** Tokens that may read the migrated secrets: the application's own first, then an admin token. */
export function readTokenCandidates(current: EnvDocument, admin: TokenCandidate | undefined): TokenCandidate[] {
  const candidates: TokenCandidate[] = [];
  const appToken = current.values.VAULT_TOKEN?.trim();
  if (appToken) candidates.push({ label: 'the application token (VAULT_TOKEN in .env)', token: appToken });
  if (admin && admin.token !== appToken) candidates.push(admin);
  return candidates;
}

export interface VaultLookup {
  /** Values found, by variable name. */
  values: Record<string, string>;
  /** Why some or all values could not be read (unreachable, sealed, denied); empty when every read answered. */
  problems: string[];
  /** True when the server could not be asked at all (down, sealed): no key was read. */
  unavailable: boolean;
}

/** Reads the mapped fields of `keys` from KV v2, trying each token until one is allowed to read a path. */
export async function readMigratedValues(vault: VaultClient, mapping: Mapping, keys: string[], tokens: TokenCandidate[]): Promise<VaultLookup> {
  const wanted = new Set(keys);
  const lookup: VaultLookup = { values: {}, problems: [], unavailable: false };
  const unmapped = keys.filter((key) => !mapping.entries.some((entry) => entry.variable === key));
  if (unmapped.length > 0) lookup.problems.push(`the mapping has no Vault path for ${unmapped.join(', ')}`);
  if (tokens.length === 0) {
    lookup.problems.push('no token to read Vault with (no VAULT_TOKEN in .env, no root token in the keys file, no VAULT_TOKEN in the environment)');
    lookup.unavailable = true;
    return lookup;
  }
  for (const [path, entries] of groupByPath(mapping)) {
    const fields = entries.filter((entry) => wanted.has(entry.variable));
    if (fields.length === 0) continue;
    const read = await readPath(vault, mapping.mount, path, tokens);
    if ('problem' in read) {
      lookup.problems.push(read.problem);
      if (read.fatal) {
        lookup.unavailable = true;
        return lookup;
      }
      continue;
    }
    for (const entry of fields) {
      if (Object.hasOwn(read.data, entry.field)) lookup.values[entry.variable] = read.data[entry.field]!;
    }
  }
  return lookup;
}

type PathRead = { data: Record<string, string> } | { problem: string; fatal: boolean };

async function readPath(vault: VaultClient, mount: string, path: string, tokens: TokenCandidate[]): Promise<PathRead> {
  const denied: string[] = [];
  for (const candidate of tokens) {
    try {
      const secret = await vault.kvRead(candidate.token, mount, path);
      return { data: secret && !secret.deleted ? secret.data : {} };
    } catch (error) {
      if (error instanceof VaultApiError && error.isPermissionDenied) {
        denied.push(candidate.label);
        continue;
      }
      if (error instanceof VaultUnreachableError) return { problem: error.message, fatal: true };
      if (error instanceof VaultApiError) return { problem: error.message, fatal: error.isSealed || error.status >= 500 };
      throw error;
    }
  }
  return { problem: `reading ${mount}/${path} was denied to ${denied.join(' and ')}`, fatal: false };
}
