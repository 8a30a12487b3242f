// The raw TCP/TLS probes tell refused, DNS, plain HTTP and untrusted certificates apart.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { probeTcp, probeTls } from '../../src/doctor/network.js';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Answers like Go's TLS listener does to a plain request, or like a plain HTTP server does to a ClientHello. */
function plainHttpServer(body: string): Server {
  return createServer((socket) => {
    socket.once('data', () => socket.end(`HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${body}`));
    socket.on('error', () => undefined);
  });
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('probeTcp', () => {
  it('reports a listening port as reachable', async () => {
    const port = await listen(createServer((socket) => socket.destroy()));
    expect(await probeTcp('127.0.0.1', port, 2_000)).toEqual({ reachable: true });
  });

  it('reports a closed port as refused', async () => {
    expect(await probeTcp('127.0.0.1', await closedPort(), 2_000)).toMatchObject({ reachable: false, reason: 'refused', code: 'ECONNREFUSED' });
  });

  it('reports an unknown host name as a DNS failure', async () => {
    expect(await probeTcp('bybit-vault-doctor.invalid', 8200, 5_000)).toMatchObject({ reachable: false, reason: 'dns' });
  });
});

describe('probeTls', () => {
  it('reports a closed port as no connection (a network.tcp finding, not a TLS one)', async () => {
    expect(await probeTls('127.0.0.1', await closedPort(), { timeoutMs: 2_000 })).toMatchObject({ handshake: false, noConnection: true, reason: 'ECONNREFUSED' });
  });

  it('recognises a plain HTTP server behind an https address', async () => {
    const port = await listen(plainHttpServer('Client sent an HTTP request to an HTTPS server.\n'));
    expect(await probeTls('127.0.0.1', port, { timeoutMs: 2_000 })).toMatchObject({ handshake: false, plainHttp: true, noConnection: false });
  });

  describe.skipIf(!hasOpenssl())('with a self-signed certificate', () => {
    it('is untrusted by the system store and trusted with VAULT_CACERT pointing at it', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'doctor-tls-'));
      try {
        const keyPath = join(dir, 'key.pem');
        const certPath = join(dir, 'cert.pem');
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {
          stdio: 'ignore',
        });
        const server = createTlsServer({ key: await readFile(keyPath), cert: await readFile(certPath) }, (socket) => socket.end());
        const port = await listen(server);
        expect(await probeTls('127.0.0.1', port, { timeoutMs: 2_000 })).toMatchObject({ handshake: true, trusted: false, reason: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
        expect(await probeTls('127.0.0.1', port, { timeoutMs: 2_000, caCertPath: certPath })).toMatchObject({ handshake: true, trusted: true });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});
