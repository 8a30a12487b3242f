import type { Mapping } from './types.js';

// The tool's own Vault connection settings: they configure the client, they are not application secrets to migrate.
const VAULT_CLIENT_VARIABLES = new Set(['VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_NAMESPACE']);

/** Keys of `envValues` that look like secrets but no mapping entry covers, in `envValues` order. */
export function unmappedSecretCandidates(
  mapping: Mapping,
  envValues: Record<string, string>,
  isSecretLike: (key: string, value: string) => boolean,
): string[] {
  const mapped = new Set(mapping.entries.map((entry) => entry.variable));
  return Object.entries(envValues)
    .filter(([key, value]) => !mapped.has(key) && !VAULT_CLIENT_VARIABLES.has(key) && isSecretLike(key, value))
    .map(([key]) => key);
}
