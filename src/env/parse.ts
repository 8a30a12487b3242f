// .env parsing that yields exactly dotenv's values, plus what dotenv does not tell: where each entry is.
import { readFile } from 'node:fs/promises';
import dotenv from 'dotenv';
import { EnvFileError } from '../errors.js';
import { decodeEnvBytes } from './encoding.js';
import { LineMap, lineText } from './lines.js';
import type { EnvDocument, EnvEntry, EnvWarning, LineEnding, QuoteStyle } from './types.js';

/** dotenv 17's LINE regex, verbatim from node_modules/dotenv/lib/main.js (a unit test guards against drift). */
export const DOTENV_LINE_PATTERN =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

// The same pattern with match indices, to locate the key and the value in each match.
const ENTRY_LOCATOR = new RegExp(DOTENV_LINE_PATTERN.source, 'dgm');

/** Keys dotenv assigns onto a plain object and therefore loses. */
const KEYS_DOTENV_DROPS = new Set(['__proto__']);

export async function readEnvFile(path: string): Promise<EnvDocument> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw readFailure(path, error);
  }
  return parseEnvBuffer(bytes, path);
}

export function parseEnvBuffer(bytes: Buffer, sourceName: string): EnvDocument {
  const { text, hasBom } = decodeEnvBytes(bytes, sourceName);
  const lineMap = new LineMap(text);
  // dotenv matches on this normalised text; offsets found here are mapped back to `text`.
  const normalized = text.replace(/\r\n?/g, '\n');

  const entries: EnvEntry[] = [];
  const droppedKeyLines = new Map<string, number[]>();
  const linesInEntries = new Set<number>();
  for (const match of normalized.matchAll(ENTRY_LOCATOR)) {
    const located = locateEntry(match, normalized, lineMap, text);
    for (let line = located.startLine; line <= located.endLine; line++) linesInEntries.add(line);
    if (KEYS_DOTENV_DROPS.has(located.key)) {
      droppedKeyLines.set(located.key, [...(droppedKeyLines.get(located.key) ?? []), located.startLine]);
      continue;
    }
    entries.push({ ...located, value: dotenvValueOf(match[0], located.key, sourceName) });
  }

  const values: Record<string, string> = {};
  for (const entry of entries) values[entry.key] = entry.value;
  assertSameAsDotenv(values, dotenv.parse(normalized), sourceName);

  const duplicates = findDuplicates(entries);
  const ignoredLines = lineMap.lines
    .map((line, index) => ({ number: index + 1, content: lineText(text, line).trim() }))
    .filter(({ number, content }) => !linesInEntries.has(number) && content !== '' && !content.startsWith('#'))
    .map(({ number }) => number);
  const warnings: EnvWarning[] = [
    ...duplicates.map(({ key, lines }) => ({ kind: 'duplicate' as const, key, lines })),
    ...[...droppedKeyLines].map(([key, lines]) => ({ kind: 'ignored-key' as const, key, lines })),
    ...(ignoredLines.length > 0 ? [{ kind: 'ignored-line' as const, lines: ignoredLines }] : []),
  ];

  return { sourceName, bytes, text, hasBom, eol: dominantLineEnding(text), lines: entries, values, duplicates, warnings };
}

function locateEntry(match: RegExpExecArray, normalized: string, lineMap: LineMap, text: string): Omit<EnvEntry, 'value'> {
  const indices = match.indices!;
  const [keyStart, keyEnd] = indices[1]!;
  const key = match[1]!;
  // The match may begin with blank lines; the entry begins at its first visible character.
  const entryStart = match.index + (match[0].length - match[0].trimStart().length);
  const exported = keyStart > entryStart;

  let valueStart: number;
  let valueEnd: number;
  const valueGroup = indices[2];
  const valueGroupText = match[2] ?? '';
  if (valueGroup !== undefined && valueGroupText.trim() !== '') {
    // dotenv trims the captured value before looking at quotes; the token is what remains.
    valueStart = valueGroup[0] + (valueGroupText.length - valueGroupText.trimStart().length);
    valueEnd = valueGroup[1] - (valueGroupText.length - valueGroupText.trimEnd().length);
  } else {
    valueStart = valueEnd = separatorEnd(normalized, keyEnd);
  }

  const startLine = lineMap.lineOfNormalized(entryStart);
  const endLine = lineMap.lineOfNormalized(valueEnd > valueStart ? valueEnd - 1 : valueStart - 1);
  const start = lineMap.lines[startLine - 1]!.start;
  const end = lineMap.lines[endLine - 1]!.contentEnd;
  return {
    key,
    startLine,
    endLine,
    raw: text.slice(start, end),
    exported,
    quote: quoteStyleOf(normalized.slice(valueStart, valueEnd)),
    offsets: { start, end, valueStart: lineMap.toOriginal(valueStart), valueEnd: lineMap.toOriginal(valueEnd) },
  };
}

