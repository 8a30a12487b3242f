// Byte-preserving edits of a parsed .env: only the touched entries change, every other byte stays.
import { EnvFileError } from '../errors.js';
import { encodeEnvText } from './encoding.js';
import { endsWithLineBreak, lineText, splitPhysicalLines, withLineEndings, type PhysicalLine } from './lines.js';
import { parseEnvBuffer } from './parse.js';
import { serializeValue, serializeValueInStyle } from './serialize.js';
import type { EnvAssignment, EnvDocument, EnvEntry } from './types.js';

/** The key syntax dotenv accepts; `__proto__` is excluded because dotenv drops it. */
const VALID_KEY = /^[\w.-]+$/;

interface TextEdit {
  start: number;
  end: number;
  replacement: string;
}

/**
 * Sets each key: replaces the value of its last occurrence (the one dotenv uses), keeping prefix, quote style
 * where possible and trailing comment; appends keys that do not exist yet.
 */
export function setVariables(doc: EnvDocument, assignments: EnvAssignment[]): Buffer {
  const wanted = new Map<string, string>();
  for (const { key, value } of assignments) {
    assertValidKey(key, doc.sourceName);
    wanted.set(key, value);
  }
  try {
    return setWithStyle(doc, wanted, true);
  } catch (error) {
    // A kept style can still clash with a neighbouring line (`A=` followed by a quoted line); the default form does not.
    if (error instanceof EnvFileError && error.code === 'ENV_REWRITE_VERIFY') return setWithStyle(doc, wanted, false);
    throw error;
  }
}

function setWithStyle(doc: EnvDocument, wanted: Map<string, string>, keepQuoteStyle: boolean): Buffer {
  const edits: TextEdit[] = [];
  const appendedLines: string[] = [];
  const exportNewKeys = doc.lines.length > 0 && doc.lines.every((entry) => entry.exported);
  for (const [key, value] of wanted) {
    const existing = lastEntryOf(doc, key);
    if (existing) {
      edits.push(replaceValueEdit(doc, existing, value, keepQuoteStyle));
    } else {
      appendedLines.push(`${exportNewKeys ? 'export ' : ''}${key}=${inFileLineEndings(serializeFor(key, value), doc.eol)}`);
    }
  }

  let text = applyEdits(doc.text, edits);
  if (appendedLines.length > 0) {
    const separator = text.length > 0 && !endsWithLineBreak(text) ? doc.eol : '';
    text += separator + appendedLines.map((line) => line + doc.eol).join('');
  }
  return verified(doc, text, { ...doc.values, ...Object.fromEntries(wanted) }, 'set');
}

/** Deletes every occurrence of each key, all lines of multi-line entries and their line endings. */
export function removeVariables(doc: EnvDocument, keys: string[]): Buffer {
  const removing = new Set(keys);
  const lines = splitPhysicalLines(doc.text);
  const edits = doc.lines
    .filter((entry) => removing.has(entry.key))
    .map((entry) => ({ start: entry.offsets.start, end: lines[entry.endLine - 1]!.end, replacement: '' }));
  const expected = Object.fromEntries(Object.entries(doc.values).filter(([key]) => !removing.has(key)));
  return verified(doc, applyEdits(doc.text, edits), expected, 'remove');
}

/**
 * Rollback: puts the backup's entry text for each key back into `current`. An existing key is replaced in place;
 * a missing one goes after the nearest preceding backup line that still exists in `current` (else before the
 * nearest following one, else at the end). Keys absent from the backup are left alone.
 */
export function restoreVariables(current: EnvDocument, backup: EnvDocument, keys: string[]): Buffer {
  const restoring = new Set(keys.filter((key) => Object.hasOwn(backup.values, key)));

  const replacements: TextEdit[] = [];
  for (const key of restoring) {
    const existing = lastEntryOf(current, key);
    if (existing) {
      const { text } = restoredEntryText(lastEntryOf(backup, key)!, backup, current);
      replacements.push({ start: existing.offsets.start, end: existing.offsets.end, replacement: text });
    }
  }
  let working = reparse(current, applyEdits(current.text, replacements));

  // Insert in backup order so that neighbouring restored keys anchor on each other.
  const toInsert = backup.lines.filter((entry) => restoring.has(entry.key) && !lastEntryOf(current, entry.key));
  for (const entry of toInsert) {
    working = reparse(current, applyEdits(working.text, [insertionEdit(working, backup, entry)]));
  }

  const expected = { ...current.values };
  for (const key of restoring) expected[key] = backup.values[key]!;
  return verified(current, working.text, expected, 'restore');
}

