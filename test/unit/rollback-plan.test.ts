// The pure rollback planner: which value each key gets back and the exact bytes of the restored .env.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import dotenv from 'dotenv';
import { parseEnvBuffer, removeVariables, setVariables, type EnvDocument } from '../../src/env/index.js';
import { planRollback, verifyRollbackContent, type RollbackInput } from '../../src/rollback/index.js';

const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

function doc(text: string | Buffer, name = '.env'): EnvDocument {
  return parseEnvBuffer(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, name);
}

/** What migrate leaves behind: VAULT_* lines added by the env step, the migrated keys removed by cleanup. */
function migrated(original: EnvDocument, keys: string[], options: { cleanup?: boolean; client?: Record<string, string> } = {}): EnvDocument {
  const client = options.client ?? { VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_TOKEN: 's.appTokenFAKE000000000' };
  let current = doc(setVariables(original, Object.entries(client).map(([key, value]) => ({ key, value }))));
  if (options.cleanup ?? true) current = doc(removeVariables(current, keys));
  return current;
}

function input(overrides: Partial<RollbackInput> & Pick<RollbackInput, 'current' | 'migratedKeys'>): RollbackInput {
  return { preferVault: false, addedClientKeys: ['VAULT_ADDR', 'VAULT_TOKEN'], writtenClientKeys: ['VAULT_ADDR', 'VAULT_TOKEN'], ...overrides };
}

const APP_ENV = readFileSync(`${fixturesDir}bybit-app.env`);
const APP_KEYS = ['BYBIT_API_KEY', 'BYBIT_API_SECRET', 'BYBIT_TESTNET', 'DATABASE_URL', 'DATABASE_POOL_SIZE', 'REDIS_URL', 'MLFLOW_TRACKING_URI'];

