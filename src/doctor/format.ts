// Small, value-free renderings shared by the checks: token fingerprints, durations, where a setting comes from.
import { createHash } from 'node:crypto';
import type { ValueSource } from '../context.js';

/** Tells two tokens apart without revealing either: the first 8 hex digits of the token's SHA-256. */
export function tokenFingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 8)}`;
}

export function describeToken(token: string | undefined): string {
  return token ? `set (${tokenFingerprint(token)})` : 'unset';
}

export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0 s';
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return minutes > 0 ? `${minutes} min` : `${seconds} s`;
}

const SOURCE_LABELS: Record<ValueSource, string> = {
  flag: '--vault-addr',
  environment: 'shell environment',
  state: 'state file',
  '.env': "application's .env",
  default: 'built-in default',
};

export function describeSource(source: ValueSource): string {
  return SOURCE_LABELS[source];
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** `secret/bybit/credentials`: how operators name a KV v2 secret (the vault kv CLI form). */
export function secretName(mount: string, path: string): string {
  return `${mount}/${path}`;
}
