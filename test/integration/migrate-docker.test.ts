// The docker runtime, end to end: a fake `docker` on PATH records the calls and runs the REAL server
// where the container would run, so the generated compose file and the whole flow are exercised.
import { afterAll, describe, expect, it } from 'vitest';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, delimiter } from 'node:path';
import dotenv from 'dotenv';
import { parse as parseYaml } from 'yaml';
import { VaultClient } from '../../src/vault/index.js';
import { freePort, freePortPair, serverBinary } from '../support/vault-server.js';
import { cleanEnv, copyFixture, fixturesDir, makeWorkspace, removeWorkspace, runCli, type CliResult } from '../support/cli.js';

const bin = serverBinary();
const fakeDockerDir = join(fixturesDir, 'bin');

interface DockerWorkspace {
  dir: string;
  envFile: string;
  stateDir: string;
  keysFile: string;
  address: string;
  calls: string;
  container: string;
}

const workspaces: DockerWorkspace[] = [];

async function dockerWorkspace(): Promise<DockerWorkspace> {
  const dir = await makeWorkspace();
  const ws = {
    dir,
    envFile: join(dir, '.env'),
    stateDir: join(dir, '.bybit-vault'),
    keysFile: join(dir, 'keys.json'),
    address: `http://127.0.0.1:${await freePortPair()}`,
    calls: join(dir, 'docker-calls.log'),
    container: join(dir, 'container'),
  };
  await copyFixture('bybit-app.env', ws.envFile);
  workspaces.push(ws);
  return ws;
}

function migrateDocker(ws: DockerWorkspace, extra: string[] = [], scenario = ''): Promise<CliResult> {
  return runCli(['migrate', '--vault-addr', ws.address, '--non-interactive', '--keys-file', ws.keysFile, ...extra], {
    cwd: ws.dir,
    env: cleanEnv({
      PATH: `${fakeDockerDir}${delimiter}${process.env.PATH}`,
      FAKE_DOCKER_LOG: ws.calls,
      FAKE_DOCKER_STATE: ws.container,
      FAKE_DOCKER_SERVER_BIN: bin ?? '',
      FAKE_DOCKER_SCENARIO: scenario,
    }),
    timeoutMs: 200_000,
  });
}

