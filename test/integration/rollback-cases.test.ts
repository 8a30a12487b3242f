// Rollback of the hard .env cases (multi-line PEM, `=` in values, `export`, BOM, quotes, duplicates and empty
// values): migrate them into a real server, roll back (from the backup, then from Vault), get the file back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { fixturesDir, makeWorkspace, removeWorkspace, runCli, transcript } from '../support/cli.js';
import { serverBinary, startTestServer, type TestServer } from '../support/vault-server.js';

interface ParserCase {
  name: string;
  /** The keys moved into Vault; the other keys of the file stay in .env throughout. */
  migrated: string[];
}

const CASES: ParserCase[] = [
  { name: '01-multiline-pem', migrated: ['SIGNING_KEY', 'ESCAPED_KEY'] },
  { name: '03-equals-in-values', migrated: ['B64_KEY', 'DSN', 'LEAD'] },
  { name: '04-export-prefix', migrated: ['API_TOKEN', 'SPACED', 'exporter_url'] },
  { name: '06-utf8-bom', migrated: ['DATABASE_URL', 'REDIS_URL'] },
  { name: '08-quotes-escapes', migrated: ['Q1', 'Q2', 'U1', 'D', 'S', 'WIN'] },
  { name: '10-duplicates-empty', migrated: ['APP_DEBUG', 'OPTIONAL_WEBHOOK', 'EMPTY_QUOTED'] },
];

function mappingYaml(parserCase: ParserCase): string {
  const path = `cases/${parserCase.name.slice(0, 2)}`;
  const entries = parserCase.migrated.map((variable) => `  - variable: ${variable}\n    path: ${path}\n    field: ${variable.toLowerCase()}\n`);
  return `mount: secret\nmode: replace\nsecrets:\n${entries.join('')}`;
}

describe.skipIf(!serverBinary())('rollback of the .env parser cases (real server)', () => {
  let server: TestServer;
  let workspace: string;
  let keysFile: string;

  beforeAll(async () => {
    server = await startTestServer();
    workspace = await makeWorkspace('bybit-vault-rollback-cases-');
    keysFile = join(workspace, 'keys.json');
  });

  afterAll(async () => {
    await server?.destroy();
    if (workspace) await removeWorkspace(workspace);
  });

  it.each(CASES)('$name: migrate, roll back from the backup and from Vault, every value comes back', async (parserCase) => {
    const dir = join(workspace, parserCase.name);
    await mkdir(dir);
    const envFile = join(dir, '.env');
    const stateDir = join(dir, 'state');
    const mappingFile = join(dir, 'mapping.yaml');
    const original = readFileSync(join(fixturesDir, 'env', `${parserCase.name}.env`));
    const expected = (JSON.parse(readFileSync(join(fixturesDir, 'env', `${parserCase.name}.expected.json`), 'utf8')) as { values: Record<string, string> }).values;
    await copyFile(join(fixturesDir, 'env', `${parserCase.name}.env`), envFile);
    await writeFile(mappingFile, mappingYaml(parserCase));

    const migrate = async (): Promise<void> => {
      // One server for all cases: the first migration initialises it, the others find it initialised.
      const result = await runCli([
        'migrate', '--runtime', 'external', '--vault-addr', server.address, '--non-interactive', '--keys-file', keysFile,
        '--mapping', mappingFile, '--remove-plaintext', '--env-file', envFile, '--state-dir', stateDir,
      ]);
      expect(result.code, result.stderr).toBe(0);
      const values = dotenv.parse(await readFile(envFile));
      expect(parserCase.migrated.filter((key) => key in values)).toEqual([]);
    };
    const rollback = async (...args: string[]): Promise<void> => {
      const result = await runCli(['rollback', '--yes', '--env-file', envFile, '--state-dir', stateDir, ...args]);
      expect(result.code, result.stderr).toBe(0);
      const restored = await readFile(envFile);
      expect(dotenv.parse(restored)).toEqual(expected);
      expect(restored.equals(original), `${parserCase.name} ${args.join(' ')}: byte for byte`).toBe(true);
    };

    await migrate();
    await rollback();
    await migrate();
    await rollback('--from-vault');
  });

  it('no migrated value appears in any output', () => {
    const output = transcript.join('\n');
    const values = CASES.flatMap((parserCase) => {
      const expected = (JSON.parse(readFileSync(join(fixturesDir, 'env', `${parserCase.name}.expected.json`), 'utf8')) as { values: Record<string, string> }).values;
      return parserCase.migrated.map((key) => expected[key]!);
    });
    expect(values.filter((value) => value.length >= 6 && output.includes(value))).toEqual([]);
  });
});
