// Physical lines as dotenv counts them: it turns every \r\n and lone \r into \n before matching.

export interface PhysicalLine {
  /** Offset of the first character. */
  start: number;
  /** Offset of the line ending (or of the end of the text). */
  contentEnd: number;
  /** Offset just past the line ending. */
  end: number;
}

const LINE_BREAK = /\r\n|\r|\n/g;

export function splitPhysicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  let start = 0;
  for (const lineBreak of text.matchAll(LINE_BREAK)) {
    lines.push({ start, contentEnd: lineBreak.index, end: lineBreak.index + lineBreak[0].length });
    start = lineBreak.index + lineBreak[0].length;
  }
  if (start < text.length) {
    lines.push({ start, contentEnd: text.length, end: text.length });
  }
  return lines;
}

export function lineText(text: string, line: PhysicalLine): string {
  return text.slice(line.start, line.contentEnd);
}

export function endsWithLineBreak(text: string): boolean {
  return text.endsWith('\n') || text.endsWith('\r');
}

/** Rewrites every line break to `eol`; used when text moves between files with different endings. */
export function withLineEndings(text: string, eol: string): string {
  return text.replace(LINE_BREAK, eol);
}

/**
 * Maps offsets in dotenv's normalised text (all breaks are \n) back to the original text,
 * and offsets to 1-based line numbers.
 */
export class LineMap {
  readonly lines: PhysicalLine[];
  private readonly normalizedStarts: number[];

  constructor(text: string) {
    this.lines = splitPhysicalLines(text);
    this.normalizedStarts = [];
    let normalizedOffset = 0;
    for (const line of this.lines) {
      this.normalizedStarts.push(normalizedOffset);
      normalizedOffset += line.contentEnd - line.start + (line.end > line.contentEnd ? 1 : 0);
    }
  }

  /** 1-based line holding the character at this normalised offset. */
  lineOfNormalized(normalizedOffset: number): number {
    let low = 0;
    let high = this.normalizedStarts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (this.normalizedStarts[middle]! <= normalizedOffset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }

  toOriginal(normalizedOffset: number): number {
    if (this.lines.length === 0) return 0;
    const lineIndex = this.lineOfNormalized(normalizedOffset) - 1;
    const line = this.lines[lineIndex]!;
    const column = normalizedOffset - this.normalizedStarts[lineIndex]!;
    return column <= line.contentEnd - line.start ? line.start + column : line.end;
  }
}
