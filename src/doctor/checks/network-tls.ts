// TLS trust: the CA file is usable, the server speaks TLS when the address says https, and its certificate is trusted.
// Independent of network.tcp on purpose, so a bad CA file is reported even while the server is down.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseVaultAddress } from '../../runtime/index.js';
import { changeAddressFix, withOtherScheme } from '../fixes.js';
import { probeTls } from '../network.js';
import { fail, ok, skip, warn, type Check, type DoctorContext } from '../types.js';

const HANDSHAKE_TIMEOUT_MS = 3_000;

export const networkTlsCheck: Check = {
  id: 'network.tls',
  title: 'TLS trust',
  async run(ctx) {
    const { caCert, skipVerify } = ctx.settings;
    const address = ctx.settings.address;
    const caProblem = caCert ? await caFileProblem(caCert) : undefined;
    if (caProblem) return fail(`VAULT_CACERT ${caCert} ${caProblem}`, 'export VAULT_CACERT=<path of the PEM CA file that signed the server certificate>');
    const appCaProblem = await applicationCaProblem(ctx);
    if (appCaProblem) return fail(appCaProblem, `set VAULT_CACERT in ${ctx.appEnv.path} to the PEM CA file the application can read`);

    let target;
    try {
      target = parseVaultAddress(address.value);
    } catch {
      return skip(`${address.value} is not a URL (see network.tcp)`);
    }
    const { scheme, host, port } = target;
    if (scheme === 'http') {
      return ok(caCert ? 'plain HTTP address: no TLS (VAULT_CACERT is not used)' : 'plain HTTP address: no TLS in use (keep it on 127.0.0.1 or a private network)');
    }
    const probe = await probeTls(host, port, { caCertPath: caCert, timeoutMs: HANDSHAKE_TIMEOUT_MS });
    if (!probe.handshake) {
      if (probe.noConnection) return skip(`no connection to ${host}:${port} (see network.tcp)`);
      if (probe.plainHttp) {
        const corrected = withOtherScheme(address.value) ?? address.value;
        return fail(`http/https mismatch: ${address.value} is https:// but the server answers plain HTTP`, changeAddressFix(ctx, address, corrected));
      }
      return fail(`TLS handshake with ${host}:${port} failed: ${probe.reason}`, 'check that the server listens with TLS on this port');
    }
    const trustSource = caCert ? `the CA in ${caCert}` : 'the system CA store (VAULT_CACERT unset)';
    if (!probe.trusted) {
      if (skipVerify) {
        return warn(`certificate not trusted (${probe.reason}); VAULT_SKIP_VERIFY hides it for this shell only`, 'export VAULT_CACERT=<CA file that signed the server certificate> and unset VAULT_SKIP_VERIFY');
      }
      return fail(`the server certificate is not trusted by ${trustSource}: ${probe.reason}`, 'export VAULT_CACERT=<PEM CA file that signed the server certificate> (and set it in the application\'s .env)');
    }
    if (skipVerify) return warn(`${probe.protocol}, certificate trusted by ${trustSource}, but VAULT_SKIP_VERIFY disables verification`, 'unset VAULT_SKIP_VERIFY');
    return ok(`${probe.protocol}, certificate trusted by ${trustSource}`);
  },
};

async function caFileProblem(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`;
  }
  return text.includes('-----BEGIN CERTIFICATE-----') ? undefined : 'holds no PEM certificate';
}

/** The application's own VAULT_CACERT (.env) must exist too, or the application cannot verify the server. */
async function applicationCaProblem(ctx: DoctorContext): Promise<string | undefined> {
  const configured = ctx.appEnv.values?.VAULT_CACERT;
  if (!configured) return undefined;
  const path = isAbsolute(configured) ? configured : resolve(dirname(ctx.appEnv.path), configured);
  const problem = await caFileProblem(path);
  return problem ? `VAULT_CACERT in the application's .env (${path}) ${problem}` : undefined;
}