/** Offset just past the `=` or `:` that follows the key (only whitespace may sit between). */
function separatorEnd(normalized: string, keyEnd: number): number {
  let index = keyEnd;
  while (index < normalized.length && /\s/.test(normalized[index]!)) index++;
  return index + 1;
}

function quoteStyleOf(token: string): QuoteStyle {
  const first = token[0];
  // dotenv strips a quote pair only when the trimmed value starts and ends with the same quote.
  if (token.length < 2 || first !== token[token.length - 1]) return 'none';
  if (first === "'") return 'single';
  if (first === '"') return 'double';
  if (first === '`') return 'backtick';
  return 'none';
}

/** dotenv itself decides the value: the match text alone parses to the same single assignment. */
function dotenvValueOf(matchText: string, key: string, sourceName: string): string {
  const parsed = dotenv.parse(matchText);
  if (!Object.hasOwn(parsed, key) || Object.keys(parsed).length !== 1) {
    throw parserMismatch(sourceName, [key]);
  }
  return parsed[key]!;
}

function assertSameAsDotenv(values: Record<string, string>, reference: Record<string, string>, sourceName: string): void {
  const keys = new Set([...Object.keys(values), ...Object.keys(reference)]);
  const differing = [...keys].filter((key) => !Object.hasOwn(values, key) || !Object.hasOwn(reference, key) || values[key] !== reference[key]);
  if (differing.length > 0) throw parserMismatch(sourceName, differing);
}

function parserMismatch(sourceName: string, keys: string[]): EnvFileError {
  return new EnvFileError(
    'ENV_PARSE_MISMATCH',
    `Could not locate the entries of ${sourceName} exactly as dotenv reads them (keys: ${keys.join(', ')}); refusing to continue rather than guess`,
    { hint: 'This is a bug in bybit-vault: please report it with the shape of those lines (never their values).' },
  );
}

function findDuplicates(entries: EnvEntry[]): Array<{ key: string; lines: number[] }> {
  const linesByKey = new Map<string, number[]>();
  for (const entry of entries) linesByKey.set(entry.key, [...(linesByKey.get(entry.key) ?? []), entry.startLine]);
  return [...linesByKey].filter(([, lines]) => lines.length > 1).map(([key, lines]) => ({ key, lines }));
}

function dominantLineEnding(text: string): LineEnding {
  const crlf = text.match(/\r\n/g)?.length ?? 0;
  const lf = text.match(/(?<!\r)\n/g)?.length ?? 0;
  return crlf > lf ? '\r\n' : '\n';
}

function readFailure(path: string, error: unknown): EnvFileError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new EnvFileError('ENV_NOT_FOUND', `.env file not found: ${path}`, {
      hint: "Run from the application's directory or pass --env-file <path> to point at its .env.",
      cause: error,
    });
  }
  if (code === 'EISDIR') {
    return new EnvFileError('ENV_NOT_A_FILE', `${path} is a directory, not a .env file`, {
      hint: 'Pass --env-file <path> with the path of the file itself.',
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new EnvFileError('ENV_UNREADABLE', `Permission denied reading ${path}`, {
      hint: 'Run as the user that owns the file, or grant read access to it.',
      cause: error,
    });
  }
  return new EnvFileError('ENV_UNREADABLE', `Could not read ${path}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