async function dockerCalls(ws: DockerWorkspace): Promise<string[][]> {
  try {
    return (await readFile(ws.calls, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as string[]);
  } catch {
    return [];
  }
}

async function stopContainer(ws: DockerWorkspace): Promise<void> {
  try {
    const { pid } = JSON.parse(await readFile(join(ws.container, 'container.json'), 'utf8')) as { pid: number };
    process.kill(pid, 'SIGTERM');
  } catch {
    // Never started, or already gone.
  }
}

afterAll(async () => {
  for (const ws of workspaces) {
    await stopContainer(ws);
    await removeWorkspace(ws.dir);
  }
});

describe.skipIf(!bin)('migrate --runtime docker (default)', () => {
  it('writes the compose file and config, runs `docker compose up -d` from deployment/, and completes', async () => {
    const ws = await dockerWorkspace();
    const result = await migrateDocker(ws, ['--remove-plaintext']);
    expect(result.code, result.stderr).toBe(0);

    const compose = parseYaml(await readFile(join(ws.dir, 'deployment', 'docker-compose.vault.yml'), 'utf8'));
    const service = compose.services['bybit-vault'];
    expect(service.container_name).toBe('bybit-vault');
    expect(service.image).toMatch(/^hashicorp\/vault:/);
    // The image loads /vault/config itself: a second -config would define the listener twice.
    expect(service.command).toEqual(['server']);
    expect(service.cap_add).toContain('IPC_LOCK');
    expect(service.ports).toEqual([`127.0.0.1:${new URL(ws.address).port}:8200`]);
    expect(service.volumes).toContain('bybit-vault-data:/vault/file');
    expect(Object.keys(compose.volumes)).toContain('bybit-vault-data');
    // `$$?` reaches the shell as `$?`: sealed (2) counts as alive, only unreachable (1) as dead.
    expect(service.healthcheck.test.join(' ')).toContain('[ $$? -ne 1 ]');
    const config = await readFile(join(ws.dir, 'deployment', 'config', 'vault.hcl'), 'utf8');
    expect(config).toMatch(/storage "raft"/);
    expect(config).toMatch(/address\s+= "0\.0\.0\.0:8200"/);
    expect(config).toMatch(/api_addr\s+= "http:\/\/127\.0\.0\.1:\d+"/);
    expect(config).toMatch(/cluster_addr/);

    const calls = await dockerCalls(ws);
    const up = calls.find((call) => call.includes('up'));
    expect(up).toEqual(['compose', '--project-directory', join(ws.dir, 'deployment'), '-f', join(ws.dir, 'deployment', 'docker-compose.vault.yml'), 'up', '-d']);
    expect(calls.flat()).not.toContain('-v');
    expect(calls.some((call) => call.includes('down'))).toBe(false);

    const app = dotenv.parse(await readFile(ws.envFile));
    expect(app.VAULT_ADDR).toBe(ws.address);
    expect((await new VaultClient({ address: ws.address }).kvRead(app.VAULT_TOKEN!, 'secret', 'database/app'))?.data.url).toBe(
      'postgresql://bybit_user:p%40ss-w0rd!FAKE@localhost:5432/bybit_tester',
    );
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: ws.dir })).stdout);
    expect(status.runtime).toBe('docker');
    expect(status.steps.map((step: { status: string }) => step.status)).toEqual(Array(9).fill('done'));
  });

  it('never overwrites a compose file the operator changed: says so and uses it', async () => {
    const ws = await dockerWorkspace();
    await mkdir(join(ws.dir, 'deployment', 'config'), { recursive: true });
    const port = new URL(ws.address).port;
    const mine = `# mine\nservices:\n  bybit-vault:\n    image: openbao/openbao:2.4.0\n    container_name: bybit-vault\n    command: ["server"]\n    cap_add: [IPC_LOCK]\n    ports: ["127.0.0.1:${port}:8200"]\n`;
    await writeFile(join(ws.dir, 'deployment', 'docker-compose.vault.yml'), mine);
    const result = await migrateDocker(ws, ['--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    const deploy = await migrateDocker(ws);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stderr).toMatch(/docker-compose\.vault\.yml differs from what bybit-vault would generate: it is yours, so it is kept/);
    expect(await readFile(join(ws.dir, 'deployment', 'docker-compose.vault.yml'), 'utf8')).toBe(mine);
  });

  it('a container that dies on a memory-lock error fails fast, quoting the log line and the fix', async () => {
    const ws = await dockerWorkspace();
    const started = Date.now();
    const result = await migrateDocker(ws, [], 'mlock');
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.stderr).toMatch(/could not lock memory/);
    expect(result.stderr).toMatch(/log: Error initializing core: Failed to lock memory/);
    expect(result.stderr).toMatch(/IPC_LOCK/);
  });

  it('a compose command that passes the config again (duplicate listener) fails fast with the fix', async () => {
    const ws = await dockerWorkspace();
    await mkdir(join(ws.dir, 'deployment'), { recursive: true });
    const port = new URL(ws.address).port;
    await writeFile(
      join(ws.dir, 'deployment', 'docker-compose.vault.yml'),
      `services:\n  bybit-vault:\n    image: hashicorp/vault:1.17\n    container_name: bybit-vault\n    command: ["server", "-config=/vault/config/vault.hcl"]\n    cap_add: [IPC_LOCK]\n    ports: ["127.0.0.1:${port}:8200"]\n`,
    );
    const result = await migrateDocker(ws);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/address already in use/);
    expect(result.stderr).toMatch(/drop the extra `-config`/);
  });

  it('no docker daemon: a clear error before anything is written', async () => {
    const ws = await dockerWorkspace();
    const result = await migrateDocker(ws, [], 'no-daemon');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/docker daemon does not answer/);
    expect(result.stderr).toMatch(/--runtime binary|systemctl start docker/);
  });
});
