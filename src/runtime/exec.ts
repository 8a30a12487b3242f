// The one place external processes are run (docker, compose, vault/bao). Tests put fakes on PATH.
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The executable was not found on PATH. */
  notFound: boolean;
  timedOut: boolean;
}

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function runCommand(file: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    timeout: options.timeoutMs ?? 120_000,
    cancelSignal: options.signal,
    reject: false,
    stdin: 'ignore',
    encoding: 'utf8',
  });
  // execa reports a spawn failure through the error code; no exit code exists then.
  const notFound = (result as { code?: string }).code === 'ENOENT';
  return {
    exitCode: result.exitCode ?? (notFound ? 127 : 1),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    notFound,
    timedOut: Boolean(result.timedOut),
  };
}

/** The last `count` non-blank lines of a command's output, for error details. */
export function lastLines(text: string, count: number): string[] {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim())
    .slice(-count);
}
