import type { Logger } from '../ui/logger.js';
import type { RuntimeInfo } from '../state/schema.js';

export type RuntimeKind = 'docker' | 'binary' | 'external';

export interface RuntimeSettings {
  kind: RuntimeKind;
  /** Where the operator's application lives: deployment/ is written beside the .env file. */
  projectDir: string;
  stateDir: string;
  vaultAddr: string;
  vaultBin?: string;
  image?: string;
  /** What a previous run recorded (pid, files), so a resume finds its own server. */
  saved?: RuntimeInfo;
}

export interface ProcessState {
  /** running | stopped | missing | unknown (external servers are not ours to see). */
  state: 'running' | 'stopped' | 'missing' | 'unknown';
  detail: string;
}

export interface ServerRuntime {
  readonly kind: RuntimeKind;
  /** Checks that need no server: tools present, port free, address and config agree. */
  preflight(logger: Logger): Promise<void>;
  /** Write files and start the server; resolves once it is started (the caller waits for the API). */
  start(logger: Logger, signal?: AbortSignal): Promise<void>;
  /** Stop without deleting anything (no `down -v`, no data directory removal). */
  stop(logger: Logger): Promise<void>;
  processState(): Promise<ProcessState>;
  recentLogs(lines: number): Promise<string[]>;
  /** Where the server keeps its data, to tell the operator (never deleted by us). */
  storageLocation(): string;
  /** The file path for a file audit device, as the server sees it; undefined when not ours to choose. */
  auditLogPath(): string | undefined;
  info(): RuntimeInfo;
}
