// Memoised server calls shared by the checks: each request is made at most once per doctor run.
import type { ProcessState, ServerRuntime } from '../runtime/index.js';
import type { HealthStatus, KvSecret, MountInfo, SealStatus, TokenInfo, VaultClient } from '../vault/index.js';

export interface Probes {
  health(): Promise<HealthStatus>;
  sealStatus(): Promise<SealStatus>;
  /** lookup-self with the application's token from .env. */
  appTokenLookup(): Promise<TokenInfo>;
  /** lookup-self with the shell's VAULT_TOKEN. */
  shellTokenLookup(): Promise<TokenInfo>;
  /** The application's view of a mapped secret: read with its own token. */
  readSecret(path: string): Promise<KvSecret | undefined>;
  /** The mount table, read with the shell's (privileged) token. */
  mounts(): Promise<Record<string, MountInfo>>;
  /** The server process or container, as its runtime sees it (undefined without a runtime). */
  processState(): Promise<ProcessState | undefined>;
  /** The server's recent log lines ([] when the runtime keeps none we can see). */
  recentLogs(): Promise<string[]>;
}

export interface ProbeSources {
  client: VaultClient;
  mount: string;
  appToken?: string;
  shellToken?: string;
  runtime?: ServerRuntime;
}

export const RECENT_LOG_LINES = 12;

export function createProbes(sources: ProbeSources): Probes {
  const { client, mount } = sources;
  const secretReads = new Map<string, Promise<KvSecret | undefined>>();
  return {
    health: once(() => client.health()),
    sealStatus: once(() => client.sealStatus()),
    appTokenLookup: once(() => client.lookupSelf(required(sources.appToken, 'application token'))),
    shellTokenLookup: once(() => client.lookupSelf(required(sources.shellToken, 'shell token'))),
    readSecret: (path) => {
      let read = secretReads.get(path);
      if (!read) {
        read = client.kvRead(required(sources.appToken, 'application token'), mount, path);
        secretReads.set(path, read);
      }
      return read;
    },
    mounts: once(() => client.listMounts(required(sources.shellToken, 'shell token'))),
    processState: once(async () => sources.runtime?.processState()),
    recentLogs: once(async () => (sources.runtime ? sources.runtime.recentLogs(RECENT_LOG_LINES).catch(() => []) : [])),
  };
}

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= load());
}

function required(token: string | undefined, what: string): string {
  // Checks test for the token before probing; reaching this is a bug in a check.
  if (!token) throw new Error(`doctor probe needs the ${what}, which is not set`);
  return token;
}
