// Unit tests of the client's HTTP handling with a tiny local responder: status-code mapping, headers, errors.
// (Behaviour against a real server is covered by test/integration.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { VaultClient, VaultApiError, VaultUnreachableError } from '../../src/vault/index.js';
import { freePort } from '../support/vault-server.js';

let server: Server;
let address: string;
let nextStatus = 200;
const seen: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers });
    response.writeHead(nextStatus, { 'content-type': 'application/json' });
    response.end(nextStatus >= 400 && !request.url?.includes('health') ? JSON.stringify({ errors: ['permission denied'] }) : JSON.stringify({ initialized: nextStatus !== 501, sealed: nextStatus === 503, standby: nextStatus === 429, version: '1.17.0' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  address = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('VaultClient.health', () => {
  it.each([
    [200, 'active'],
    [429, 'standby'],
    [472, 'dr-secondary'],
    [473, 'performance-standby'],
    [474, 'standby-unhealthy'],
    [501, 'not-initialized'],
    [503, 'sealed'],
  ])('treats HTTP %i as the state %s, not as a failure', async (status, state) => {
    nextStatus = status;
    const health = await new VaultClient({ address }).health();
    expect(health.code).toBe(status);
    expect(health.state).toBe(state);
  });
});

describe('VaultClient errors and headers', () => {
  it('turns an error body into a typed error with status, messages and a hint', async () => {
    nextStatus = 403;
    const error = await new VaultClient({ address }).kvRead('t', 'secret', 'x').catch((caught) => caught);
    expect(error).toBeInstanceOf(VaultApiError);
    expect(error).toMatchObject({ status: 403, messages: ['permission denied'], code: 'VAULT_PERMISSION_DENIED' });
    expect(error.hint).toMatch(/doctor/);
  });

  it('sends X-Vault-Namespace on namespaced paths but not on root-only sys paths', async () => {
    nextStatus = 200;
    seen.length = 0;
    const client = new VaultClient({ address, namespace: 'team-a' });
    await client.health();
    await client.kvWrite('t', 'secret', 'x', { a: 'b' });
    expect(seen[0]!.headers['x-vault-namespace']).toBeUndefined();
    expect(seen[1]!.headers['x-vault-namespace']).toBe('team-a');
    expect(seen[1]!.headers['x-vault-token']).toBe('t');
  });

  it('a refused connection is "cannot connect", with what to do', async () => {
    const port = await freePort();
    const error = await new VaultClient({ address: `http://127.0.0.1:${port}` }).health().catch((caught) => caught);
    expect(error).toBeInstanceOf(VaultUnreachableError);
    expect(error.message).toMatch(/Cannot connect to Vault .* connection refused/);
  });

  it('https against a plain-HTTP server is named as a scheme mismatch', async () => {
    const error = await new VaultClient({ address: address.replace('http:', 'https:') }).health().catch((caught) => caught);
    expect(error).toBeInstanceOf(VaultUnreachableError);
    expect(error.hint).toMatch(/speaks HTTP, not HTTPS/);
  });
});
