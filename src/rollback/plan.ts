// Pure rollback planning: which value each migrated variable gets back, and the .env bytes that hold it.
// No IO here: the inputs are parsed documents and values already read, so every decision is unit-testable.
import { BybitVaultError } from '../errors.js';
import { parseEnvBuffer, removeVariables, restoreVariables, setVariables, type EnvAssignment, type EnvDocument } from '../env/index.js';

/** The client variables the env step writes; rollback removes or reverts only these. */
export const VAULT_CLIENT_KEYS = ['VAULT_ADDR', 'VAULT_TOKEN', 'VAULT_NAMESPACE'] as const;

export type ValueOrigin = 'backup' | 'vault';

export type MigratedKeyDecision =
  /** The line is written back (inserted, or its value replaced) with `value`. */
  | { key: string; action: 'restore'; origin: ValueOrigin; value: string }
  /** Still in .env with the value it should have: its line stays byte for byte. */
  | { key: string; action: 'unchanged' }
  /** Neither .env, the backup nor Vault holds a value. */
  | { key: string; action: 'missing' };

export interface ClientLineDecision {
  key: string;
  /** remove: migrate added the line; revert: the backup's own line goes back. */
  action: 'remove' | 'revert';
}

export interface RollbackInput {
  current: EnvDocument;
  /** The pre-migration backup; undefined when it is gone or was never made. */
  backup?: EnvDocument;
  /** What Vault holds for migrated keys (a key absent here has no value there); undefined when Vault was not read. */
  vaultValues?: Record<string, string>;
  /** --from-vault: Vault's value wins over .env and the backup. */
  preferVault: boolean;
  migratedKeys: string[];
  /** VAULT_* keys the env step added (state.envAddedKeys). */
  addedClientKeys: string[];
  /** VAULT_* keys the env step wrote, added or overwritten. */
  writtenClientKeys: string[];
}

export interface RollbackPlan {
  migrated: MigratedKeyDecision[];
  clientLines: ClientLineDecision[];
  /** Keys restored into .env (migrated values and reverted client lines), in decision order. */
  restored: string[];
  removed: string[];
  unchanged: string[];
  missing: string[];
  /** The new .env bytes, verified; undefined when nothing changes or a value is missing. */
  content?: Buffer;
}

export function decideMigratedKeys(input: Pick<RollbackInput, 'current' | 'backup' | 'vaultValues' | 'preferVault' | 'migratedKeys'>): MigratedKeyDecision[] {
  const { current, backup, vaultValues, preferVault } = input;
  return input.migratedKeys.map((key): MigratedKeyDecision => {
    const currentValue = valueOf(current.values, key);
    const backupValue = backup ? valueOf(backup.values, key) : undefined;
    const vaultValue = vaultValues ? valueOf(vaultValues, key) : undefined;
    if (preferVault && vaultValue !== undefined) {
      return currentValue === vaultValue ? { key, action: 'unchanged' } : { key, action: 'restore', origin: 'vault', value: vaultValue };
    }
    // A line still in .env (cleanup not done) may carry the operator's later edit: it stays.
    if (currentValue !== undefined) return { key, action: 'unchanged' };
    if (backupValue !== undefined) return { key, action: 'restore', origin: 'backup', value: backupValue };
    if (vaultValue !== undefined) return { key, action: 'restore', origin: 'vault', value: vaultValue };
    return { key, action: 'missing' };
  });
}

export function decideClientLines(input: Pick<RollbackInput, 'current' | 'backup' | 'addedClientKeys' | 'writtenClientKeys'>): ClientLineDecision[] {
  const { current, backup } = input;
  const touched = new Set([...input.addedClientKeys, ...input.writtenClientKeys]);
  const decisions: ClientLineDecision[] = [];
  for (const key of VAULT_CLIENT_KEYS) {
    if (!touched.has(key)) continue;
    const currentValue = valueOf(current.values, key);
    const backupValue = backup ? valueOf(backup.values, key) : undefined;
    if (backupValue !== undefined) {
      // The key existed before the migration: its own line comes back instead of being dropped.
      if (currentValue !== backupValue) decisions.push({ key, action: 'revert' });
    } else if (currentValue !== undefined && input.addedClientKeys.includes(key)) {
      decisions.push({ key, action: 'remove' });
    }
  }
  return decisions;
}

