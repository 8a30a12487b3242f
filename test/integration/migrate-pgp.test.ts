// --pgp-keys: Vault encrypts each share for its holder; bybit-vault never submits encrypted shares and says how to go on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VaultClient } from '../../src/vault/index.js';
import { serverBinary, startTestServer, type TestServer } from '../support/vault-server.js';
import { cleanEnv, copyFixture, makeWorkspace, removeWorkspace, runCli } from '../support/cli.js';

const bin = serverBinary();
const hasGpg = (() => {
  try {
    execFileSync('gpg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!bin || !hasGpg)('migrate --pgp-keys', () => {
  let server: TestServer;
  let dir: string;
  let gnupgHome: string;

  beforeAll(async () => {
    server = await startTestServer();
    dir = await makeWorkspace();
    gnupgHome = join(dir, 'gnupg');
    await mkdir(gnupgHome, { mode: 0o700 });
    const gpg = (args: string[], input?: Buffer) => execFileSync('gpg', ['--batch', '--quiet', '--homedir', gnupgHome, ...args], { input });
    gpg(['--passphrase', '', '--quick-gen-key', 'Share Holder <holder@example.invalid>', 'rsa2048', 'encrypt', 'never']);
    await writeFile(join(dir, 'holder.asc'), gpg(['--armor', '--export']));
    await copyFixture('bybit-app.env', join(dir, '.env'));
  });
  afterAll(async () => {
    await server.destroy();
    await removeWorkspace(dir);
  });

  it('initialises with encrypted shares, refuses to submit them, and unseals from the decrypted keys file', async () => {
    const common = ['--runtime', 'external', '--vault-addr', server.address, '--env-file', join(dir, '.env'), '--state-dir', join(dir, 'state')];
    const first = await runCli(['migrate', ...common, '--non-interactive', '--keys-file', join(dir, 'keys.json'), '--key-shares', '1', '--key-threshold', '1', '--pgp-keys', join(dir, 'holder.asc')], {
      cwd: dir,
    });
    expect(first.code).toBe(2);
    expect(first.stderr).toMatch(/PGP-encrypted/);
    const keys = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8')) as { unseal_keys_b64: string[] };
    expect((await new VaultClient({ address: server.address }).sealStatus()).sealed).toBe(true);

    // The holder decrypts their share, as `base64 -d | gpg -d` would.
    const share = execFileSync('gpg', ['--batch', '--quiet', '--homedir', gnupgHome, '--decrypt'], { input: Buffer.from(keys.unseal_keys_b64[0]!, 'base64') }).toString('utf8').trim();
    expect(share).not.toBe(keys.unseal_keys_b64[0]);
    await writeFile(join(dir, 'decrypted.json'), JSON.stringify({ unseal_keys_b64: [share] }), { mode: 0o600 });
    const unsealed = await runCli(['unseal', ...common.slice(2), '--keys-file', join(dir, 'decrypted.json')], { cwd: dir, env: cleanEnv() });
    expect(unsealed.code, unsealed.stderr).toBe(0);
    expect(unsealed.stderr + unsealed.stdout).not.toContain(share);

    const rest = await runCli(['migrate', ...common, '--non-interactive', '--keys-file', join(dir, 'keys.json')], { cwd: dir });
    expect(rest.code, rest.stderr).toBe(0);
  });
});
