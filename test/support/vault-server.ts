// Starts a fresh, real, NON-dev Vault-compatible server for one test file and always cleans it up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

export interface TestServer {
  address: string;
  port: number;
  bin: string;
  dir: string;
  dataDir: string;
  configPath: string;
  logPath: string;
  /** Stop the process (data kept) — e.g. to test "cannot connect". */
  stop(): Promise<void>;
  /** Start it again on the same port and storage; it comes back sealed. */
  start(): Promise<void>;
  /** Stop and remove every file. */
  destroy(): Promise<void>;
  log(): Promise<string>;
}

const liveProcesses = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveProcesses) child.kill('SIGKILL');
});

export function serverBinary(): string | null {
  return inject('vaultBin');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A port whose neighbour is free too: the binary runtime listens on port + 1 for cluster traffic. */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port < 65535 && (await canListen(port + 1))) return port;
  }
  throw new Error('no two adjacent free ports found');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export function serverConfig(options: { port: number; clusterPort: number; dataDir: string; storage?: 'file' | 'raft' }): string {
  const storage =
    options.storage === 'raft'
      ? `storage "raft" {\n  path = "${options.dataDir}"\n  node_id = "test"\n}\ncluster_addr = "http://127.0.0.1:${options.clusterPort}"\n`
      : `storage "file" {\n  path = "${options.dataDir}"\n}\n`;
  return (
    storage +
    `listener "tcp" {\n  address = "127.0.0.1:${options.port}"\n  cluster_address = "127.0.0.1:${options.clusterPort}"\n  tls_disable = true\n}\n` +
    `api_addr = "http://127.0.0.1:${options.port}"\n` +
    // Vault reads this; OpenBao ignores it with a warning (it never locks memory).
    `disable_mlock = true\n`
  );
}

export async function waitForHealth(address: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let wait = 25;
  for (;;) {
    try {
      const response = await fetch(`${address}/v1/sys/health`);
      await response.arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`server at ${address} did not answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, 500);
    }
  }
}

export async function startTestServer(options: { bin?: string; storage?: 'file' | 'raft' } = {}): Promise<TestServer> {
  const bin = options.bin ?? serverBinary();
  if (!bin) throw new Error('no server binary (see the global setup message)');
  const dir = await mkdtemp(join(tmpdir(), 'bybit-vault-server-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const clusterPort = await freePort();
  const configPath = join(dir, 'server.hcl');
  const logPath = join(dir, 'server.log');
  await writeFile(configPath, serverConfig({ port, clusterPort, dataDir, storage: options.storage }));
  const address = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const logFd = openSync(logPath, 'a');
    child = spawn(bin, ['server', `-config=${configPath}`], { stdio: ['ignore', logFd, logFd], env: { ...process.env, VAULT_ADDR: address } });
    closeSync(logFd);
    liveProcesses.add(child);
    const exited = new Promise<never>((_, reject) =>
      child!.once('exit', (code) => reject(new Error(`server exited early with code ${code}; log at ${logPath}`))),
    );
    exited.catch(() => undefined);
    await Promise.race([waitForHealth(address), exited]);
  };

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    liveProcesses.delete(running);
  };

  await start();
  return {
    address,
    port,
    bin,
    dir,
    dataDir,
    configPath,
    logPath,
    start,
    stop,
    destroy: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    log: () => readFile(logPath, 'utf8'),
  };
}