describe('planRollback', () => {
  it('restores the original file byte for byte from the backup after a full migration', () => {
    const backup = doc(APP_ENV);
    const plan = planRollback(input({ current: migrated(backup, APP_KEYS), backup, migratedKeys: APP_KEYS }));
    expect(plan.missing).toEqual([]);
    expect(plan.restored).toEqual(APP_KEYS);
    expect(plan.removed).toEqual(['VAULT_ADDR', 'VAULT_TOKEN']);
    expect(plan.content!.equals(APP_ENV)).toBe(true);
  });

  it('keeps lines the operator added or changed after the migration', () => {
    const backup = doc(APP_ENV);
    const after = migrated(backup, APP_KEYS);
    const edited = doc(`${after.text.replace('LOG_LEVEL=info', 'LOG_LEVEL=debug # operator')}FEATURE_X=on\n`);
    const plan = planRollback(input({ current: edited, backup, migratedKeys: APP_KEYS }));
    const result = plan.content!.toString('utf8');
    expect(result).toContain('LOG_LEVEL=debug # operator\n');
    expect(result.endsWith('STRATEGY_DIR=./strategies\nFEATURE_X=on\n')).toBe(true);
    expect(dotenv.parse(plan.content!)).toEqual({ ...dotenv.parse(APP_ENV), LOG_LEVEL: 'debug', FEATURE_X: 'on' });
  });

  it('leaves a migrated line that is still in .env as it is (cleanup not done), even when it differs from the backup', () => {
    const backup = doc('A=1\nSECRET=old\n');
    const current = doc('A=1\nexport SECRET="edited later" # mine\nVAULT_ADDR=http://x\nVAULT_TOKEN=t\n');
    const plan = planRollback(input({ current, backup, migratedKeys: ['SECRET'] }));
    expect(plan.unchanged).toEqual(['SECRET']);
    expect(plan.content!.toString()).toBe('A=1\nexport SECRET="edited later" # mine\n');
  });

  it('--from-vault replaces a value still in .env in place, keeping its prefix, quotes and comment', () => {
    const backup = doc('SECRET=old\n');
    const current = doc('export SECRET="old" # mine\nVAULT_ADDR=http://x\nVAULT_TOKEN=t\n');
    const plan = planRollback(input({ current, backup, migratedKeys: ['SECRET'], preferVault: true, vaultValues: { SECRET: 'new value' } }));
    expect(plan.restored).toEqual(['SECRET']);
    expect(plan.content!.toString()).toBe('export SECRET="new value" # mine\n');
  });

  it('--from-vault with the same value as .env changes nothing for that key', () => {
    const current = doc('SECRET=same\nVAULT_TOKEN=t\n');
    const plan = planRollback(input({ current, migratedKeys: ['SECRET'], preferVault: true, vaultValues: { SECRET: 'same' } }));
    expect(plan.unchanged).toEqual(['SECRET']);
    expect(plan.content!.toString()).toBe('SECRET=same\n');
  });

  it('--from-vault puts a removed line back where the backup had it, in the backup line\'s style when it can hold the value', () => {
    const backup = doc("# head\nexport API='old-key'\nB=2\nPEM=\"a\nb\"\nTAIL=1\n");
    const current = migrated(backup, ['API', 'PEM']);
    const vaultValues = { API: 'new-key', PEM: 'x\ny\nz' };
    const plan = planRollback(input({ current, backup, migratedKeys: ['API', 'PEM'], preferVault: true, vaultValues }));
    expect(plan.content!.toString()).toBe("# head\nexport API='new-key'\nB=2\nPEM=\"x\ny\nz\"\nTAIL=1\n");
  });

  it('--from-vault falls back to a quote style that holds the value when the backup line\'s cannot', () => {
    const backup = doc("A=1\nAPI='old'\nB=2\n");
    const current = migrated(backup, ['API']);
    const plan = planRollback(input({ current, backup, migratedKeys: ['API'], preferVault: true, vaultValues: { API: "it's new" } }));
    expect(dotenv.parse(plan.content!)).toEqual({ A: '1', API: "it's new", B: '2' });
    expect(plan.content!.toString().split('\n')[1]).toMatch(/^API=/);
  });

  it('--from-vault uses the backup for a key Vault does not hold', () => {
    const backup = doc('A=1\nB=2\n');
    const current = migrated(backup, ['A', 'B']);
    const plan = planRollback(input({ current, backup, migratedKeys: ['A', 'B'], preferVault: true, vaultValues: { A: 'from-vault' } }));
    expect(plan.migrated).toEqual([
      { key: 'A', action: 'restore', origin: 'vault', value: 'from-vault' },
      { key: 'B', action: 'restore', origin: 'backup', value: '2' },
    ]);
    expect(plan.content!.toString()).toBe('A=from-vault\nB=2\n');
  });

  it('without a backup, Vault supplies the values and they are appended', () => {
    const current = doc('KEEP=1\nVAULT_ADDR=http://x\nVAULT_TOKEN=t\n');
    const plan = planRollback(input({ current, migratedKeys: ['S1', 'S2'], vaultValues: { S1: 'v 1', S2: 'plain' } }));
    expect(plan.content!.toString()).toBe("KEEP=1\nS1='v 1'\nS2=plain\n");
  });

  it('reports the keys nobody can supply and plans no content', () => {
    const current = doc('KEEP=1\nVAULT_TOKEN=t\n');
    const plan = planRollback(input({ current, backup: doc('OTHER=1\n'), migratedKeys: ['S1', 'S2'], vaultValues: { S2: 'x' } }));
    expect(plan.missing).toEqual(['S1']);
    expect(plan.content).toBeUndefined();
  });

  it('restores a VAULT_* line that existed before the migration instead of removing it', () => {
    const backup = doc('VAULT_ADDR=https://old.example:8200 # before\nS=1\n');
    const current = migrated(backup, ['S'], { client: { VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_TOKEN: 'tok' } });
    const plan = planRollback(input({ current, backup, migratedKeys: ['S'], addedClientKeys: ['VAULT_TOKEN'] }));
    expect(plan.restored).toEqual(['S', 'VAULT_ADDR']);
    expect(plan.removed).toEqual(['VAULT_TOKEN']);
    expect(plan.content!.equals(backup.bytes)).toBe(true);
  });

  it('leaves VAULT_* lines migrate did not add alone', () => {
    const current = doc('VAULT_NAMESPACE=team\nS=1\nVAULT_TOKEN=t\n');
    const plan = planRollback(input({ current, migratedKeys: ['S'], addedClientKeys: ['VAULT_TOKEN'] }));
    expect(plan.content!.toString()).toBe('VAULT_NAMESPACE=team\nS=1\n');
  });

  it('has nothing to do when .env already holds every value and no VAULT_* line', () => {
    const plan = planRollback(input({ current: doc('S=1\n'), migratedKeys: ['S'] }));
    expect(plan.content).toBeUndefined();
    expect(plan.unchanged).toEqual(['S']);
  });

  it('keeps CRLF line endings and a UTF-8 byte-order mark', () => {
    const original = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('FIRST=1\r\nSECRET="a b"\r\nLAST=z\r\n')]);
    const backup = doc(original);
    const plan = planRollback(input({ current: migrated(backup, ['FIRST', 'SECRET']), backup, migratedKeys: ['FIRST', 'SECRET'] }));
    expect(plan.content!.equals(original)).toBe(true);
  });

  it.each(['01-multiline-pem', '03-equals-in-values', '04-export-prefix', '06-utf8-bom', '08-quotes-escapes', '10-duplicates-empty'])(
    'round-trips the parser case %s byte for byte, from the backup and from Vault',
    (name) => {
      const original = readFileSync(`${fixturesDir}env/${name}.env`);
      const backup = doc(original);
      const keys = Object.keys(backup.values);
      const current = migrated(backup, keys);
      expect(planRollback(input({ current, backup, migratedKeys: keys })).content!.equals(original)).toBe(true);
      const fromVault = planRollback(input({ current, backup, migratedKeys: keys, preferVault: true, vaultValues: { ...backup.values } }));
      expect(fromVault.content!.equals(original)).toBe(true);
    },
  );
});

describe('verifyRollbackContent', () => {
  it('refuses content where a migrated key is missing or differs, naming the key and never the value', () => {
    const content = Buffer.from('A=wrong-value\n');
    expect(() => verifyRollbackContent(content, { A: 'expected-secret', B: 'other-secret' }, ['A', 'B'], '.env')).toThrowError(/A, B/);
    try {
      verifyRollbackContent(content, { A: 'expected-secret' }, ['A'], '.env');
    } catch (error) {
      expect(String((error as Error).message)).not.toMatch(/expected-secret|wrong-value/);
    }
  });

  it('accepts content that holds exactly the expected values', () => {
    expect(() => verifyRollbackContent(Buffer.from('A=1\nB="x y"\n'), { A: '1', B: 'x y' }, ['A'], '.env')).not.toThrow();
  });
});
