// Writing .env files and their backups: atomic, private, and never something we could not read back.
import { constants } from 'node:fs';
import { access, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvFileError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { parseEnvBuffer, readEnvFile } from './parse.js';

const NEW_FILE_MODE = 0o600;

/**
 * Replaces the file atomically. Keeps the existing file's permission bits unless `mode` is given,
 * and writes through a symlink to its target instead of replacing the link.
 */
export async function writeEnvFile(path: string, content: Buffer, mode?: number): Promise<void> {
  // Refuse to produce a file the next run would reject (wrong encoding, NUL bytes).
  parseEnvBuffer(content, path);
  const target = await existingTarget(path);
  const existing = target === undefined ? undefined : await stat(target);
  const existingMode = existing === undefined ? undefined : existing.mode & 0o7777;
  // Keep the owner too: the application may run as another user than the operator (often root).
  const owner = existing === undefined ? undefined : { uid: existing.uid, gid: existing.gid };
  await writeFileAtomic(target ?? path, content, { mode: mode ?? existingMode ?? NEW_FILE_MODE, owner });
}

/** Copies the file byte-exact to `<backupDir>/env-backup-<timestamp>.env` (0600) and returns that path. */
export async function backupEnvFile(path: string, backupDir: string): Promise<string> {
  // Reading through the parser gives the ENV_NOT_FOUND and encoding errors before anything is written.
  const { bytes } = await readEnvFile(path);
  // mkdir's mode applies only when it creates the directory; an existing directory keeps its mode.
  await mkdir(backupDir, { recursive: true, mode: 0o700 });
  const backupPath = await unusedPath(backupDir, `env-backup-${new Date().toISOString().replace(/:/g, '')}`, '.env');
  await writeFileAtomic(backupPath, bytes, { mode: 0o600 });
  if (!(await readFile(backupPath)).equals(bytes)) {
    throw new EnvFileError('ENV_BACKUP_FAILED', `The backup ${backupPath} does not match ${path}`, {
      hint: 'Check free disk space and the backup directory, then run the command again.',
    });
  }
  return backupPath;
}

async function existingTarget(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function unusedPath(directory: string, stem: string, extension: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const candidate = join(directory, `${stem}${attempt === 1 ? '' : `-${attempt}`}${extension}`);
    try {
      await access(candidate, constants.F_OK);
    } catch {
      return candidate;
    }
  }
}
