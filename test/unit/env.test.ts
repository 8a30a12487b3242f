import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { chmod, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile, lstat } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import dotenv from 'dotenv';
import { EnvFileError } from '../../src/errors.js';
import {
  DOTENV_LINE_PATTERN,
  backupEnvFile,
  looksLikeSecret,
  parseEnvBuffer,
  readEnvFile,
  removeVariables,
  restoreVariables,
  serializeValue,
  serializeValueInStyle,
  setVariables,
  writeEnvFile,
  type EnvDocument,
} from '../../src/env/index.js';
import { firstInvalidUtf8Offset } from '../../src/env/encoding.js';

const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const envCasesDir = join(fixturesDir, 'env');

interface ExpectedCase {
  values?: Record<string, string>;
  warnings?: Array<{ key: string; kind: string; lines: number[] }>;
  error?: string;
  note?: string;
}

/** expected.json error kinds mapped to our error codes. */
const ERROR_CODES: Record<string, string> = { encoding: 'ENV_ENCODING' };

function fixtureBytes(relativePath: string): Buffer {
  return readFileSync(join(fixturesDir, relativePath));
}

function parseText(text: string, sourceName = 'test.env'): EnvDocument {
  return parseEnvBuffer(Buffer.from(text, 'utf8'), sourceName);
}

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function expectEnvError(action: () => unknown, code: string): EnvFileError {
  const error = catchError(action);
  expect(error).toBeInstanceOf(EnvFileError);
  expect((error as EnvFileError).code).toBe(code);
  return error as EnvFileError;
}

/** Lines `first`..`last` (1-based) of `text` with their inner line breaks, found independently of src/env. */
function linesOf(text: string, first: number, last: number): string {
  const starts = [0];
  for (const lineBreak of text.matchAll(/\r\n|\r|\n/g)) starts.push(lineBreak.index + lineBreak[0].length);
  const end = last < starts.length ? starts[last]! : text.length;
  return text.slice(starts[first - 1], end).replace(/(\r\n|\r|\n)$/, '');
}

