// Proves the integration suite talks to a REAL server through src/vault: init, unseal, KV v2, byte-exact values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultClient, VaultApiError } from '../../src/vault/index.js';
import { serverBinary, startTestServer, type TestServer } from '../support/vault-server.js';

describe.skipIf(!serverBinary())('real server smoke test', () => {
  let server: TestServer;
  let client: VaultClient;
  let keys: string[] = [];
  let rootToken = '';

  beforeAll(async () => {
    server = await startTestServer();
    client = new VaultClient({ address: server.address });
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('a new server answers health 501 (not initialised) as a state, not a failure', async () => {
    const health = await client.health();
    expect(health.code).toBe(501);
    expect(health.initialized).toBe(false);
    expect(health.state).toBe('not-initialized');
    expect(await client.isInitialized()).toBe(false);
  });

  it('init 5/3 returns five shares and a root token, then health says sealed (503)', async () => {
    const result = await client.initialize({ secretShares: 5, secretThreshold: 3 });
    keys = result.keys;
    rootToken = result.rootToken;
    expect(result.keys).toHaveLength(5);
    expect(new Set(result.keys).size).toBe(5);
    expect(rootToken.length).toBeGreaterThan(10);
    const health = await client.health();
    expect(health.code).toBe(503);
    expect(health.sealed).toBe(true);
    const status = await client.sealStatus();
    expect(status).toMatchObject({ sealed: true, threshold: 3, shares: 5, progress: 0 });
  });

  it('a wrong share is rejected and leaves the server sealed', async () => {
    const wrongShare = Buffer.alloc(33, 7).toString('hex');
    await expect(client.submitUnsealKey(wrongShare)).resolves.toMatchObject({ sealed: true, progress: 1 });
    await client.submitUnsealKey(keys[0]!);
    // Two shares that do not combine to the master key: Vault resets progress and stays sealed.
    await expect(client.submitUnsealKey(keys[1]!)).rejects.toBeInstanceOf(VaultApiError);
    const status = await client.sealStatus();
    expect(status.sealed).toBe(true);
    expect(status.progress).toBe(0);
    expect((await client.health()).code).toBe(503);
  });

  it('three good shares unseal it (health 200)', async () => {
    await client.resetUnseal();
    for (const key of keys.slice(0, 2)) expect((await client.submitUnsealKey(key)).sealed).toBe(true);
    expect((await client.submitUnsealKey(`  ${keys[2]!}\n`)).sealed).toBe(false);
    const health = await client.health();
    expect(health.code).toBe(200);
    expect(health.state).toBe('active');
  });

  it('mounts KV v2 at secret/ and keeps a tricky value byte-exact', async () => {
    expect(Object.keys(await client.listMounts(rootToken))).not.toContain('secret/');
    await client.enableKvV2(rootToken, 'secret');
    const mounts = await client.listMounts(rootToken);
    expect(mounts['secret/']).toMatchObject({ type: 'kv', version: '2' });
    const value = 'line one\nline=two # not a comment $HOME ünïcødé €\u{1F511}\n"quoted" \'single\'';
    const version = await client.kvWrite(rootToken, 'secret', 'smoke/test', { value }, 0);
    expect(version).toBe(1);
    const read = await client.kvRead(rootToken, 'secret', 'smoke/test');
    expect(read?.data.value).toBe(value);
    expect(Buffer.from(read!.data.value!, 'utf8').equals(Buffer.from(value, 'utf8'))).toBe(true);
    expect(read?.version).toBe(1);
  });
});
