// Refuse anything that is not UTF-8 text before parsing: dotenv reads UTF-16 as "zero keys", silently.
import { EnvFileError } from '../errors.js';

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface DecodedEnvText {
  text: string;
  hasBom: boolean;
}

export function decodeEnvBytes(bytes: Buffer, sourceName: string): DecodedEnvText {
  const foreign = detectForeignEncoding(bytes);
  if (foreign !== undefined) {
    throw foreignEncodingError(foreign, sourceName);
  }
  const invalidAt = firstInvalidUtf8Offset(bytes);
  if (invalidAt >= 0) {
    const { line, column } = lineAndColumnOfByte(bytes, invalidAt);
    throw new EnvFileError(
      'ENV_ENCODING',
      `${sourceName} is not valid UTF-8 (first invalid byte 0x${bytes[invalidAt]!.toString(16).padStart(2, '0')} at line ${line}, column ${column}); it is probably Latin-1/Windows-1252`,
      {
        hint: `Convert it to UTF-8 first, e.g. ${iconvCommand('WINDOWS-1252', sourceName)}`,
      },
    );
  }
  const hasBom = bytes.subarray(0, UTF8_BOM.length).equals(UTF8_BOM);
  return { text: bytes.subarray(hasBom ? UTF8_BOM.length : 0).toString('utf8'), hasBom };
}

export function encodeEnvText(text: string, hasBom: boolean): Buffer {
  const body = Buffer.from(text, 'utf8');
  return hasBom ? Buffer.concat([UTF8_BOM, body]) : body;
}

type ForeignEncoding = 'UTF-16LE' | 'UTF-16BE' | 'UTF-32LE' | 'UTF-32BE' | 'binary';

function detectForeignEncoding(bytes: Buffer): ForeignEncoding | undefined {
  // Longest BOM first: the UTF-32LE BOM starts with the UTF-16LE one.
  if (startsWith(bytes, [0xff, 0xfe, 0x00, 0x00])) return 'UTF-32LE';
  if (startsWith(bytes, [0x00, 0x00, 0xfe, 0xff])) return 'UTF-32BE';
  if (startsWith(bytes, [0xff, 0xfe])) return 'UTF-16LE';
  if (startsWith(bytes, [0xfe, 0xff])) return 'UTF-16BE';
  if (!bytes.includes(0x00)) return undefined;
  // Without a BOM, ASCII text in UTF-16 shows as NUL in every other byte.
  let evenZeros = 0;
  let oddZeros = 0;
  for (let index = 0; index < bytes.length; index++) {
    if (bytes[index] === 0x00) {
      if (index % 2 === 0) evenZeros++;
      else oddZeros++;
    }
  }
  const pairs = Math.max(1, Math.floor(bytes.length / 2));
  if (oddZeros / pairs >= 0.5 && evenZeros / pairs <= 0.1) return 'UTF-16LE';
  if (evenZeros / pairs >= 0.5 && oddZeros / pairs <= 0.1) return 'UTF-16BE';
  return 'binary';
}

function foreignEncodingError(encoding: ForeignEncoding, sourceName: string): EnvFileError {
  if (encoding === 'binary') {
    return new EnvFileError('ENV_ENCODING', `${sourceName} contains NUL bytes: it is binary data, not a text .env file`, {
      hint: `Check that --env-file points at the application's .env (file ${shellQuote(sourceName)} shows what it is).`,
    });
  }
  return new EnvFileError(
    'ENV_ENCODING',
    `${sourceName} is encoded as ${encoding}, not UTF-8; dotenv would read it as zero variables, so nothing was read or changed`,
    {
      hint: `Convert it to UTF-8 first, e.g. ${iconvCommand(encoding, sourceName)} (editors call this "Save with encoding: UTF-8").`,
    },
  );
}

function iconvCommand(fromEncoding: string, path: string): string {
  const converted = shellQuote(`${path}.utf8`);
  return `iconv -f ${fromEncoding} -t UTF-8 ${shellQuote(path)} > ${converted} && mv ${converted} ${shellQuote(path)}`;
}

function shellQuote(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function startsWith(bytes: Buffer, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}

/** Offset of the first byte that breaks strict UTF-8 (overlongs, surrogates, > U+10FFFF), or -1. */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    if (lead < 0x80) {
      index++;
      continue;
    }
    let continuationCount: number;
    let minimum: number;
    let codePoint: number;
    if (lead >= 0xc2 && lead <= 0xdf) {
      continuationCount = 1;
      minimum = 0x80;
      codePoint = lead & 0x1f;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      continuationCount = 2;
      minimum = 0x800;
      codePoint = lead & 0x0f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      continuationCount = 3;
      minimum = 0x10000;
      codePoint = lead & 0x07;
    } else {
      return index;
    }
    if (index + continuationCount >= bytes.length) return index;
    for (let offset = 1; offset <= continuationCount; offset++) {
      const continuation = bytes[index + offset]!;
      if ((continuation & 0xc0) !== 0x80) return index;
      codePoint = (codePoint << 6) | (continuation & 0x3f);
    }
    if (codePoint < minimum || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return index;
    index += continuationCount + 1;
  }
  return -1;
}

function lineAndColumnOfByte(bytes: Buffer, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset; index++) {
    if (bytes[index] === 0x0a) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
