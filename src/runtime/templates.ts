// Renders files from templates/ and writes them only when absent: an operator's edits are never overwritten.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { Logger } from '../ui/logger.js';

const templatesDir = new URL('../../templates/', import.meta.url);

export async function renderTemplate(name: string, values: Record<string, string>): Promise<string> {
  const template = await readFile(new URL(name, templatesDir), 'utf8');
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (match, key: string) => values[key] ?? match);
}

/**
 * OpenBao refuses to enable audit devices over the API; it takes them declared in its config instead.
 * Vault enables them over the API (the configure step), so its config gets no block.
 */
export function declarativeAuditBlock(isOpenBao: boolean, filePath: string): string {
  if (!isOpenBao) return '';
  return `\n# Runbook: audit logging. OpenBao creates this device at start (it refuses API-enabled ones).\naudit "file" "bybit-vault-file" {\n  description = "bybit-vault: audit log"\n  options {\n    file_path = "${filePath}"\n  }\n}\n`;
}

export type WriteOutcome = 'created' | 'unchanged' | 'kept-operator-version';

/** Write `content` to `path` unless a file is there; a differing file is the operator's and is kept. */
export async function writeIfAbsent(path: string, content: string, logger: Logger, mode = 0o644): Promise<WriteOutcome> {
  let existing: string | undefined;
  try {
    existing = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (existing === undefined) {
    await writeFileAtomic(path, content, { mode });
    logger.success(`wrote ${path}`);
    return 'created';
  }
  if (digest(existing) === digest(content)) return 'unchanged';
  logger.warn(`${path} differs from what bybit-vault would generate: it is yours, so it is kept and used as it is`);
  return 'kept-operator-version';
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