export function planRollback(input: RollbackInput): RollbackPlan {
  const migrated = decideMigratedKeys(input);
  const clientLines = decideClientLines(input);
  const restores = migrated.filter((decision) => decision.action === 'restore');
  const reverts = clientLines.filter((decision) => decision.action === 'revert').map((decision) => decision.key);
  const plan: RollbackPlan = {
    migrated,
    clientLines,
    restored: [...restores.map((decision) => decision.key), ...reverts],
    removed: clientLines.filter((decision) => decision.action === 'remove').map((decision) => decision.key),
    unchanged: migrated.filter((decision) => decision.action === 'unchanged').map((decision) => decision.key),
    missing: migrated.filter((decision) => decision.action === 'missing').map((decision) => decision.key),
  };
  if (plan.missing.length > 0 || (plan.restored.length === 0 && plan.removed.length === 0)) return plan;

  const expected = expectedValues(input, restores, reverts, plan.removed);
  const content = buildContent(input, restores, reverts, plan.removed);
  verifyRollbackContent(content, expected, input.migratedKeys, input.current.sourceName);
  return { ...plan, content };
}

type RestoreDecision = Extract<MigratedKeyDecision, { action: 'restore' }>;

/**
 * Edits in an order where each one sees the result of the previous: values replaced in place, migrate's lines
 * removed, backup lines put back where they were, and lines the backup never had appended.
 */
function buildContent(input: RollbackInput, restores: RestoreDecision[], reverts: string[], removals: string[]): Buffer {
  const { current, backup } = input;
  const inCurrent = (key: string) => Object.hasOwn(current.values, key);
  const inBackup = (key: string) => backup !== undefined && Object.hasOwn(backup.values, key);

  let document = current;
  const apply = (edit: (doc: EnvDocument) => Buffer): void => {
    document = parseEnvBuffer(edit(document), current.sourceName);
  };

  // --from-vault over a line still in .env: only the value changes, the operator's line keeps its form.
  const replacements = restores.filter((decision) => inCurrent(decision.key));
  if (replacements.length > 0) apply((doc) => setVariables(doc, assignments(replacements)));
  if (removals.length > 0) apply((doc) => removeVariables(doc, removals));

  const fromBackupLines = restores.filter((decision) => !inCurrent(decision.key) && inBackup(decision.key));
  const backupLineKeys = [...fromBackupLines.map((decision) => decision.key), ...reverts];
  if (backup && backupLineKeys.length > 0) {
    const template = backupWithValues(backup, fromBackupLines.filter((decision) => decision.origin === 'vault'));
    apply((doc) => restoreVariables(doc, template, backupLineKeys));
  }

  const appended = restores.filter((decision) => !inCurrent(decision.key) && !inBackup(decision.key));
  if (appended.length > 0) apply((doc) => setVariables(doc, assignments(appended)));
  return document.bytes;
}

/** The backup with Vault's newer values in its own lines (same prefix, quotes where they can hold the value). */
function backupWithValues(backup: EnvDocument, newer: RestoreDecision[]): EnvDocument {
  if (newer.length === 0) return backup;
  return parseEnvBuffer(setVariables(backup, assignments(newer)), backup.sourceName);
}

function assignments(decisions: RestoreDecision[]): EnvAssignment[] {
  return decisions.map((decision) => ({ key: decision.key, value: decision.value }));
}

function expectedValues(input: RollbackInput, restores: RestoreDecision[], reverts: string[], removals: string[]): Record<string, string> {
  const expected: Record<string, string> = { ...input.current.values };
  for (const key of removals) delete expected[key];
  for (const key of reverts) expected[key] = input.backup!.values[key]!;
  for (const decision of restores) expected[decision.key] = decision.value;
  return expected;
}

/**
 * Refuses content unless dotenv reads every migrated key with exactly its planned value and every other key
 * exactly as planned. Names keys only, never values.
 */
export function verifyRollbackContent(content: Buffer, expected: Record<string, string>, migratedKeys: string[], sourceName: string): void {
  const actual = parseEnvBuffer(content, sourceName).values;
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual), ...migratedKeys]);
  const wrong = [...keys].filter((key) => valueOf(expected, key) === undefined || valueOf(expected, key) !== valueOf(actual, key));
  if (wrong.length > 0) {
    throw new BybitVaultError('ROLLBACK_VERIFY_FAILED', `The restored ${sourceName} would not hold the expected value of ${wrong.join(', ')}; nothing was written`, {
      hint: 'Fix those lines by hand (or restore them from the backup under the state directory), then run `bybit-vault rollback` again.',
    });
  }
}

function valueOf(values: Record<string, string>, key: string): string | undefined {
  return Object.hasOwn(values, key) ? values[key] : undefined;
}