/** A small deterministic PRNG so the property tests are reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

describe('dotenv reference', () => {
  it('our LINE pattern is the one in the installed dotenv', () => {
    const require = createRequire(import.meta.url);
    const mainSource = readFileSync(require.resolve('dotenv'), 'utf8');
    expect(mainSource).toContain(`const LINE = /${DOTENV_LINE_PATTERN.source}/mg`);
  });
});

describe('fixture cases (test/fixtures/env)', () => {
  const caseNames = readdirSync(envCasesDir)
    .filter((name) => name.endsWith('.env'))
    .map((name) => name.slice(0, -'.env'.length));

  it('has every case with its expectations', () => {
    expect(caseNames).toHaveLength(7);
    for (const name of caseNames) expect(readdirSync(envCasesDir)).toContain(`${name}.expected.json`);
  });

  for (const name of caseNames) {
    const expected = JSON.parse(readFileSync(join(envCasesDir, `${name}.expected.json`), 'utf8')) as ExpectedCase;
    const bytes = fixtureBytes(`env/${name}.env`);

    if (expected.error !== undefined) {
      it(`${name}: stops with ${expected.error} error`, () => {
        const code = ERROR_CODES[expected.error!];
        expect(code).toBeDefined();
        expectEnvError(() => parseEnvBuffer(bytes, `${name}.env`), code!);
      });

      it(`${name}: readEnvFile rejects it and the file is not touched`, async () => {
        const directory = await mkdtemp(join(tmpdir(), 'env-case-'));
        try {
          const path = join(directory, '.env');
          await writeFile(path, bytes);
          const before = await stat(path);
          await expect(readEnvFile(path)).rejects.toMatchObject({ code: ERROR_CODES[expected.error!] });
          expect(await readFile(path)).toEqual(bytes);
          expect((await stat(path)).mtimeMs).toBe(before.mtimeMs);
          expect(await readdir(directory)).toEqual(['.env']);
        } finally {
          await rm(directory, { recursive: true, force: true });
        }
      });
      continue;
    }

    it(`${name}: values are dotenv's, byte for byte`, () => {
      const doc = parseEnvBuffer(bytes, `${name}.env`);
      expect(doc.values).toStrictEqual(expected.values);
      for (const [key, value] of Object.entries(expected.values!)) {
        expect(Buffer.from(doc.values[key]!, 'utf8').equals(Buffer.from(value, 'utf8'))).toBe(true);
      }
      expect({ ...dotenv.parse(doc.text) }).toStrictEqual(expected.values);
    });

    it(`${name}: warnings are exactly the expected ones`, () => {
      const doc = parseEnvBuffer(bytes, `${name}.env`);
      expect(doc.warnings).toStrictEqual(expected.warnings ?? []);
      expect(doc.duplicates).toStrictEqual((expected.warnings ?? []).filter((w) => w.kind === 'duplicate').map(({ key, lines }) => ({ key, lines })));
    });

    it(`${name}: warnings never carry values`, () => {
      const doc = parseEnvBuffer(bytes, `${name}.env`);
      const serialized = JSON.stringify(doc.warnings);
      for (const value of Object.values(doc.values)) if (value.length > 3) expect(serialized).not.toContain(value);
    });

    it(`${name}: entries cover the file and their raw text is the file's`, () => {
      const doc = parseEnvBuffer(bytes, `${name}.env`);
      for (const entry of doc.lines) {
        expect(entry.raw).toBe(linesOf(doc.text, entry.startLine, entry.endLine));
        expect(doc.text.slice(entry.offsets.start, entry.offsets.end)).toBe(entry.raw);
      }
    });
  }
});

describe('parseEnvBuffer: line structure', () => {
  it('01: multi-line PEM spans lines 2-5, the escaped form stays on one line, the key after survives', () => {
    const doc = parseEnvBuffer(fixtureBytes('env/01-multiline-pem.env'), '01.env');
    expect(doc.lines.map(({ key, startLine, endLine, quote, exported }) => ({ key, startLine, endLine, quote, exported }))).toEqual([
      { key: 'APP_NAME', startLine: 1, endLine: 1, quote: 'none', exported: false },
      { key: 'SIGNING_KEY', startLine: 2, endLine: 5, quote: 'double', exported: false },
      { key: 'ESCAPED_KEY', startLine: 6, endLine: 6, quote: 'double', exported: false },
      { key: 'AFTER', startLine: 7, endLine: 7, quote: 'none', exported: false },
    ]);
    expect(doc.lines[1]!.raw).toBe('SIGNING_KEY="-----BEGIN PRIVATE KEY-----\nAAAAFAKELINE1\nBBBBFAKELINE2\n-----END PRIVATE KEY-----"');
    expect(doc.warnings).toEqual([]);
  });

  it('04: export prefix (also with extra spaces) is recognised; exporter_url and EXPORT_DIR are ordinary keys', () => {
    const doc = parseEnvBuffer(fixtureBytes('env/04-export-prefix.env'), '04.env');
    expect(doc.lines.map(({ key, exported, raw }) => ({ key, exported, raw }))).toEqual([
      { key: 'API_TOKEN', exported: true, raw: 'export API_TOKEN=fake-token-1' },
      { key: 'SPACED', exported: true, raw: 'export    SPACED=two' },
      { key: 'exporter_url', exported: false, raw: 'exporter_url=http://metrics.local' },
      { key: 'EXPORT_DIR', exported: false, raw: 'EXPORT_DIR=/tmp/out' },
    ]);
  });

  it('06: a UTF-8 BOM is stripped from the first key and remembered', () => {
    const bytes = fixtureBytes('env/06-utf8-bom.env');
    const doc = parseEnvBuffer(bytes, '06.env');
    expect(doc.hasBom).toBe(true);
    expect(doc.text.startsWith('DATABASE_URL=')).toBe(true);
    expect(doc.lines[0]!.key).toBe('DATABASE_URL');
    expect(Object.keys(doc.values)).toEqual(['DATABASE_URL', 'REDIS_URL']);
    expect(doc.bytes).toBe(bytes);
  });

  it('08: quote styles, trailing spaces after a closing quote, literal single quotes', () => {
    const doc = parseEnvBuffer(fixtureBytes('env/08-quotes-escapes.env'), '08.env');
    expect(doc.lines.map(({ key, quote }) => [key, quote])).toEqual([
      ['Q1', 'double'],
      ['Q2', 'double'],
      ['U1', 'none'],
      ['D', 'double'],
      ['S', 'single'],
      ['WIN', 'single'],
    ]);
    expect(doc.lines[0]!.raw).toBe('Q1="quoted value"  ');
  });

  it('10: duplicates keep all line numbers, last wins, empty values are kept', () => {
    const doc = parseEnvBuffer(fixtureBytes('env/10-duplicates-empty.env'), '10.env');
    expect(doc.duplicates).toEqual([{ key: 'APP_DEBUG', lines: [1, 4] }]);
    expect(doc.values['APP_DEBUG']).toBe('true');
    expect(Object.hasOwn(doc.values, 'OPTIONAL_WEBHOOK')).toBe(true);
    expect(doc.values['EMPTY_QUOTED']).toBe('');
  });

  it('bybit-app.env: every mapped key and the untouched ones, with their lines', () => {
    const doc = parseEnvBuffer(fixtureBytes('bybit-app.env'), 'bybit-app.env');
    expect(doc.values).toStrictEqual({
      APP_ENV: 'development',
      LOG_LEVEL: 'info',
      BYBIT_API_KEY: 'Fk3x9TESTKEYa1B2c3D4',
      BYBIT_API_SECRET: 'sEcReT/with+base64=chars==FAKE0123456789abcdef',
      BYBIT_TESTNET: 'true',
      DATABASE_URL: 'postgresql://bybit_user:p%40ss-w0rd!FAKE@localhost:5432/bybit_tester',
      DATABASE_POOL_SIZE: '10',
      REDIS_URL: 'redis://:fake-redis-pass@localhost:6379/0',
      MLFLOW_TRACKING_URI: 'http://localhost:5000',
      STRATEGY_DIR: './strategies',
    });
    expect(doc.lines.map(({ key, startLine }) => [key, startLine])).toEqual([
      ['APP_ENV', 4],
      ['LOG_LEVEL', 5],
      ['BYBIT_API_KEY', 8],
      ['BYBIT_API_SECRET', 9],
      ['BYBIT_TESTNET', 10],
      ['DATABASE_URL', 13],
      ['DATABASE_POOL_SIZE', 14],
      ['REDIS_URL', 15],
      ['MLFLOW_TRACKING_URI', 18],
      ['STRATEGY_DIR', 20],
    ]);
    expect(doc.eol).toBe('\n');
    expect(doc.hasBom).toBe(false);
    expect(doc.warnings).toEqual([]);
  });

  it('detects CRLF as the dominant line ending and treats a lone CR as dotenv does', () => {
    expect(parseText('A=1\r\nB=2\r\nC=3\n').eol).toBe('\r\n');
    expect(parseText('A=1\nB=2\r\nC=3\n').eol).toBe('\n');
    expect(parseText('A=1').eol).toBe('\n');
    const oldMac = parseText('A=1\rB="x\ry"\rC=3');
    expect(oldMac.values).toEqual(dotenv.parse('A=1\rB="x\ry"\rC=3'));
    expect(oldMac.lines.map(({ key, startLine, endLine }) => [key, startLine, endLine])).toEqual([
      ['A', 1, 1],
      ['B', 2, 3],
      ['C', 4, 4],
    ]);
  });

  it('does not expand variables, strips inline comments the way dotenv does', () => {
    const doc = parseText('A=$HOME/x\nB=${A}\nC=abc#not-a-comment?\nD="x#y" # comment\nE=a b  # c\n');
    expect(doc.values).toEqual({ A: '$HOME/x', B: '${A}', C: 'abc', D: 'x#y', E: 'a b' });
  });

  it('follows dotenv where it is surprising, and reports lines dotenv skips', () => {
    const cases = [
      'EMPTY=\n"next line is swallowed"\nB=1\n',
      'K:\nvalue on next line\n',
      'K="a" junk\n',
      'K="a\\"b"\n',
      'A="unterminated\nB="x"\n',
      "K=''a\"b`c''\n",
      'export\nK=v\n',
      'K\n=v\n',
      'A=1\n\n# c\nB=2',
      '  indented = spaced  \n',
      'PEM=-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n',
    ];
    for (const text of cases) {
      const doc = parseText(text);
      expect(doc.values, text).toStrictEqual({ ...dotenv.parse(text) });
    }
    expect(parseText('PEM=-----BEGIN KEY-----\nAAAA\n-----END KEY-----\n').warnings).toEqual([{ kind: 'ignored-line', lines: [2, 3] }]);
    expect(parseText('K:\nvalue on next line\n').lines[0]).toMatchObject({ startLine: 1, endLine: 2 });
  });

  it('property: on random files of awkward lines, values always equal dotenv.parse and entries locate the right text', () => {
    const random = seededRandom(1234);
    const fragments = [
      'A=1', 'export B="x', 'y"', '# comment', '', '  ', "C='p", "q'", 'D=`r', 's`', 'K:', 'K: v', 'v', '=', '"',
      'E= #c', 'F=a#b', '__proto__=1', 'G="a\\nb"', "H='a\\'b'", 'I="q" junk', '  export   J = spaced  ', 'L=', '"orphan"',
      'M="multi', 'line"', 'N=ü😀', '\ufeffO=bom-mid', 'P=\'x\' # c', 'A=2',
    ];
    for (let round = 0; round < 1500; round++) {
      const lineCount = 1 + Math.floor(random() * 8);
      let text = '';
      for (let index = 0; index < lineCount; index++) {
        text += fragments[Math.floor(random() * fragments.length)]!;
        if (index < lineCount - 1 || random() < 0.7) text += random() < 0.3 ? '\r\n' : random() < 0.05 ? '\r' : '\n';
      }
      const doc = parseText(text);
      expect(doc.values, JSON.stringify(text)).toStrictEqual({ ...dotenv.parse(text) });
      for (const entry of doc.lines) {
        expect(entry.raw, JSON.stringify(text)).toBe(linesOf(doc.text, entry.startLine, entry.endLine));
        // As it sits in a file: followed by a line break (`K:` needs it, the colon form wants whitespace after it).
        expect(dotenv.parse(`${entry.raw}\n`)[entry.key], JSON.stringify(text)).toBe(entry.value);
      }
      const covered = new Set(doc.lines.flatMap((entry) => Array.from({ length: entry.endLine - entry.startLine + 1 }, (_, i) => entry.startLine + i)));
      expect(covered.size, JSON.stringify(text)).toBe(doc.lines.reduce((sum, entry) => sum + entry.endLine - entry.startLine + 1, 0));
    }
  });

  it('reports __proto__ as ignored, as dotenv drops it', () => {
    const doc = parseText('__proto__=x\nB=1\n');
    expect(doc.values).toStrictEqual({ B: '1' });
    expect(doc.warnings).toEqual([{ kind: 'ignored-key', key: '__proto__', lines: [1] }]);
  });

  it('handles an empty file and a file of comments only', () => {
    expect(parseText('').values).toEqual({});
    expect(parseText('# only\n\n').lines).toEqual([]);
  });
});

describe('encoding checks', () => {
  const utf16Text = 'DATABASE_URL=postgres://fake@db/app\nREDIS_URL=redis://fake@cache\n';

  it.each([
    ['UTF-16LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf16Text, 'utf16le')]), 'UTF-16LE'],
    ['UTF-16LE without BOM', Buffer.from(utf16Text, 'utf16le'), 'UTF-16LE'],
    ['UTF-16BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(utf16Text, 'utf16le').swap16()]), 'UTF-16BE'],
    ['UTF-16BE without BOM', Buffer.from(utf16Text, 'utf16le').swap16(), 'UTF-16BE'],
    ['UTF-32LE with BOM', Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]), 'UTF-32LE'],
  ])('%s is an ENV_ENCODING error naming the encoding, with an iconv hint', (_label, bytes, encoding) => {
    const error = expectEnvError(() => parseEnvBuffer(bytes, '.env'), 'ENV_ENCODING');
    expect(error.message).toContain(encoding);
    expect(error.hint).toContain(`iconv -f ${encoding} -t UTF-8 .env`);
  });

  it('the UTF-16LE fixture is one of them (dotenv alone would report zero keys)', () => {
    const bytes = fixtureBytes('env/06-utf16le.env');
    expect(Object.keys(dotenv.parse(bytes))).toHaveLength(0);
    const error = expectEnvError(() => parseEnvBuffer(bytes, '.env'), 'ENV_ENCODING');
    expect(error.message).toContain('UTF-16LE');
  });

  it('invalid UTF-8 (Latin-1) names the line and suggests a conversion', () => {
    const bytes = Buffer.concat([Buffer.from('A=1\nPASSWORD=caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    const error = expectEnvError(() => parseEnvBuffer(bytes, '.env'), 'ENV_ENCODING');
    expect(error.message).toContain('line 2');
    expect(error.message).not.toContain('caf');
    expect(error.hint).toContain('iconv -f WINDOWS-1252 -t UTF-8');
  });

  it('NUL bytes are binary data, not text', () => {
    const error = expectEnvError(() => parseEnvBuffer(Buffer.from('A=1\nB=\0\0\x01\x02\xff\n', 'latin1'), '.env'), 'ENV_ENCODING');
    expect(error.message).toContain('NUL');
  });

  it('quotes an odd path in the hint', () => {
    const error = expectEnvError(() => parseEnvBuffer(Buffer.from(utf16Text, 'utf16le'), 'my dir/.env'), 'ENV_ENCODING');
    expect(error.hint).toContain("'my dir/.env'");
  });

  it('the UTF-8 validator agrees with node:buffer isUtf8', () => {
    const random = seededRandom(7);
    const alphabet = [0x41, 0x0a, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xa0, 0x9f, 0xf0, 0xf4, 0xf5, 0x90, 0x8f, 0xff];
    for (let round = 0; round < 5000; round++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]!);
      expect(firstInvalidUtf8Offset(bytes) === -1, Buffer.from(bytes).toString('hex')).toBe(isUtf8(bytes));
    }
    expect(firstInvalidUtf8Offset(Buffer.from('ünïcødé 😀'))).toBe(-1);
  });

  it('non-ASCII UTF-8 values are read exactly', () => {
    expect(parseText('GREETING="grüß dich 😀"\n').values['GREETING']).toBe('grüß dich 😀');
  });
});

describe('readEnvFile', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'env-read-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('a missing file is ENV_NOT_FOUND with a hint', async () => {
    const error = await readEnvFile(join(directory, 'missing.env')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EnvFileError);
    expect((error as EnvFileError).code).toBe('ENV_NOT_FOUND');
    expect((error as EnvFileError).hint).toContain('--env-file');
  });

  it('a directory is ENV_NOT_A_FILE', async () => {
    await expect(readEnvFile(directory)).rejects.toMatchObject({ code: 'ENV_NOT_A_FILE' });
  });

  it('reads a file and names it in the document', async () => {
    const path = join(directory, '.env');
    await writeFile(path, fixtureBytes('bybit-app.env'));
    const doc = await readEnvFile(path);
    expect(doc.sourceName).toBe(path);
    expect(doc.values['BYBIT_API_KEY']).toBe('Fk3x9TESTKEYa1B2c3D4');
  });
});

describe('setVariables', () => {
  it('appends new keys at the end in the file eol style, leaving every other byte', () => {
    const original = fixtureBytes('bybit-app.env');
    const result = setVariables(parseEnvBuffer(original, '.env'), [
      { key: 'VAULT_ADDR', value: 'http://127.0.0.1:8200' },
      { key: 'VAULT_TOKEN', value: 'hvs.FAKE-token' },
    ]);
    expect(result.toString()).toBe(`${original.toString()}VAULT_ADDR=http://127.0.0.1:8200\nVAULT_TOKEN=hvs.FAKE-token\n`);
  });

  it('adds a line ending first when the file does not end with one, and handles an empty file', () => {
    expect(setVariables(parseText('A=1'), [{ key: 'B', value: '2' }]).toString()).toBe('A=1\nB=2\n');
    expect(setVariables(parseText('A=1\r\nC=3'), [{ key: 'B', value: '2' }]).toString()).toBe('A=1\r\nC=3\r\nB=2\r\n');
    expect(setVariables(parseText(''), [{ key: 'B', value: '2' }]).toString()).toBe('B=2\n');
  });

  it('replaces only the value of an existing key in a CRLF file, keeping quotes and comments', () => {
    const text = '# header\r\nA=1\r\nB="old value" # keep me\r\nC=3\r\n';
    const result = setVariables(parseText(text), [{ key: 'B', value: 'new value' }]);
    expect(result.toString()).toBe('# header\r\nA=1\r\nB="new value" # keep me\r\nC=3\r\n');
  });

  it('keeps the BOM and the export prefix with its spacing', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('export    API_TOKEN=old\nX=1\n')]);
    const result = setVariables(parseEnvBuffer(bytes, '.env'), [{ key: 'API_TOKEN', value: 'new' }]);
    expect(result).toEqual(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('export    API_TOKEN=new\nX=1\n')]));
  });

  it('uses export for new keys when every existing entry is exported', () => {
    expect(setVariables(parseText('export A=1\n'), [{ key: 'B', value: '2' }]).toString()).toBe('export A=1\nexport B=2\n');
  });

  it('replaces the last occurrence of a duplicate key only', () => {
    const original = fixtureBytes('env/10-duplicates-empty.env').toString();
    const result = setVariables(parseText(original), [{ key: 'APP_DEBUG', value: 'maybe' }]).toString();
    expect(result).toBe(original.replace('APP_DEBUG=true', 'APP_DEBUG=maybe'));
    expect(result.startsWith('APP_DEBUG=false\n')).toBe(true);
  });

  it('fills empty values in place, quoted or not', () => {
    const original = fixtureBytes('env/10-duplicates-empty.env').toString();
    const result = setVariables(parseText(original), [
      { key: 'OPTIONAL_WEBHOOK', value: 'https://hooks.local/x' },
      { key: 'EMPTY_QUOTED', value: 'now set' },
    ]).toString();
    expect(result).toBe('APP_DEBUG=false\nOPTIONAL_WEBHOOK=https://hooks.local/x\nEMPTY_QUOTED="now set"\nAPP_DEBUG=true\n');
  });

  it('changes the quote style only when the value cannot be written in it', () => {
    const text = "U1=plain\nS='single'\nD=\"double\"\n";
    const result = setVariables(parseText(text), [
      { key: 'U1', value: 'has # hash' },
      { key: 'S', value: "it's" },
      { key: 'D', value: 'a\\nb' },
    ]).toString();
    expect(result).toBe("U1='has # hash'\nS=\"it's\"\nD='a\\nb'\n");
    expect(dotenv.parse(result)).toEqual({ U1: 'has # hash', S: "it's", D: 'a\\nb' });
  });

  it('replaces a multi-line PEM with another one, keeping the multi-line double-quoted form and every other byte', () => {
    const original = fixtureBytes('env/01-multiline-pem.env').toString();
    const newPem = '-----BEGIN PRIVATE KEY-----\nNEWFAKE1\nNEWFAKE2\nNEWFAKE3\n-----END PRIVATE KEY-----';
    const result = setVariables(parseText(original), [{ key: 'SIGNING_KEY', value: newPem }]).toString();
    expect(result).toBe(
      original.replace('"-----BEGIN PRIVATE KEY-----\nAAAAFAKELINE1\nBBBBFAKELINE2\n-----END PRIVATE KEY-----"', `"${newPem}"`),
    );
    expect(dotenv.parse(result)['SIGNING_KEY']).toBe(newPem);
  });

  it('writes a new multi-line value into a CRLF file with CRLF inside the quotes', () => {
    const result = setVariables(parseText('A=1\r\nPEM="x\r\ny"\r\n'), [{ key: 'PEM', value: 'p\nq' }]);
    expect(result.toString()).toBe('A=1\r\nPEM="p\r\nq"\r\n');
    expect(parseEnvBuffer(result, '.env').values['PEM']).toBe('p\nq');
  });

  it('keeps the colon form valid', () => {
    expect(setVariables(parseText('K: old\n'), [{ key: 'K', value: 'new' }]).toString()).toBe('K: new\n');
  });

  it('rejects names dotenv cannot read and values it cannot represent, naming the key but not the value', () => {
    expectEnvError(() => setVariables(parseText('A=1\n'), [{ key: 'BAD KEY', value: 'x' }]), 'ENV_INVALID_KEY');
    expectEnvError(() => setVariables(parseText('A=1\n'), [{ key: '__proto__', value: 'x' }]), 'ENV_INVALID_KEY');
    const error = expectEnvError(() => setVariables(parseText('A=1\n'), [{ key: 'A', value: 'secret#\'"`' }]), 'ENV_UNREPRESENTABLE');
    expect(error.message).toContain('A:');
    expect(error.message).not.toContain('secret');
  });

  it('falls back to quoting when the kept style would let dotenv swallow the next line', () => {
    // An empty unquoted value makes dotenv take the next line as the value when that line starts with a quote.
    const doc = parseText('A=x\n"orphan"\n');
    expect(doc.warnings).toEqual([{ kind: 'ignored-line', lines: [2] }]);
    expect(dotenv.parse('A=\n"orphan"\n')).toEqual({ A: 'orphan' });
    expect(setVariables(doc, [{ key: 'A', value: '' }]).toString()).toBe("A=''\n\"orphan\"\n");
  });
});

describe('removeVariables', () => {
  it('removes the mapped secrets and nothing else', () => {
    const original = fixtureBytes('bybit-app.env').toString();
    const result = removeVariables(parseText(original), ['BYBIT_API_KEY', 'BYBIT_API_SECRET', 'DATABASE_URL', 'REDIS_URL', 'MLFLOW_TRACKING_URI']).toString();
    const kept = original
      .split('\n')
      .filter((line) => !/^(BYBIT_API_KEY|BYBIT_API_SECRET|DATABASE_URL|REDIS_URL|MLFLOW_TRACKING_URI)=/.test(line))
      .join('\n');
    expect(result).toBe(kept);
    expect(result).toContain('# Exchange credentials\nBYBIT_TESTNET=true\n');
  });

  it('removes every line of a multi-line PEM', () => {
    const result = removeVariables(parseText(fixtureBytes('env/01-multiline-pem.env').toString()), ['SIGNING_KEY']).toString();
    expect(result).toBe('APP_NAME=demo\nESCAPED_KEY="-----BEGIN PRIVATE KEY-----\\nCCCCFAKE\\n-----END PRIVATE KEY-----"\nAFTER=still-here\n');
  });

  it('removes every occurrence of a duplicate key', () => {
    const result = removeVariables(parseText(fixtureBytes('env/10-duplicates-empty.env').toString()), ['APP_DEBUG']).toString();
    expect(result).toBe('OPTIONAL_WEBHOOK=\nEMPTY_QUOTED=""\n');
  });

  it('keeps CRLF, BOM, export prefixes and comments', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const bytes = Buffer.concat([bom, Buffer.from('# top\r\nexport A=1\r\nexport B=2 # inline\r\n  C=3\r\n')]);
    const result = removeVariables(parseEnvBuffer(bytes, '.env'), ['B']);
    expect(result).toEqual(Buffer.concat([bom, Buffer.from('# top\r\nexport A=1\r\n  C=3\r\n')]));
  });

  it('refuses a removal that would change how dotenv reads a neighbouring line', () => {
    const doc = parseText('A=\nB=1\n"orphan"\n');
    expectEnvError(() => removeVariables(doc, ['B']), 'ENV_REWRITE_VERIFY');
  });

  it('removes a last line without a line ending, and ignores unknown keys', () => {
    expect(removeVariables(parseText('A=1\nB=2'), ['B', 'NOPE']).toString()).toBe('A=1\n');
  });
});

describe('restoreVariables (rollback)', () => {
  const mapped = ['BYBIT_API_KEY', 'BYBIT_API_SECRET', 'BYBIT_TESTNET', 'DATABASE_URL', 'DATABASE_POOL_SIZE', 'REDIS_URL', 'MLFLOW_TRACKING_URI'];

  function migrate(original: string): string {
    const withVault = setVariables(parseText(original), [
      { key: 'VAULT_ADDR', value: 'http://127.0.0.1:8200' },
      { key: 'VAULT_TOKEN', value: 'hvs.FAKE' },
    ]);
    return removeVariables(parseEnvBuffer(withVault, '.env'), mapped).toString();
  }

  it('restores every secret where it was, keeping a line the operator added after migration', () => {
    const original = fixtureBytes('bybit-app.env').toString();
    const migrated = migrate(original);
    const operatorEdited = migrated.replace('LOG_LEVEL=info\n', 'LOG_LEVEL=info\nFEATURE_FLAG=on\n');

    const restored = restoreVariables(parseText(operatorEdited), parseText(original), mapped).toString();
    const withoutVault = removeVariables(parseText(restored), ['VAULT_ADDR', 'VAULT_TOKEN']).toString();
    expect(withoutVault).toBe(original.replace('LOG_LEVEL=info\n', 'LOG_LEVEL=info\nFEATURE_FLAG=on\n'));
    expect(parseText(restored).values).toMatchObject(parseText(original).values);
  });

  it('replaces a key that still exists in current with the backup entry text', () => {
    const backup = parseText("A=1\nexport SECRET='orig'\nB=2\n");
    const current = parseText('A=1\nSECRET=changed # note\nB=2\nNEW=x\n');
    expect(restoreVariables(current, backup, ['SECRET']).toString()).toBe("A=1\nexport SECRET='orig'\nB=2\nNEW=x\n");
  });

  it('anchors on an earlier line when the nearest one was changed, and on the following line for the first entry', () => {
    const backup = parseText('FIRST=1\nA=1\n# comment\nSECRET=s\nB=2\n');
    const current = parseText('A=1\n# comment changed\nB=2\n');
    expect(restoreVariables(current, backup, ['SECRET', 'FIRST']).toString()).toBe('FIRST=1\nA=1\nSECRET=s\n# comment changed\nB=2\n');
  });

  it('appends at the end when no neighbouring line survived', () => {
    const backup = parseText('X=1\nSECRET=s\n');
    const current = parseText('Y=2');
    expect(restoreVariables(current, backup, ['SECRET']).toString()).toBe('Y=2\nSECRET=s\n');
  });

  it('restores a multi-line PEM and duplicates byte-exact in a CRLF file with a BOM', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const originalText = 'APP=demo\r\nKEY="-----BEGIN-----\r\nAAAA\r\n-----END-----"\r\nDUP=1\r\n# c\r\nDUP=2\r\nTAIL=t\r\n';
    const original = parseEnvBuffer(Buffer.concat([bom, Buffer.from(originalText)]), '.env');
    const removed = parseEnvBuffer(removeVariables(original, ['KEY', 'DUP']), '.env');
    expect(removed.text).toBe('APP=demo\r\n# c\r\nTAIL=t\r\n');
    const restored = restoreVariables(removed, original, ['KEY', 'DUP']);
    expect(restored).toEqual(original.bytes);
  });

  it('never inserts inside a multi-line value of another key', () => {
    const backup = parseText('P="x\nshared\ny"\nshared\nSECRET=s\n');
    const current = parseText('P="x\nshared\ny"\n');
    const result = restoreVariables(current, backup, ['SECRET']).toString();
    expect(parseText(result).values).toEqual({ P: 'x\nshared\ny', SECRET: 's' });
    expect(result.startsWith('P="x\nshared\ny"\n')).toBe(true);
  });

  it('skips keys the backup does not have', () => {
    const current = parseText('A=1\n');
    expect(restoreVariables(current, parseText('B=2\n'), ['NOT_THERE']).toString()).toBe('A=1\n');
  });
});

describe('rewrites on random files (property)', () => {
  const fragments = [
    'A=1', 'A=2', 'Z=9', 'export B="x', 'y"', '# comment', '', '  ', "C='p", "q'", 'K:', 'K: v', 'v', 'E= #c', 'F=a#b',
    'G="a\\nb"', 'I="q" junk', '  export   J = spaced  ', 'L=', '"orphan"', 'M="multi', 'line"', 'PEM="-----BEGIN-----', 'QUFBQQ==',
    '-----END-----"',
  ];

  function randomFile(random: () => number): string {
    const eol = random() < 0.5 ? '\r\n' : '\n';
    const lineCount = 1 + Math.floor(random() * 9);
    let text = random() < 0.2 ? '\ufeff' : '';
    for (let index = 0; index < lineCount; index++) {
      text += fragments[Math.floor(random() * fragments.length)]!;
      if (index < lineCount - 1 || random() < 0.8) text += eol;
    }
    return text;
  }

  it('remove deletes exactly the entry lines, restore brings the values back (nearly always byte-exact), set touches only the value', () => {
    const random = seededRandom(2024);
    let restoredCount = 0;
    let exactCount = 0;
    let refusedCount = 0;
    for (let round = 0; round < 2000; round++) {
      const bytes = Buffer.from(randomFile(random), 'utf8');
      const doc = parseEnvBuffer(bytes, '.env');
      if (doc.lines.length === 0) continue;
      const key = doc.lines[Math.floor(random() * doc.lines.length)]!.key;
      const label = JSON.stringify(doc.text) + ' key ' + key;

      let removedBytes: Buffer;
      try {
        removedBytes = removeVariables(doc, [key]);
      } catch (error) {
        // dotenv would read a neighbour differently once the lines are gone: refusing is the right answer.
        expect((error as EnvFileError).code, label).toBe('ENV_REWRITE_VERIFY');
        refusedCount++;
        continue;
      }
      const removed = parseEnvBuffer(removedBytes, '.env');
      let expectedText = doc.text;
      for (const entry of [...doc.lines].reverse().filter((candidate) => candidate.key === key)) {
        const endingLength = /^(\r\n|\r|\n)?/.exec(expectedText.slice(entry.offsets.end))![0].length;
        expectedText = expectedText.slice(0, entry.offsets.start) + expectedText.slice(entry.offsets.end + endingLength);
      }
      expect(removed.text, label).toBe(expectedText);
      expect(removed.hasBom, label).toBe(doc.hasBom);

      try {
        const restored = parseEnvBuffer(restoreVariables(removed, doc, [key]), '.env');
        expect(restored.values, label).toStrictEqual(doc.values);
        restoredCount++;
        if (restored.bytes.equals(bytes)) exactCount++;
      } catch (error) {
        expect((error as EnvFileError).code, label).toBe('ENV_REWRITE_VERIFY');
        refusedCount++;
      }

      const target = doc.lines.findLast((entry) => entry.key === key)!;
      const updated = parseEnvBuffer(setVariables(doc, [{ key, value: 'new "value" #1' }]), '.env');
      expect(updated.values, label).toStrictEqual({ ...doc.values, [key]: 'new "value" #1' });
      expect(updated.text.startsWith(doc.text.slice(0, target.offsets.valueStart)), label).toBe(true);
      expect(updated.text.endsWith(doc.text.slice(target.offsets.valueEnd)), label).toBe(true);
    }
    expect(restoredCount).toBeGreaterThan(1500);
    expect(exactCount / restoredCount).toBeGreaterThan(0.97);
    expect(refusedCount).toBeLessThan(40);
  });
});

describe('serializeValue', () => {
  const tricky = [
    '',
    'plain',
    'with space',
    ' leading',
    'trailing ',
    '  both  ',
    'a=b',
    '=leading-equals',
    'ZmFrZWtleQ==',
    'a#b',
    '#hash',
    'a #b',
    '$HOME',
    '${VAR}',
    "it's",
    'say "hi"',
    'back`tick',
    `all'three"kinds\``,
    "'wrapped'",
    '"wrapped"',
    '`wrapped`',
    "'",
    '"',
    '`',
    'C:\\new\\table',
    'literal \\n here',
    'ends with backslash\\',
    '\\',
    '\\"',
    "\\'",
    'line1\nline2',
    '\n',
    '\nleading newline',
    'trailing newline\n',
    'crlf\r\ninside',
    'cr\ronly',
    '-----BEGIN PRIVATE KEY-----\nAAAA\nBBBB\n-----END PRIVATE KEY-----',
    'multi\nline with "double" quotes',
    "multi\nline with 'single' quotes",
    'multi\nline with literal \\n',
    'grüß 😀 中文',
    'tab\there',
    'postgresql://user:p%40ss@localhost:5432/db?sslmode=require&x=y',
    'export X=1',
    'K=V\nOTHER=W',
    'a\\nb\nc',
    'ends with \\\nnewline',
    '\u00a0nbsp-leading',
    '\ufeffbom-leading',
  ];

  function expectRoundTripOrUnrepresentable(value: string): boolean {
    let serialized: string;
    try {
      serialized = serializeValue(value);
    } catch (error) {
      expect(error).toBeInstanceOf(EnvFileError);
      expect((error as EnvFileError).code).toBe('ENV_UNREPRESENTABLE');
      return false;
    }
    expect(dotenv.parse(`K=${serialized}\n`).K, JSON.stringify(value)).toBe(value);
    expect(dotenv.parse(`K=${serialized}\r\n`).K, JSON.stringify(value)).toBe(value);
    return true;
  }

  it.each(tricky.map((value) => [JSON.stringify(value), value]))('round-trips %s', (_label, value) => {
    expect(expectRoundTripOrUnrepresentable(value)).toBe(true);
  });

  it('prefers readable forms', () => {
    expect(serializeValue('plain')).toBe('plain');
    expect(serializeValue('')).toBe("''");
    expect(serializeValue('with space')).toBe("'with space'");
    expect(serializeValue('$HOME')).toBe("'$HOME'");
    expect(serializeValue("it's")).toBe('"it\'s"');
    expect(serializeValue('a\nb')).toBe('"a\\nb"');
    expect(serializeValue('C:\\new')).toBe("'C:\\new'");
  });

  it('throws ENV_UNREPRESENTABLE for what dotenv cannot read back, without the value in the message', () => {
    for (const value of ['x#\'"`', 'a#\n\'"`', "q'\"`\\n\n", 'nul\0byte', 'lone \ud800 surrogate']) {
      const error = expectEnvError(() => serializeValue(value), 'ENV_UNREPRESENTABLE');
      expect(error.message).not.toContain(value);
    }
  });

  it('property: random strings of tricky characters round-trip or are refused', () => {
    const random = seededRandom(42);
    const alphabet = ['a', 'Z', '0', ' ', '\t', '\n', '\r', '=', '#', '$', '{', '}', "'", '"', '`', '\\', 'n', 'r', 'ü', '😀', ':', '@', '/', '%', '\u00a0'];
    let representable = 0;
    const rounds = 4000;
    for (let round = 0; round < rounds; round++) {
      const length = Math.floor(random() * 10);
      const value = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]!).join('');
      if (expectRoundTripOrUnrepresentable(value)) representable++;
    }
    expect(representable).toBeGreaterThan(rounds * 0.8);
  });

  it('property: representable values also survive setVariables in a real file', () => {
    const random = seededRandom(9);
    const alphabet = ['a', ' ', '\n', '#', "'", '"', '\\', 'n', '$', '='];
    const base = parseText('# keep\r\nBEFORE=1\r\nTARGET="old"\r\nAFTER=2\r\n');
    for (let round = 0; round < 500; round++) {
      const value = Array.from({ length: Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]!).join('');
      let representable = true;
      try {
        serializeValue(value);
      } catch {
        representable = false;
      }
      if (!representable) continue;
      for (const key of ['TARGET', 'NEWKEY']) {
        const result = parseEnvBuffer(setVariables(base, [{ key, value }]), '.env');
        expect(result.values[key], JSON.stringify(value)).toBe(value);
        expect(result.values['BEFORE']).toBe('1');
        expect(result.values['AFTER']).toBe('2');
        expect(result.text.startsWith('# keep\r\nBEFORE=1\r\n')).toBe(true);
      }
    }
  });

  it('serializeValueInStyle answers undefined when a style cannot hold the value', () => {
    expect(serializeValueInStyle("it's", 'single')).toBeUndefined();
    expect(serializeValueInStyle('a\\nb', 'double')).toBeUndefined();
    expect(serializeValueInStyle('a\nb', 'double', { multiline: true })).toBe('"a\nb"');
    expect(serializeValueInStyle('a b', 'none')).toBe('a b');
  });
});

describe('looksLikeSecret', () => {
  it.each([
    ['BYBIT_API_KEY', 'x', true],
    ['BYBIT_API_SECRET', 'x', true],
    ['GITHUB_TOKEN', 'x', true],
    ['DB_PASSWORD', 'x', true],
    ['SMTP_PASS', 'x', true],
    ['signingPrivateKey', 'x', true],
    ['GCP_CREDENTIALS', 'x', true],
    ['apiKey', 'x', true],
    ['MONKEY', 'banana', false],
    ['KEYBOARD_LAYOUT', 'us', false],
    ['PASSENGER_COUNT', '3', false],
    ['BYBIT_TESTNET', 'true', false],
    ['LOG_LEVEL', 'info', false],
    ['DATABASE_URL', 'postgresql://bybit_user:p%40ss-w0rd!FAKE@localhost:5432/bybit_tester', true],
    ['REDIS_URL', 'redis://:fake-redis-pass@localhost:6379/0', true],
    ['MLFLOW_TRACKING_URI', 'http://localhost:5000', false],
    ['UPSTREAM', 'https://user@host/path', false],
    ['UPSTREAM', 'https://host:8443/a@b', false],
  ])('%s -> %s', (key, value, expected) => {
    expect(looksLikeSecret(key, value)).toBe(expected);
  });
});

describe('writeEnvFile and backupEnvFile', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'env-write-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps the existing mode, and creates new files 0600', async () => {
    const existing = join(directory, '.env');
    await writeFile(existing, 'A=1\n');
    await chmod(existing, 0o640);
    await writeEnvFile(existing, Buffer.from('A=2\n'));
    expect((await stat(existing)).mode & 0o777).toBe(0o640);
    expect(await readFile(existing, 'utf8')).toBe('A=2\n');

    const created = join(directory, 'new.env');
    await writeEnvFile(created, Buffer.from('B=1\n'));
    expect((await stat(created)).mode & 0o777).toBe(0o600);

    await writeEnvFile(created, Buffer.from('B=2\n'), 0o644);
    expect((await stat(created)).mode & 0o777).toBe(0o644);
  });

  it('writes through a symlink instead of replacing it', async () => {
    const target = join(directory, 'real.env');
    const link = join(directory, '.env');
    await writeFile(target, 'A=1\n');
    await symlink(target, link);
    await writeEnvFile(link, Buffer.from('A=2\n'));
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('A=2\n');
  });

  it('refuses to write content it could not read back', async () => {
    const path = join(directory, '.env');
    await expect(writeEnvFile(path, Buffer.from('A=1\n', 'utf16le'))).rejects.toMatchObject({ code: 'ENV_ENCODING' });
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('backs up byte-exact, 0600, named env-backup-<timestamp>.env, never overwriting an earlier backup', async () => {
    const source = join(directory, '.env');
    const original = fixtureBytes('env/06-utf8-bom.env');
    await writeFile(source, original);
    const backups = join(directory, 'state', 'backups');
    const first = await backupEnvFile(source, backups);
    const second = await backupEnvFile(source, backups);
    expect(first).not.toBe(second);
    for (const path of [first, second]) {
      expect(path.startsWith(backups)).toBe(true);
      expect(path).toMatch(/env-backup-\d{4}-\d{2}-\d{2}T\d{6}\.\d{3}Z(-\d+)?\.env$/);
      expect(await readFile(path)).toEqual(original);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    }
  });

  it('backup of a missing file is ENV_NOT_FOUND', async () => {
    await expect(backupEnvFile(join(directory, 'missing.env'), directory)).rejects.toMatchObject({ code: 'ENV_NOT_FOUND' });
  });
});
