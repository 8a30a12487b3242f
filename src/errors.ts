// Typed errors: library code throws these, src/cli.ts prints them once and maps them to exit codes.

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  warnings: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface BybitVaultErrorOptions {
  /** What the operator should do next: a command or a change. */
  hint?: string;
  cause?: unknown;
  exitCode?: ExitCodeValue;
  /** Extra lines worth showing (log excerpts, per-item details). Never secret values. */
  details?: string[];
}

export class BybitVaultError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly exitCode: ExitCodeValue;
  readonly details: string[];

  constructor(code: string, message: string, options: BybitVaultErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failed;
    this.details = options.details ?? [];
  }
}

/** Bad flags or a missing input: exit 2. */
export class UsageError extends BybitVaultError {
  constructor(message: string, options: BybitVaultErrorOptions = {}) {
    super('USAGE', message, { ...options, exitCode: ExitCode.usage });
  }
}

/** A required value was not given and cannot be prompted for. */
export class MissingInputError extends BybitVaultError {
  readonly flag: string;
  constructor(flag: string, what: string, hint?: string) {
    super('MISSING_INPUT', `${what} is required: pass ${flag} (no terminal to prompt on, or --non-interactive was given)`, {
      hint: hint ?? `Re-run with ${flag}.`,
      exitCode: ExitCode.usage,
    });
    this.flag = flag;
  }
}

export class InterruptedError extends BybitVaultError {
  constructor(message = 'Interrupted', hint?: string) {
    super('INTERRUPTED', message, { hint, exitCode: ExitCode.interrupted });
  }
}

/** A .env file that cannot be read safely (encoding, binary content, syntax we would lose). */
export class EnvFileError extends BybitVaultError {
  constructor(code: string, message: string, options: BybitVaultErrorOptions = {}) {
    super(code, message, options);
  }
}

/** Configuration or mapping file mistakes. */
export class ConfigError extends BybitVaultError {
  constructor(message: string, options: BybitVaultErrorOptions = {}) {
    super('CONFIG', message, { exitCode: ExitCode.usage, ...options });
  }
}

export function isBybitVaultError(error: unknown): error is BybitVaultError {
  return error instanceof BybitVaultError;
}
