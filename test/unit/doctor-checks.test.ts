// Doctor checks against fakes: docker on PATH, a binary runtime's log, Go-like HTTPS answers, stubbed token lookups.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CommonOptions } from '../../src/context.js';
import { appConfigCheck } from '../../src/doctor/checks/app-config.js';
import { dockerContainerCheck, dockerEngineCheck } from '../../src/doctor/checks/docker.js';
import { envPlaintextCheck } from '../../src/doctor/checks/env-plaintext.js';
import { kvMountCheck } from '../../src/doctor/checks/kv-mount.js';
import { mappingCheck } from '../../src/doctor/checks/mapping.js';
import { networkTcpCheck } from '../../src/doctor/checks/network-tcp.js';
import { networkTlsCheck } from '../../src/doctor/checks/network-tls.js';
import { serverHealthCheck } from '../../src/doctor/checks/server-health.js';
import { serverProcessCheck } from '../../src/doctor/checks/server-process.js';
import { settingsCheck } from '../../src/doctor/checks/settings.js';
import { stateFileCheck } from '../../src/doctor/checks/state-file.js';
import { appTokenCheck } from '../../src/doctor/checks/token-app.js';
import { createDoctorContext } from '../../src/doctor/context.js';
import { tokenFingerprint } from '../../src/doctor/format.js';
import type { Probes } from '../../src/doctor/probes.js';
import { runChecks } from '../../src/doctor/runner.js';
import type { DoctorContext } from '../../src/doctor/types.js';
import type { MigrationState } from '../../src/state/schema.js';
import { StateStore } from '../../src/state/store.js';
import type { TokenInfo } from '../../src/vault/index.js';

const APP_TOKEN = 's.appTokenForUnitTests-0123456789';
const SHELL_TOKEN = 's.rootTokenForUnitTests-9876543210';
const dirs: string[] = [];
const servers: Server[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

interface Workspace {
  dir: string;
  common: CommonOptions;
}

async function workspace(options: { env?: string[]; state?: (state: MigrationState) => void; vaultAddrFlag?: string } = {}): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'doctor-unit-'));
  dirs.push(dir);
  const envFile = join(dir, '.env');
  const stateDir = join(dir, '.bybit-vault');
  if (options.env) await writeFile(envFile, `${options.env.join('\n')}\n`);
  if (options.state) {
    const store = await StateStore.open(stateDir);
    await store.update(options.state);
  }
  return { dir, common: { envFile, stateDir, vaultAddrFlag: options.vaultAddrFlag, json: false, color: false } };
}

