// Human output goes to stderr (stdout is reserved for --json); every line passes the secret redactor.
import type { ChalkInstance } from 'chalk';

export interface LoggerOptions {
  color: boolean;
  json: boolean;
  stream?: NodeJS.WritableStream;
}

type Painter = (text: string) => string;
// Shorter values ("true", "10") are too common to mask without garbling ordinary output.
const MIN_REDACTED_LENGTH = 8;
const plain: Painter = (text) => text;

export class Logger {
  readonly color: boolean;
  readonly json: boolean;
  private readonly stream: NodeJS.WritableStream;
  private readonly secrets = new Set<string>();
  private chalk?: ChalkInstance;

  constructor(options: LoggerOptions) {
    this.color = options.color;
    this.json = options.json;
    this.stream = options.stream ?? process.stderr;
  }

  /** Load chalk only when colours are on: a plain run never pays for it. */
  async enableColors(): Promise<void> {
    if (!this.color || this.chalk) return;
    const { Chalk } = await import('chalk');
    this.chalk = new Chalk({ level: 1 });
  }

  /** Defence in depth: a value registered here is masked if it ever reaches output. */
  registerSecret(value: string | undefined): void {
    if (value && value.length >= MIN_REDACTED_LENGTH) this.secrets.add(value);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) if (result.includes(secret)) result = result.split(secret).join('***');
    return result;
  }

  write(text: string): void {
    this.stream.write(this.redact(text));
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  info(text: string): void {
    this.line(text);
  }

  success(text: string): void {
    this.line(`${this.paint('green', '✔')} ${text}`);
  }

  warn(text: string): void {
    this.line(`${this.paint('yellow', '!')} ${this.paint('yellow', text)}`);
  }

  error(text: string): void {
    this.line(`${this.paint('red', '✖')} ${this.paint('red', text)}`);
  }

  hint(text: string): void {
    this.line(`  ${this.paint('cyan', '→')} ${text}`);
  }

  detail(text: string): void {
    this.line(`    ${this.paint('dim', text)}`);
  }

  heading(text: string): void {
    this.line(this.paint('bold', text));
  }

  paint(style: 'green' | 'yellow' | 'red' | 'cyan' | 'dim' | 'bold' | 'gray', text: string): string {
    const painter: Painter = this.chalk ? (this.chalk[style] as Painter) : plain;
    return painter(text);
  }

  /** Print a JSON result on stdout (the only thing that ever goes there). */
  printJson(value: unknown): void {
    process.stdout.write(`${this.redact(JSON.stringify(value, null, 2))}\n`);
  }
}
