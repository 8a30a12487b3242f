// Shapes shared by the .env parser and the byte-preserving rewrites.

export type QuoteStyle = 'none' | 'single' | 'double' | 'backtick';
export type LineEnding = '\n' | '\r\n';

/** One variable assignment as dotenv sees it, located in the file. */
export interface EnvEntry {
  key: string;
  /** Exactly what dotenv.parse yields for this assignment. */
  value: string;
  /** 1-based line of the key (or of its `export ` prefix). */
  startLine: number;
  /** 1-based line where the value ends; larger than startLine for multi-line quoted values. */
  endLine: number;
  /** The entry's whole lines (indentation, prefix, comment), without the final line ending. */
  raw: string;
  exported: boolean;
  quote: QuoteStyle;
  /** Character offsets into EnvDocument.text: the entry's lines and the value token (quotes included). */
  offsets: { start: number; end: number; valueStart: number; valueEnd: number };
}

export type EnvWarning =
  /** The key is assigned more than once; dotenv keeps the last one. */
  | { kind: 'duplicate'; key: string; lines: number[] }
  /** A non-blank, non-comment line that dotenv silently skips (often a broken multi-line value). */
  | { kind: 'ignored-line'; lines: number[] }
  /** An assignment dotenv drops (`__proto__`), so the application never sees it. */
  | { kind: 'ignored-key'; key: string; lines: number[] };

export interface EnvDocument {
  /** Path or label used in messages. */
  sourceName: string;
  /** The file as read, BOM included. */
  bytes: Buffer;
  /** Decoded UTF-8 text without the BOM. */
  text: string;
  hasBom: boolean;
  /** Dominant line ending; new lines are written with it. */
  eol: LineEnding;
  /** Every assignment in file order, duplicates included. */
  lines: EnvEntry[];
  /** Last occurrence wins, as in dotenv. */
  values: Record<string, string>;
  duplicates: Array<{ key: string; lines: number[] }>;
  warnings: EnvWarning[];
}

export interface EnvAssignment {
  key: string;
  value: string;
}
