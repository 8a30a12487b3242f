// The external runtime: somebody else runs the server; we only talk to it.
import type { RuntimeInfo } from '../state/schema.js';
import { parseVaultAddress } from './ports.js';
import type { ProcessState, RuntimeSettings, ServerRuntime } from './types.js';

export class ExternalRuntime implements ServerRuntime {
  readonly kind = 'external' as const;
  constructor(private readonly settings: RuntimeSettings) {}

  async preflight(): Promise<void> {
    parseVaultAddress(this.settings.vaultAddr);
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async processState(): Promise<ProcessState> {
    return { state: 'unknown', detail: `external server at ${this.settings.vaultAddr} (not managed by bybit-vault)` };
  }
  async recentLogs(): Promise<string[]> {
    return [];
  }
  storageLocation(): string {
    return `the storage of the external server at ${this.settings.vaultAddr}`;
  }
  auditLogPath(): undefined {
    return undefined;
  }
  info(): RuntimeInfo {
    return { kind: 'external' };
  }
}
