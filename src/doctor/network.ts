// Raw TCP and TLS probes (no HTTP): they tell "nothing listens" from "wrong host" from "wrong scheme".
import { readFileSync } from 'node:fs';
import { connect as connectTcp, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';

export type TcpProbe =
  | { reachable: true }
  | { reachable: false; reason: 'refused' | 'dns' | 'timeout' | 'unreachable' | 'other'; code: string };

export async function probeTcp(host: string, port: number, timeoutMs: number): Promise<TcpProbe> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host, port });
    const finish = (result: TcpProbe): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish({ reachable: false, reason: 'timeout', code: 'ETIMEDOUT' }));
    socket.once('connect', () => finish({ reachable: true }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ reachable: false, reason: tcpReason(error.code), code: error.code ?? error.message }));
  });
}

function tcpReason(code: string | undefined): Exclude<TcpProbe, { reachable: true }>['reason'] {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return 'dns';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    default:
      return 'other';
  }
}

export type TlsProbe =
  | { handshake: true; trusted: true; protocol: string }
  | { handshake: true; trusted: false; protocol: string; reason: string }
  /** noConnection: no TCP connection at all, which is network.tcp's finding, not a TLS one. */
  | { handshake: false; plainHttp: boolean; noConnection: boolean; reason: string };

export interface TlsProbeOptions {
  caCertPath?: string;
  timeoutMs: number;
}

/** A TLS handshake only: reports whether the server speaks TLS and whether its certificate is trusted. */
export async function probeTls(host: string, port: number, options: TlsProbeOptions): Promise<TlsProbe> {
  const ca = options.caCertPath ? readFileSync(options.caCertPath) : undefined;
  return new Promise((resolve) => {
    // Verification is judged after the handshake, so an untrusted certificate is reported rather than thrown.
    const socket = connectTls({ host, port, ca, rejectUnauthorized: false, servername: isIP(host) ? undefined : host });
    const finish = (result: TlsProbe): void => {
      socket.destroy();
      resolve(result);
    };
    let connected = false;
    socket.once('connect', () => (connected = true));
    socket.setTimeout(options.timeoutMs, () =>
      finish({ handshake: false, plainHttp: false, noConnection: !connected, reason: `no TLS handshake within ${options.timeoutMs / 1000} s` }),
    );
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol() ?? 'TLS';
      if (socket.authorized) finish({ handshake: true, trusted: true, protocol });
      else finish({ handshake: true, trusted: false, protocol, reason: String(socket.authorizationError ?? 'certificate not trusted') });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const text = `${error.code ?? ''} ${error.message}`;
      // OpenSSL's words for "the peer answered with plain HTTP instead of a ServerHello".
      const plainHttp = /wrong version number|packet length too long|http request|unknown protocol|EPROTO/i.test(text);
      finish({ handshake: false, plainHttp, noConnection: !connected, reason: error.code ?? error.message });
    });
  });
}