function lastEntryOf(doc: EnvDocument, key: string): EnvEntry | undefined {
  return doc.lines.findLast((entry) => entry.key === key);
}

function assertValidKey(key: string, sourceName: string): void {
  if (!VALID_KEY.test(key) || key === '__proto__') {
    throw new EnvFileError('ENV_INVALID_KEY', `"${key}" is not a variable name dotenv can read (letters, digits, _ . - only) in ${sourceName}`, {
      hint: 'Rename the variable in the mapping file.',
    });
  }
}

function serializeFor(key: string, value: string, preferred?: EnvEntry): string {
  if (preferred) {
    const inSameStyle = serializeValueInStyle(value, preferred.quote, { multiline: preferred.endLine > preferred.startLine });
    if (inSameStyle !== undefined) return inSameStyle;
  }
  try {
    return serializeValue(value);
  } catch (error) {
    if (error instanceof EnvFileError) {
      throw new EnvFileError(error.code, `${key}: ${error.message}`, { hint: error.hint, cause: error });
    }
    throw error;
  }
}

function replaceValueEdit(doc: EnvDocument, entry: EnvEntry, value: string, keepQuoteStyle: boolean): TextEdit {
  let token = inFileLineEndings(serializeFor(entry.key, value, keepQuoteStyle ? entry : undefined), doc.eol);
  // `KEY:value` is not an assignment for dotenv: the colon form needs whitespace after the colon.
  if (doc.text[entry.offsets.valueStart - 1] === ':') token = ` ${token}`;
  return { start: entry.offsets.valueStart, end: entry.offsets.valueEnd, replacement: token };
}

function inFileLineEndings(token: string, eol: string): string {
  return eol === '\n' ? token : token.replace(/\n/g, eol);
}

/**
 * The backup entry's lines and the line ending that followed them ('' at the end of a file), kept verbatim
 * unless `into` uses one other line ending throughout (the operator converted the file).
 */
function restoredEntryText(entry: EnvEntry, backup: EnvDocument, into: EnvDocument): { text: string; ending: string } {
  const lastLine = splitPhysicalLines(backup.text)[entry.endLine - 1]!;
  const ending = backup.text.slice(lastLine.contentEnd, lastLine.end);
  const uniformEnding = uniformLineEnding(into.text);
  if (uniformEnding === undefined) return { text: entry.raw, ending };
  return { text: withLineEndings(entry.raw, uniformEnding), ending: ending === '' ? '' : uniformEnding };
}

function uniformLineEnding(text: string): string | undefined {
  const endings = new Set(text.match(/\r\n|\r|\n/g) ?? []);
  return endings.size === 1 ? [...endings][0] : undefined;
}

function insertionEdit(working: EnvDocument, backup: EnvDocument, entry: EnvEntry): TextEdit {
  const { text, ending } = restoredEntryText(entry, backup, working);
  const insertAt = (offset: number, before: string): TextEdit => {
    // A line ending is needed unless the entry becomes the last line, as it was in the backup.
    const after = offset === working.text.length && ending === '' ? '' : ending || working.eol;
    return { start: offset, end: offset, replacement: before + text + after };
  };
  const workingLines = splitPhysicalLines(working.text);
  const backupLines = splitPhysicalLines(backup.text);
  const backupContents = backupLines.map((line) => lineText(backup.text, line));
  const boundaries = entryBoundaries(working);
  // A working line outside every entry whose content is `expected`.
  const isFreeLine = (index: number, expected: string | undefined): boolean =>
    index >= 0 && index < workingLines.length && !boundaries.covered.has(index) && lineText(working.text, workingLines[index]!) === expected;

  for (let index = entry.startLine - 2; index >= 0; index--) {
    const anchor = findAnchorLine(backup, backupLines, index, working, workingLines, (line) => !boundaries.insideAfter.has(line));
    if (anchor !== undefined) {
      // Lines that sat between the anchor and the entry (blank lines, comments) and are still there stay before it.
      const gap = backupContents.slice(index + 1, entry.startLine - 1);
      let last = anchor;
      while (last - anchor < gap.length && isFreeLine(last + 1, gap[last - anchor])) last++;
      const line = workingLines[last]!;
      return insertAt(line.end, line.end > line.contentEnd ? '' : working.eol);
    }
  }
  for (let index = entry.endLine; index < backupLines.length; index++) {
    const anchor = findAnchorLine(backup, backupLines, index, working, workingLines, (line) => !boundaries.insideBefore.has(line));
    if (anchor !== undefined) {
      const gap = backupContents.slice(entry.endLine, index);
      let first = anchor;
      while (anchor - first < gap.length && isFreeLine(first - 1, gap[gap.length - 1 - (anchor - first)])) first--;
      return insertAt(workingLines[first]!.start, '');
    }
  }
  return insertAt(working.text.length, working.text.length > 0 && !endsWithLineBreak(working.text) ? working.eol : '');
}

