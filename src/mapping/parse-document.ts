// Turns mapping file text into plain data, with the parser's line and column on every syntax error.
import YAML from 'yaml';
import { ConfigError } from '../errors.js';

export type DocumentFormat = 'json' | 'yaml';

export interface ParsedDocument {
  value: unknown;
  format: DocumentFormat;
}

interface SourceLocation {
  line: number;
  column: number;
}

export function formatFromExtension(file: string): DocumentFormat | undefined {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

/** Parses `text` as `format`, or, when the format is unknown, as JSON and then as YAML. */
export function parseDocument(text: string, source: string, format: DocumentFormat | undefined): ParsedDocument {
  const content = text.replace(/^\uFEFF/, ''); // editors on Windows add a byte order mark that JSON.parse rejects
  if (format === 'json') return { value: parseJson(content, source), format };
  if (format === 'yaml') return { value: parseYaml(content, source, 'YAML'), format };
  try {
    return { value: parseJson(content, source), format: 'json' };
  } catch {
    return { value: parseYaml(content, source, 'JSON or YAML'), format: 'yaml' };
  }
}

function parseJson(text: string, source: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw syntaxError(source, 'JSON', jsonErrorReason(message), jsonErrorLocation(text, message), error);
  }
  // JSON.parse silently keeps the last of two equal keys, which would hide a variable mapped twice.
  const duplicate = YAML.parseDocument(text, { schema: 'json' }).errors.find((error) => error.code === 'DUPLICATE_KEY');
  if (duplicate !== undefined) {
    const where = describeLocation(yamlErrorLocation(duplicate));
    throw new ConfigError(`Mapping file ${source} has the same key twice in one object${where}`, {
      hint: 'Remove one of the two keys: each variable is mapped once.',
      cause: duplicate,
    });
  }
  return value;
}

function parseYaml(text: string, source: string, expected: string): unknown {
  const document = YAML.parseDocument(text);
  const [firstError] = document.errors;
  if (firstError !== undefined) {
    throw syntaxError(source, expected, yamlErrorReason(firstError), yamlErrorLocation(firstError), firstError);
  }
  return document.toJS();
}

function syntaxError(
  source: string,
  expected: string,
  reason: string,
  location: SourceLocation | undefined,
  cause: unknown,
): ConfigError {
  const where = describeLocation(location);
  return new ConfigError(`Mapping file ${source} is not valid ${expected}${where}: ${reason}`, {
    hint: `Fix the syntax${where}, or check it with a ${expected} linter.`,
    cause,
  });
}

function jsonErrorReason(message: string): string {
  // V8 appends either the position or a quote of the input; we report the location ourselves.
  return message
    .replace(/ in JSON at position \d+[\s\S]*$/, '')
    .replace(/, (?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/, '');
}

function jsonErrorLocation(text: string, message: string): SourceLocation | undefined {
  const position = jsonErrorPosition(message);
  if (position !== undefined) return locationOfOffset(text, position);
  if (message.startsWith('Unexpected end of JSON input')) return locationOfOffset(text, text.length);
  // V8 gives no position for an unexpected token: find the shortest prefix that already fails before its end.
  if (!failsBeforeEnd(text)) return undefined;
  let low = 1;
  let high = text.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (failsBeforeEnd(text.slice(0, middle))) high = middle;
    else low = middle + 1;
  }
  return locationOfOffset(text, low - 1);
}

function jsonErrorPosition(message: string): number | undefined {
  const position = /at position (\d+)/.exec(message)?.[1];
  return position === undefined ? undefined : Number(position);
}

/** True when `prefix` holds a JSON error, as opposed to being valid JSON or valid JSON cut short. */
function failsBeforeEnd(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('Unexpected end of JSON input')) return false;
    const position = jsonErrorPosition(message);
    return position === undefined || position < prefix.length;
  }
}

function yamlErrorReason(error: YAML.YAMLError): string {
  const [firstLine = error.message] = error.message.split('\n');
  return firstLine.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlErrorLocation(error: YAML.YAMLError): SourceLocation | undefined {
  const start = error.linePos?.[0];
  return start === undefined ? undefined : { line: start.line, column: start.col };
}

function describeLocation(location: SourceLocation | undefined): string {
  return location === undefined ? '' : ` at line ${location.line}, column ${location.column}`;
}

function locationOfOffset(text: string, offset: number): SourceLocation {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
