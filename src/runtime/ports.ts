import { createServer } from 'node:net';
import { BybitVaultError, UsageError } from '../errors.js';

export interface ListenAddress {
  scheme: 'http' | 'https';
  host: string;
  port: number;
}

export function parseVaultAddress(address: string): ListenAddress {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new UsageError(`--vault-addr ${address} is not a valid URL (scheme, host and a port from 1 to 65535)`, { hint: 'Use the form http://127.0.0.1:8200.' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--vault-addr ${address} must start with http:// or https://`, { hint: 'Use the form http://127.0.0.1:8200 (or https:// with TLS).' });
  }
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port ? Number(url.port) : scheme === 'https' ? 443 : 80;
  return { scheme, host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

/** True when nothing listens on host:port (we can bind it ourselves). */
export async function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function assertPortFree(host: string, port: number, role = 'the API port of --vault-addr'): Promise<void> {
  if (await isPortFree(host, port)) return;
  throw new BybitVaultError('PORT_IN_USE', `Port ${port} on ${host} (${role}) is already in use`, {
    hint: `Stop what listens there (\`ss -ltnp 'sport = :${port}'\` shows it), or choose another port: --vault-addr http://127.0.0.1:<free port> (it then goes into VAULT_ADDR in .env). If a Vault server already runs there, use --runtime external.`,
  });
}