async function contextFor(space: Workspace, env: NodeJS.ProcessEnv = {}, probes: Partial<Probes> = {}): Promise<DoctorContext> {
  const ctx = await createDoctorContext(space.common, { env, httpTimeoutMs: 2_000 });
  return { ...ctx, probes: { ...ctx.probes, ...probes } };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('docker runtime (fake docker on PATH)', () => {
  const originalPath = process.env.PATH;
  let fakeBin = '';

  beforeAll(async () => {
    fakeBin = await mkdtemp(join(tmpdir(), 'doctor-fake-docker-'));
    dirs.push(fakeBin);
    const script = [
      '#!/bin/sh',
      'case "$1" in',
      '  version) if [ -n "$FAKE_DOCKER_DOWN" ]; then echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1; fi; echo 27.1.1 ;;',
      '  inspect) echo "exited 1" ;;',
      '  logs) echo "==> Vault server configuration:"; echo "Error initializing core: Failed to lock memory: cannot allocate memory" >&2 ;;',
      'esac',
    ].join('\n');
    await writeFile(join(fakeBin, 'docker'), `${script}\n`);
    await chmod(join(fakeBin, 'docker'), 0o755);
  });

  afterEach(() => {
    process.env.PATH = originalPath;
    delete process.env.FAKE_DOCKER_DOWN;
  });

  const dockerState = (state: MigrationState): void => {
    state.runtime = { kind: 'docker', composeFile: '/app/deployment/docker-compose.vault.yml' };
  };

  it('an exited container: fails with its log lines and the known cause (mlock) with its fix', async () => {
    process.env.PATH = `${fakeBin}:${originalPath}`;
    const ctx = await contextFor(await workspace({ state: dockerState }));
    const [engine, container] = await runChecks([dockerEngineCheck, dockerContainerCheck], ctx);
    expect(engine).toMatchObject({ status: 'ok', finding: 'docker daemon 27.1.1 answers' });
    expect(container!.status).toBe('fail');
    expect(container!.finding).toBe('container bybit-vault is exited (exit code 1): The server could not lock memory (mlock) and refused to start.');
    expect(container!.fix).toContain('IPC_LOCK');
    expect(container!.fix).toContain('docker compose -f /app/deployment/docker-compose.vault.yml up -d');
    expect(container!.details).toContain('Error initializing core: Failed to lock memory: cannot allocate memory');
  });

  it('a daemon that does not answer fails docker.engine and skips the container check', async () => {
    process.env.PATH = `${fakeBin}:${originalPath}`;
    process.env.FAKE_DOCKER_DOWN = '1';
    const ctx = await contextFor(await workspace({ state: dockerState }));
    const [engine, container] = await runChecks([dockerEngineCheck, dockerContainerCheck], ctx);
    expect(engine).toMatchObject({ status: 'fail', finding: 'the docker daemon does not answer' });
    expect(engine!.fix).toContain('systemctl start docker');
    expect(container!.finding).toBe('skipped: docker.engine failed');
  });

  it('no docker CLI on PATH is named as such', async () => {
    process.env.PATH = fakeBin.replace(/$/, '-empty');
    const ctx = await contextFor(await workspace({ state: dockerState }));
    expect(await dockerEngineCheck.run(ctx)).toMatchObject({ status: 'fail', finding: 'the docker CLI is not installed (not found on PATH)' });
  });

  it('without a state, a compose file beside .env still selects the docker runtime', async () => {
    process.env.PATH = `${fakeBin}:${originalPath}`;
    const space = await workspace({ env: ['LOG_LEVEL=info'] });
    await mkdir(join(space.dir, 'deployment'), { recursive: true });
    await writeFile(join(space.dir, 'deployment', 'docker-compose.vault.yml'), 'services: {}\n');
    const [engine, container] = await runChecks([dockerEngineCheck, dockerContainerCheck], await contextFor(space));
    expect(engine!.status).toBe('ok');
    expect(container!.fix).toContain(`docker compose -f ${join(space.dir, 'deployment', 'docker-compose.vault.yml')} up -d`);
  });

  it('is skipped for other runtimes', async () => {
    const ctx = await contextFor(await workspace({ state: (state) => (state.runtime = { kind: 'external' }) }));
    expect(await dockerEngineCheck.run(ctx)).toEqual({ status: 'skip', finding: 'runtime is external: docker is not used' });
  });
});

describe('cannot connect (binary runtime)', () => {
  it('a dead server process: both checks fail, with the log lines and the known cause', async () => {
    const port = await closedPort();
    const space = await workspace({
      state: (state) => {
        state.vaultAddr = `http://127.0.0.1:${port}`;
        state.runtime = { kind: 'binary', pid: deadPid() };
      },
    });
    await mkdir(join(space.common.stateDir, 'server'), { recursive: true });
    await writeFile(join(space.common.stateDir, 'server', 'server.log'), 'starting\nError: listen tcp 127.0.0.1:8200: bind: address already in use\n');
    const ctx = await contextFor(space);
    const [serverProcess, tcp] = await runChecks([serverProcessCheck, networkTcpCheck], ctx);
    expect(serverProcess!.status).toBe('fail');
    expect(serverProcess!.finding).toMatch(/^process \d+ is not running: The listener address is already in use\.$/);
    expect(tcp!.status).toBe('fail');
    expect(tcp!.finding).toBe(`cannot connect to 127.0.0.1:${port} (address from the state file): connection refused, nothing listens there (server down or wrong port)`);
    // The fix names the same .env and state directory, and says the run unseals after starting.
    expect(tcp!.fix).toMatch(/^bybit-vault migrate --env-file \S+\.env --state-dir \S+\.bybit-vault/);
    expect(tcp!.fix).toContain('then unseals it');
    // The log lines are shown once, by the check of the stopped process.
    expect(serverProcess!.details).toEqual(['starting', 'Error: listen tcp 127.0.0.1:8200: bind: address already in use']);
    expect(tcp!.details).toBeUndefined();
  });

  it('an unknown host is a DNS failure, with a fix for where the address came from', async () => {
    const ctx = await contextFor(await workspace(), { VAULT_ADDR: 'http://vault.bybit-doctor.invalid:8200' });
    const result = await networkTcpCheck.run(ctx);
    expect(result.status).toBe('fail');
    expect(result.finding).toMatch(/^cannot connect to vault\.bybit-doctor\.invalid:8200 \(address from the shell environment\): host name vault\.bybit-doctor\.invalid not found \(DNS/);
    expect(result.fix).toBe('export VAULT_ADDR=http://127.0.0.1:8200');
  });
});

describe('scheme mismatch: http:// address, HTTPS server', () => {
  it('server.health names the mismatch and gives the https address', async () => {
    // What Go's TLS listener (Vault, OpenBao) answers to a plain HTTP request.
    const server = createServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n'));
      socket.on('error', () => undefined);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ctx = await contextFor(await workspace({ vaultAddrFlag: address }));
    const [, , health] = await runChecks([networkTcpCheck, networkTlsCheck, serverHealthCheck], ctx);
    expect(health).toMatchObject({
      status: 'fail',
      finding: `http/https mismatch: ${address} is http:// but the server speaks HTTPS`,
      fix: `run with --vault-addr ${address.replace('http:', 'https:')}`,
    });
  });
});

describe('application token (stubbed lookup)', () => {
  const lookup = (info: Partial<TokenInfo>): Partial<Probes> => ({
    appTokenLookup: async () => ({ accessor: 'acc123', policies: ['bybit-app', 'default'], ttlSeconds: 30 * 86_400, renewable: true, orphan: true, ...info }),
  });
  const space = () => workspace({ env: ['VAULT_ADDR=http://127.0.0.1:8200', `VAULT_TOKEN=${APP_TOKEN}`] });

  it('warns a week before expiry and when the token is not an orphan, with both fixes', async () => {
    const result = await appTokenCheck.run(await contextFor(await space(), {}, lookup({ ttlSeconds: 3 * 86_400 + 7_200, orphan: false })));
    expect(result.status).toBe('warn');
    expect(result.finding).toBe("the application's token expires in 3 d 2 h; not an orphan token: revoking its parent (e.g. the root token) revokes it too");
    expect(result.fix).toContain('vault token renew');
    expect(result.fix).toContain('bybit-vault migrate');
  });

  it('fails an expired token', async () => {
    const result = await appTokenCheck.run(await contextFor(await space(), {}, lookup({ ttlSeconds: 0, expireTime: '2020-01-01T00:00:00Z' })));
    expect(result).toMatchObject({ status: 'fail', finding: "the application's token expired at 2020-01-01T00:00:00Z" });
  });

  it('a healthy token is ok and shows the accessor, never the token', async () => {
    const result = await appTokenCheck.run(await contextFor(await space(), {}, lookup({})));
    expect(result.status).toBe('ok');
    expect(result.finding).toBe('valid (accessor acc123); policies bybit-app, default; expires in 30 d; renewable; orphan');
    expect(JSON.stringify(result)).not.toContain(APP_TOKEN);
  });
});

describe("the application's .env", () => {
  it('missing: a failure when a migration is recorded, a warning otherwise', async () => {
    const withState = await contextFor(await workspace({ state: (state) => (state.vaultAddr = 'http://127.0.0.1:8200') }));
    expect(await appConfigCheck.run(withState)).toMatchObject({ status: 'fail', fix: expect.stringContaining('--env-file') });
    const withoutState = await contextFor(await workspace());
    expect(await appConfigCheck.run(withoutState)).toMatchObject({ status: 'warn', finding: expect.stringMatching(/^no \.env at /) });
  });

  it('a token without an address, and no Vault settings at all before the migration', async () => {
    const tokenOnly = await contextFor(await workspace({ env: [`VAULT_TOKEN=${APP_TOKEN}`] }));
    expect(await appConfigCheck.run(tokenOnly)).toMatchObject({ status: 'fail', finding: expect.stringContaining('has VAULT_TOKEN but no VAULT_ADDR') });
    const notMigrated = await contextFor(await workspace({ env: ['BYBIT_API_KEY=abc'] }));
    expect((await appConfigCheck.run(notMigrated)).status).toBe('skip');
  });

  it('an application address that nothing answers: fails, recommending the checked address only when it answers', async () => {
    const port = await closedPort();
    const space = await workspace({ env: [`VAULT_ADDR=http://127.0.0.1:${port}`, `VAULT_TOKEN=${APP_TOKEN}`], vaultAddrFlag: 'http://127.0.0.1:8200' });
    const answering = await appConfigCheck.run(await contextFor(space, {}, { health: async () => ({ code: 200, initialized: true, sealed: false, standby: false, state: 'active' }) }));
    expect(answering.status).toBe('fail');
    expect(answering.finding).toMatch(new RegExp(`^the application cannot reach Vault: cannot connect to http://127\\.0\\.0\\.1:${port}: connection refused`));
    expect(answering.fix).toBe(`set VAULT_ADDR=http://127.0.0.1:8200 in ${space.common.envFile}, then restart the application`);
    const silent = await appConfigCheck.run(await contextFor(space, {}, { health: async () => Promise.reject(new Error('refused')) }));
    expect(silent.fix).toContain('http://127.0.0.1:8200 does not answer either');
  });

  it('plaintext before the migration is expected; unmapped secret-looking keys are listed by name', async () => {
    const ctx = await contextFor(await workspace({ env: ['BYBIT_API_KEY=abcdefgh', 'SENTRY_TOKEN=zzzzzzzz'] }));
    const result = await envPlaintextCheck.run(ctx);
    expect(result).toMatchObject({ status: 'ok', finding: 'not migrated yet: 1 mapped secret in .env, as expected before bybit-vault migrate' });
    expect(result.details).toEqual(['look like secrets but are not in the mapping (not checked): SENTRY_TOKEN']);
  });
});

describe('settings and TLS', () => {
  it('a shell token that differs from the application token: a warning with fingerprints only', async () => {
    const space = await workspace({ env: ['VAULT_ADDR=http://127.0.0.1:8200', `VAULT_TOKEN=${APP_TOKEN}`] });
    const result = await settingsCheck.run(await contextFor(space, { VAULT_TOKEN: SHELL_TOKEN }));
    expect(result.status).toBe('warn');
    expect(result.finding).toContain(tokenFingerprint(SHELL_TOKEN));
    expect(result.finding).toContain(tokenFingerprint(APP_TOKEN));
    expect(result.details).toContain("VAULT_ADDR: http://127.0.0.1:8200 (from the application's .env); application's .env: http://127.0.0.1:8200");
    const printed = JSON.stringify(result);
    expect(printed).not.toContain(SHELL_TOKEN);
    expect(printed).not.toContain(APP_TOKEN);
  });

  it('VAULT_CACERT naming a missing file fails before any connection', async () => {
    const ctx = await contextFor(await workspace(), { VAULT_ADDR: 'https://127.0.0.1:8200', VAULT_CACERT: '/nonexistent/ca.pem' });
    expect(await networkTlsCheck.run(ctx)).toMatchObject({ status: 'fail', finding: 'VAULT_CACERT /nonexistent/ca.pem does not exist' });
  });
});

describe('state and mapping files', () => {
  it('an unreadable state file fails with the hint, and doctor keeps going', async () => {
    const space = await workspace();
    await mkdir(space.common.stateDir, { recursive: true });
    await writeFile(join(space.common.stateDir, 'state.json'), '{ not json');
    const result = await stateFileCheck.run(await contextFor(space));
    expect(result.status).toBe('fail');
    expect(result.finding).toContain('is not valid JSON');
    expect(result.fix).toContain('mv ');
  });

  it('a broken mapping file fails the mapping check and skips the checks that need it', async () => {
    const space = await workspace({ env: ['LOG_LEVEL=info'], state: (state) => (state.mappingFile = '/nonexistent/mapping.yaml') });
    const [mapping, plaintext] = await runChecks([mappingCheck, envPlaintextCheck], await contextFor(space));
    expect(mapping!.status).toBe('fail');
    expect(mapping!.finding).toMatch(/^mapping file \/nonexistent\/mapping\.yaml cannot be loaded/);
    expect(plaintext!.finding).toBe('skipped: mapping failed');
  });
});

describe('KV mount (stubbed mount table, privileged shell token)', () => {
  const space = () => workspace({ env: ['VAULT_ADDR=http://127.0.0.1:8200', `VAULT_TOKEN=${APP_TOKEN}`] });
  const mounts = (table: Awaited<ReturnType<Probes['mounts']>>): Partial<Probes> => ({ mounts: async () => table });

  it('KV version 1 fails with the upgrade', async () => {
    const ctx = await contextFor(await space(), { VAULT_TOKEN: SHELL_TOKEN }, mounts({ 'secret/': { path: 'secret/', type: 'kv', version: '1' } }));
    expect(await kvMountCheck.run(ctx)).toMatchObject({ status: 'fail', finding: expect.stringContaining('secret/ is KV version 1'), fix: expect.stringContaining('bybit-vault migrate --upgrade-kv') });
  });

  it('a missing mount fails', async () => {
    const ctx = await contextFor(await space(), { VAULT_TOKEN: SHELL_TOKEN }, mounts({ 'sys/': { path: 'sys/', type: 'system' } }));
    expect(await kvMountCheck.run(ctx)).toMatchObject({ status: 'fail', finding: 'the mount secret/ does not exist' });
  });
});