/**
 * Lines (0-based) of entries, and those where inserting would split a multi-line value: after any line of an
 * entry but its last, before any line of an entry but its first.
 */
function entryBoundaries(doc: EnvDocument): { covered: Set<number>; insideAfter: Set<number>; insideBefore: Set<number> } {
  const covered = new Set<number>();
  const insideAfter = new Set<number>();
  const insideBefore = new Set<number>();
  for (const entry of doc.lines) {
    for (let line = entry.startLine; line <= entry.endLine; line++) covered.add(line - 1);
    for (let line = entry.startLine; line < entry.endLine; line++) {
      insideAfter.add(line - 1);
      insideBefore.add(line);
    }
  }
  return { covered, insideAfter, insideBefore };
}

/**
 * The working line (0-based) that is the same line as backup line `backupIndex`, matched by content:
 * the only such line, or the same occurrence when both files hold it equally often. Blank lines never anchor.
 */
function findAnchorLine(
  backup: EnvDocument,
  backupLines: PhysicalLine[],
  backupIndex: number,
  working: EnvDocument,
  workingLines: PhysicalLine[],
  isUsable: (workingIndex: number) => boolean,
): number | undefined {
  const content = lineText(backup.text, backupLines[backupIndex]!);
  if (content.trim() === '') return undefined;
  const backupOccurrences = indicesOfLine(backup.text, backupLines, content);
  const workingOccurrences = indicesOfLine(working.text, workingLines, content);
  let candidate: number | undefined;
  if (workingOccurrences.length === 1) candidate = workingOccurrences[0];
  else if (workingOccurrences.length === backupOccurrences.length) candidate = workingOccurrences[backupOccurrences.indexOf(backupIndex)];
  return candidate !== undefined && isUsable(candidate) ? candidate : undefined;
}

function indicesOfLine(text: string, lines: PhysicalLine[], content: string): number[] {
  return lines.flatMap((line, index) => (lineText(text, line) === content ? [index] : []));
}

function applyEdits(text: string, edits: TextEdit[]): string {
  // From the end backwards so earlier offsets stay valid.
  return [...edits]
    .sort((left, right) => right.start - left.start)
    .reduce((result, edit) => result.slice(0, edit.start) + edit.replacement + result.slice(edit.end), text);
}

function reparse(original: EnvDocument, text: string): EnvDocument {
  return parseEnvBuffer(encodeEnvText(text, original.hasBom), original.sourceName);
}

/** Parses the result again and refuses it unless dotenv reads exactly the intended values. */
function verified(original: EnvDocument, text: string, expected: Record<string, string>, operation: string): Buffer {
  const result = reparse(original, text);
  const keys = new Set([...Object.keys(expected), ...Object.keys(result.values)]);
  const differing = [...keys].filter(
    (key) => !Object.hasOwn(expected, key) || !Object.hasOwn(result.values, key) || expected[key] !== result.values[key],
  );
  if (differing.length > 0) {
    throw new EnvFileError(
      'ENV_REWRITE_VERIFY',
      `The ${operation} edit of ${original.sourceName} would change how dotenv reads ${differing.join(', ')}; nothing was written`,
      { hint: 'Edit those lines by hand (the surrounding lines confuse dotenv), then run the command again.' },
    );
  }
  return result.bytes;
}
