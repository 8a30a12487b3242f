// The docker runtime: docker compose (v2 plugin, or docker-compose v1) with generated files under deployment/.
import { join } from 'node:path';
import { BybitVaultError } from '../errors.js';
import type { RuntimeInfo } from '../state/schema.js';
import type { Logger } from '../ui/logger.js';
import { lastLines, runCommand, type ExecResult } from './exec.js';
import { assertPortFree, parseVaultAddress } from './ports.js';
import { declarativeAuditBlock, renderTemplate, writeIfAbsent } from './templates.js';
import type { ProcessState, RuntimeSettings, ServerRuntime } from './types.js';

export const CONTAINER_NAME = 'bybit-vault';
export const DEFAULT_IMAGE = 'hashicorp/vault:1.17';

interface ImageLayout {
  cli: string;
  addrEnv: string;
  configDir: string;
  dataDir: string;
  logsDir: string;
}

/** HashiCorp's image keeps everything under /vault, OpenBao's under /openbao. */
export function imageLayout(image: string): ImageLayout {
  return /openbao/i.test(image)
    ? { cli: 'bao', addrEnv: 'BAO_ADDR', configDir: '/openbao/config', dataDir: '/openbao/file', logsDir: '/openbao/logs' }
    : { cli: 'vault', addrEnv: 'VAULT_ADDR', configDir: '/vault/config', dataDir: '/vault/file', logsDir: '/vault/logs' };
}

export class DockerRuntime implements ServerRuntime {
  readonly kind = 'docker' as const;
  readonly deploymentDir: string;
  readonly composeFile: string;
  readonly configFile: string;
  private readonly image: string;
  private compose?: string[];

  constructor(private readonly settings: RuntimeSettings) {
    this.deploymentDir = join(settings.projectDir, 'deployment');
    this.composeFile = join(this.deploymentDir, 'docker-compose.vault.yml');
    this.configFile = join(this.deploymentDir, 'config', 'vault.hcl');
    this.image = settings.image ?? settings.saved?.image ?? DEFAULT_IMAGE;
  }

