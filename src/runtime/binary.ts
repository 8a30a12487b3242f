// The binary runtime: a local vault/bao server process with its config, raft data and log under the state dir.
import { spawn } from 'node:child_process';
import { accessSync, constants, openSync, closeSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { BybitVaultError, UsageError } from '../errors.js';
import { isProcessAlive } from '../state/store.js';
import type { Logger } from '../ui/logger.js';
import { assertPortFree, parseVaultAddress } from './ports.js';
import { declarativeAuditBlock, renderTemplate, writeIfAbsent } from './templates.js';
import { runCommand } from './exec.js';
import type { ProcessState, RuntimeSettings, ServerRuntime } from './types.js';
import type { RuntimeInfo } from '../state/schema.js';

export class BinaryRuntime implements ServerRuntime {
  readonly kind = 'binary' as const;
  private readonly serverDir: string;
  private readonly configPath: string;
  private readonly logPath: string;
  private readonly dataDir: string;
  private pid?: number;
  private serverBin?: string;

  constructor(private readonly settings: RuntimeSettings) {
    this.serverDir = join(settings.stateDir, 'server');
    this.configPath = join(this.serverDir, 'config.hcl');
    this.logPath = join(this.serverDir, 'server.log');
    this.dataDir = join(this.serverDir, 'data');
    this.pid = settings.saved?.kind === 'binary' ? settings.saved.pid : undefined;
    this.serverBin = settings.vaultBin ?? (settings.saved?.kind === 'binary' ? settings.saved.serverBin : undefined);
  }

  async preflight(): Promise<void> {
    this.serverBin = resolveServerBinary(this.settings.vaultBin ?? this.serverBin);
    const address = parseVaultAddress(this.settings.vaultAddr);
    if (address.scheme === 'https') {
      throw new UsageError(`The binary runtime serves plain HTTP locally, but --vault-addr is ${this.settings.vaultAddr}`, {
        hint: `Use --vault-addr http://${address.host}:${address.port}, or run your TLS server yourself and use --runtime external.`,
      });
    }
    if ((await this.processState()).state === 'running') return;
    await assertPortFree(address.host, address.port);
    await assertPortFree(address.host, address.port + 1, 'the cluster port: --vault-addr port + 1');
  }

  async start(logger: Logger): Promise<void> {
    if ((await this.processState()).state === 'running') {
      logger.info(`server process ${this.pid} is already running`);
      return;
    }
    const bin = resolveServerBinary(this.serverBin);
    this.serverBin = bin;
    const address = parseVaultAddress(this.settings.vaultAddr);
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const config = await renderTemplate('server-binary.hcl', {
      DATA_DIR: this.dataDir,
      HOST: address.host,
      PORT: String(address.port),
      CLUSTER_PORT: String(address.port + 1),
      AUDIT_BLOCK: declarativeAuditBlock(await isOpenBaoBinary(bin), this.auditLogPath()),
    });
    await writeIfAbsent(this.configPath, config, logger, 0o600);
    const logFd = openSync(this.logPath, 'a', 0o600);
    const child = spawn(bin, ['server', `-config=${this.configPath}`], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, VAULT_ADDR: this.settings.vaultAddr, BAO_ADDR: this.settings.vaultAddr },
    });
    closeSync(logFd);
    child.unref();
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      child.once('error', resolve);
      child.once('spawn', () => resolve(undefined));
    });
    if (spawnError || !child.pid) {
      throw new BybitVaultError('SERVER_START_FAILED', `Could not start ${bin}: ${spawnError?.message ?? 'no pid'}`, {
        hint: 'Check --vault-bin points at a vault or bao executable.',
      });
    }
    this.pid = child.pid;
  }

  async stop(logger: Logger): Promise<void> {
    if (!this.pid || !isProcessAlive(this.pid)) return;
    process.kill(this.pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    let wait = 50;
    while (isProcessAlive(this.pid) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 1_000);
    }
    if (isProcessAlive(this.pid)) throw new BybitVaultError('SERVER_STOP_FAILED', `Server process ${this.pid} did not stop within 15 s`, { hint: `kill ${this.pid}` });
    logger.success(`stopped server process ${this.pid} (data kept in ${this.dataDir})`);
  }

  async processState(): Promise<ProcessState> {
    if (!this.pid) return { state: 'missing', detail: 'no server process recorded' };
    if (!isProcessAlive(this.pid)) return { state: 'stopped', detail: `process ${this.pid} is not running` };
    return { state: 'running', detail: `process ${this.pid} is running` };
  }

  async recentLogs(lines: number): Promise<string[]> {
    try {
      const text = await readFile(this.logPath, 'utf8');
      return text.split('\n').filter((line) => line.trim()).slice(-lines);
    } catch {
      return [];
    }
  }

  storageLocation(): string {
    return this.dataDir;
  }

  auditLogPath(): string {
    return join(this.serverDir, 'audit.log');
  }

  info(): RuntimeInfo {
    return { kind: 'binary', pid: this.pid, serverBin: this.serverBin, configPath: this.configPath, logPath: this.logPath, dataDir: this.dataDir };
  }
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** --vault-bin, else `vault`, then `bao`, on PATH. */
export function resolveServerBinary(explicit?: string): string {
  if (explicit) {
    if (!isExecutable(explicit)) throw new UsageError(`--vault-bin ${explicit} is not an executable file`, { hint: 'Point --vault-bin at a vault or bao binary.' });
    return explicit;
  }
  for (const name of ['vault', 'bao']) {
    for (const directory of (process.env.PATH ?? '').split(delimiter)) {
      if (directory && isExecutable(join(directory, name))) return join(directory, name);
    }
  }
  throw new UsageError('The binary runtime needs a vault or bao executable, and neither is on PATH', {
    hint: 'Pass --vault-bin /path/to/vault (or bao), or use --runtime docker / external.',
  });
}

async function isOpenBaoBinary(bin: string): Promise<boolean> {
  const version = await runCommand(bin, ['version'], { timeoutMs: 20_000 });
  return /openbao/i.test(version.stdout);
}
