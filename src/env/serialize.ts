// Writing values so that dotenv reads them back byte-exact: every candidate is checked with dotenv itself.
import dotenv from 'dotenv';
import { EnvFileError } from '../errors.js';
import type { QuoteStyle } from './types.js';

/** Characters that need no quotes for dotenv, a shell `source`, or docker compose interpolation. */
const PLAIN_VALUE = /^[A-Za-z0-9_.,:/@%+=~^-]+$/;

export interface StyleOptions {
  /** Double quotes only: keep line breaks as real lines instead of `\n` escapes. */
  multiline?: boolean;
}

const QUOTE_CHARACTER: Record<QuoteStyle, string | undefined> = { none: undefined, single: "'", double: '"', backtick: '`' };

/**
 * The value written in one quote style, or undefined when that style cannot hold it: dotenv would not read it
 * back unchanged, or the value contains the style's own quote character.
 * Never contains a carriage return (dotenv turns those into \n), so it can take either line ending.
 */
export function serializeValueInStyle(value: string, style: QuoteStyle, options: StyleOptions = {}): string | undefined {
  const quote = QUOTE_CHARACTER[style];
  if (quote !== undefined && value.includes(quote)) return undefined;
  return serializeIfReadBack(value, style, options);
}

/** A representation of `value` for `KEY=<here>` that dotenv.parse reads back byte-exact. */
export function serializeValue(value: string): string {
  if (value !== '' && PLAIN_VALUE.test(value) && readsBackAs(value, value)) return value;
  const hasLineBreak = /[\r\n]/.test(value);
  // One-line escapes first for multi-line values (PEM keys); literal single quotes first otherwise.
  const preferences: Array<[QuoteStyle, StyleOptions]> = hasLineBreak
    ? [['double', {}], ['single', {}], ['double', { multiline: true }], ['backtick', {}]]
    : [['single', {}], ['double', {}], ['backtick', {}], ['none', {}]];
  for (const [style, options] of preferences) {
    const serialized = serializeValueInStyle(value, style, options);
    if (serialized !== undefined) return serialized;
  }
  // Last resort: forms dotenv still reads right although the quote character occurs inside (`"a"b"`).
  for (const [style, options] of preferences) {
    const serialized = serializeIfReadBack(value, style, options);
    if (serialized !== undefined) return serialized;
  }
  throw new EnvFileError('ENV_UNREPRESENTABLE', `This value cannot be written to a .env file so that dotenv reads it back unchanged (${describeObstacles(value)})`, {
    hint: 'Keep this secret in Vault only, or store an encoded form (for example base64) and decode it in the application.',
  });
}

function serializeIfReadBack(value: string, style: QuoteStyle, options: StyleOptions): string | undefined {
  if (!isStorable(value)) return undefined;
  const candidate = renderInStyle(value, style, options);
  return readsBackAs(candidate, value) ? candidate : undefined;
}

function renderInStyle(value: string, style: QuoteStyle, options: StyleOptions): string {
  switch (style) {
    case 'none':
      return value;
    case 'single':
      return `'${value}'`;
    case 'backtick':
      return `\`${value}\``;
    case 'double': {
      // dotenv expands \n and \r inside double quotes only; a carriage return survives no other way.
      const escaped = value.replace(/\r/g, '\\r');
      return `"${options.multiline ? escaped : escaped.replace(/\n/g, '\\n')}"`;
    }
  }
}

function readsBackAs(serialized: string, value: string): boolean {
  const parsed = dotenv.parse(`K=${serialized}\n`);
  return Object.keys(parsed).length === 1 && parsed['K'] === value;
}

/** NUL makes the file binary and lone surrogates cannot be encoded as UTF-8. */
function isStorable(value: string): boolean {
  return !value.includes('\0') && !/\p{Surrogate}/u.test(value);
}

/** Names the troublesome characters without revealing the value. */
function describeObstacles(value: string): string {
  const obstacles = [
    [value.includes('\0'), 'a NUL character'],
    [/\p{Surrogate}/u.test(value), 'an unpaired UTF-16 surrogate'],
    [value.includes('\n'), 'a line break'],
    [value.includes('\r'), 'a carriage return'],
    [value.includes("'"), 'single quotes'],
    [value.includes('"'), 'double quotes'],
    [value.includes('`'), 'backticks'],
    [value.includes('#'), '#'],
    [/\\[nr]/.test(value), 'a literal \\n or \\r'],
  ] as const;
  const present = obstacles.filter(([isPresent]) => isPresent).map(([, description]) => description);
  return `it contains ${present.join(', ') || 'characters dotenv cannot quote'}`;
}