  async preflight(): Promise<void> {
    const address = parseVaultAddress(this.settings.vaultAddr);
    if (address.scheme === 'https') {
      throw new BybitVaultError('ADDRESS_SCHEME_MISMATCH', `--vault-addr is https but the generated server config listens with tls_disable = true`, {
        hint: `Use --vault-addr http://127.0.0.1:${address.port}, or enable TLS in ${this.configFile} and run with --runtime external.`,
      });
    }
    const version = await runCommand('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 20_000 });
    if (version.notFound) {
      throw new BybitVaultError('DOCKER_MISSING', 'docker is not installed (not found on PATH)', {
        hint: 'Install Docker Engine, or use --runtime binary --vault-bin <vault|bao> or --runtime external.',
      });
    }
    if (version.exitCode !== 0) {
      throw new BybitVaultError('DOCKER_DAEMON_DOWN', 'The docker daemon does not answer', {
        details: lastLines(version.stderr, 3),
        hint: 'Start it (`sudo systemctl start docker`) or check that your user may use it (`docker ps`).',
      });
    }
    await this.composeCommand();
    if ((await this.processState()).state === 'running') return;
    await assertPortFree(address.host === 'localhost' ? '127.0.0.1' : address.host, address.port);
  }

  async start(logger: Logger): Promise<void> {
    await this.writeFiles(logger);
    const result = await this.runCompose(['up', '-d']);
    if (result.exitCode !== 0) {
      throw new BybitVaultError('COMPOSE_UP_FAILED', `docker compose up failed (exit ${result.exitCode})`, {
        details: lastLines(result.stderr || result.stdout, 10),
        hint: `Fix the reported problem, then run \`bybit-vault migrate\` again (it resumes at deploy).`,
      });
    }
  }

  async writeFiles(logger: Logger): Promise<void> {
    const address = parseVaultAddress(this.settings.vaultAddr);
    const layout = imageLayout(this.image);
    const values = {
      IMAGE: this.image,
      PORT: String(address.port),
      PUBLISH_HOST: address.host === 'localhost' ? '127.0.0.1' : address.host,
      CLI: layout.cli,
      ADDR_ENV: layout.addrEnv,
      CONFIG_DIR: layout.configDir,
      DATA_DIR: layout.dataDir,
      LOGS_DIR: layout.logsDir,
      AUDIT_BLOCK: declarativeAuditBlock(layout.cli === 'bao', `${layout.logsDir}/audit.log`),
    };
    await writeIfAbsent(this.composeFile, await renderTemplate('docker-compose.vault.yml', values), logger);
    await writeIfAbsent(this.configFile, await renderTemplate('server-docker.hcl', values), logger);
  }

  async stop(logger: Logger): Promise<void> {
    // `stop`, never `down -v`: the named volumes hold the encrypted data and must survive.
    const result = await this.runCompose(['stop']);
    if (result.exitCode !== 0) {
      throw new BybitVaultError('COMPOSE_STOP_FAILED', `docker compose stop failed (exit ${result.exitCode})`, { details: lastLines(result.stderr, 5) });
    }
    logger.success(`stopped container ${CONTAINER_NAME} (volumes kept)`);
  }

  async processState(): Promise<ProcessState> {
    const result = await runCommand('docker', ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', CONTAINER_NAME], { timeoutMs: 20_000 });
    if (result.notFound) return { state: 'unknown', detail: 'docker is not installed' };
    if (result.exitCode !== 0) {
      return /no such (object|container)/i.test(result.stderr)
        ? { state: 'missing', detail: `container ${CONTAINER_NAME} does not exist` }
        : { state: 'unknown', detail: lastLines(result.stderr, 1).join(' ') || 'docker inspect failed' };
    }
    const [status, exitCode] = result.stdout.trim().split(/\s+/);
    if (status === 'running' || status === 'restarting') return { state: 'running', detail: `container ${CONTAINER_NAME} is ${status}` };
    return { state: 'stopped', detail: `container ${CONTAINER_NAME} is ${status} (exit code ${exitCode})` };
  }

  async recentLogs(lines: number): Promise<string[]> {
    const result = await runCommand('docker', ['logs', '--tail', String(lines), CONTAINER_NAME], { timeoutMs: 20_000 });
    return lastLines(`${result.stdout}\n${result.stderr}`, lines);
  }

  storageLocation(): string {
    return `the docker volume bybit-vault_bybit-vault-data (container path ${imageLayout(this.image).dataDir})`;
  }

  auditLogPath(): string {
    return `${imageLayout(this.image).logsDir}/audit.log`;
  }

  info(): RuntimeInfo {
    return { kind: 'docker', composeFile: this.composeFile, image: this.image };
  }

  /** `docker compose` (v2 plugin) when it answers, else the standalone `docker-compose` (v1). */
  private async composeCommand(): Promise<string[]> {
    if (this.compose) return this.compose;
    const plugin = await runCommand('docker', ['compose', 'version'], { timeoutMs: 20_000 });
    if (plugin.exitCode === 0) return (this.compose = ['docker', 'compose']);
    const standalone = await runCommand('docker-compose', ['version'], { timeoutMs: 20_000 });
    if (standalone.exitCode === 0) return (this.compose = ['docker-compose']);
    throw new BybitVaultError('COMPOSE_MISSING', 'Neither `docker compose` nor `docker-compose` is available', {
      hint: 'Install the Docker Compose plugin (package docker-compose-plugin), or use --runtime binary / external.',
    });
  }

  private async runCompose(args: string[]): Promise<ExecResult> {
    const [file, ...prefix] = await this.composeCommand();
    return runCommand(file!, [...prefix, '--project-directory', this.deploymentDir, '-f', this.composeFile, ...args], {
      cwd: this.deploymentDir,
      timeoutMs: 300_000,
    });
  }
}
