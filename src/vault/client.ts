// The ONLY module that speaks HTTP to Vault. One axios instance carries every call: hashi-vault-js
// methods are used where they fit, and the endpoints it lacks go through the same instance.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import HashiVault from 'hashi-vault-js';
import { BybitVaultError } from '../errors.js';
import { retryTransient } from '../util/backoff.js';
import { VaultApiError, VaultUnreachableError } from './errors.js';
import type {
  AuditDevice,
  CapabilityMap,
  HealthStatus,
  InitOptions,
  InitResult,
  KvSecret,
  MountInfo,
  SealStatus,
  TokenCreateOptions,
  TokenCreated,
  TokenInfo,
} from './types.js';

export interface VaultConnection {
  address: string;
  namespace?: string;
  /** PEM file of the CA that signed the server's certificate (VAULT_CACERT). */
  caCert?: string;
  /** Disable TLS verification for this session only (VAULT_SKIP_VERIFY). */
  skipVerify?: boolean;
  timeoutMs?: number;
}

/** Paths that only exist in the root namespace; Vault rejects them with a namespace header. */
const ROOT_ONLY_PATHS = /^\/?(sys\/(health|init|unseal|seal-status|seal|leader))/;

const INIT_TIMEOUT_MS = 15 * 60_000;

/** The health endpoint answers with these codes on purpose; they describe state, not failure. */
const HEALTH_STATE_CODES = new Set([200, 429, 472, 473, 474, 501, 503]);

export class VaultClient {
  readonly address: string;
  readonly namespace?: string;
  private readonly http: AxiosInstance;
  private readonly hashi: HashiVault;

  constructor(connection: VaultConnection) {
    this.address = connection.address.replace(/\/+$/, '');
    this.namespace = connection.namespace || undefined;
    this.http = axios.create({
      baseURL: `${this.address}/v1`,
      timeout: connection.timeoutMs ?? 10_000,
      httpsAgent: buildHttpsAgent(connection),
      proxy: false,
      // Every status is handed back to us so Vault's error bodies become typed errors in one place.
      validateStatus: () => true,
      // Keep values byte-exact: no transforms beyond JSON.
      transitional: { silentJSONParsing: false, clarifyTimeoutError: true },
    });
    this.http.interceptors.request.use(this.addNamespaceHeader);
    this.hashi = new HashiVault({ baseUrl: `${this.address}/v1`, timeout: connection.timeoutMs ?? 10_000 });
    // hashi-vault-js builds its own axios instance; give it ours so TLS, namespace and errors are shared.
    (this.hashi as unknown as { instance: AxiosInstance }).instance = this.throwingInstance();
  }

  // ---- system ----------------------------------------------------------------------------

  async health(): Promise<HealthStatus> {
    const response = await this.send({ method: 'GET', url: '/sys/health' }, { acceptStatus: HEALTH_STATE_CODES });
    const body = (response.data ?? {}) as Record<string, unknown>;
    return {
      code: response.status,
      initialized: Boolean(body.initialized ?? response.status !== 501),
      sealed: Boolean(body.sealed ?? response.status === 503),
      standby: Boolean(body.standby ?? response.status === 429),
      version: typeof body.version === 'string' ? body.version : undefined,
      clusterName: typeof body.cluster_name === 'string' ? body.cluster_name : undefined,
      state: stateForHealthCode(response.status),
    };
  }

  async sealStatus(): Promise<SealStatus> {
    const body = await this.callHashi('sys/seal-status', () => this.hashi.sealStatus());
    return toSealStatus(body);
  }

  async isInitialized(): Promise<boolean> {
    const response = await this.send({ method: 'GET', url: '/sys/init' });
    return Boolean((response.data as { initialized?: boolean }).initialized);
  }

  async initialize(options: InitOptions): Promise<InitResult> {
    const response = await this.send({
      method: 'PUT',
      url: '/sys/init',
      // Init can take long on slow storage; giving up early would lose keys the server still creates.
      timeout: INIT_TIMEOUT_MS,
      data: {
        secret_shares: options.secretShares,
        secret_threshold: options.secretThreshold,
        ...(options.pgpKeys ? { pgp_keys: options.pgpKeys } : {}),
      },
    });
    const body = response.data as { keys: string[]; keys_base64: string[]; root_token: string };
    return { keys: body.keys, keysBase64: body.keys_base64, rootToken: body.root_token };
  }

  async submitUnsealKey(key: string): Promise<SealStatus> {
    const body = await this.callHashi('sys/unseal', () => this.hashi.sysUnseal('', key.trim(), false, false));
    return toSealStatus(body);
  }

  async resetUnseal(): Promise<SealStatus> {
    const response = await this.send({ method: 'PUT', url: '/sys/unseal', data: { reset: true } });
    return toSealStatus(response.data as Record<string, unknown>);
  }

  async seal(token: string): Promise<void> {
    await this.send({ method: 'PUT', url: '/sys/seal', token });
  }

  // ---- mounts, policies, audit --------------------------------------------------------------

  async listMounts(token: string): Promise<Record<string, MountInfo>> {
    const response = await this.send({ method: 'GET', url: '/sys/mounts', token });
    const body = response.data as Record<string, unknown>;
    const table = (body.data ?? body) as Record<string, { type?: string; options?: { version?: string } | null }>;
    const mounts: Record<string, MountInfo> = {};
    for (const [path, mount] of Object.entries(table)) {
      if (!path.endsWith('/') || typeof mount !== 'object' || mount === null || !mount.type) continue;
      mounts[path] = { path, type: mount.type, version: mount.options?.version };
    }
    return mounts;
  }

  async enableKvV2(token: string, mountPath: string): Promise<void> {
    await this.send({
      method: 'POST',
      url: `/sys/mounts/${mountPath}`,
      token,
      data: { type: 'kv', options: { version: '2' }, description: 'bybit-vault: application secrets (KV v2)' },
    });
  }

  /** Upgrade a KV v1 mount to v2 in place (Vault keeps the data and versions it from now on). */
  async upgradeKvToV2(token: string, mountPath: string): Promise<void> {
    await this.send({ method: 'POST', url: `/sys/mounts/${mountPath}/tune`, token, data: { options: { version: '2' } } });
  }

  async readPolicy(token: string, name: string): Promise<string | undefined> {
    const response = await this.send({ method: 'GET', url: `/sys/policies/acl/${name}`, token }, { acceptStatus: new Set([404]) });
    if (response.status === 404) return undefined;
    const body = response.data as { data?: { policy?: string }; policy?: string };
    return body.data?.policy ?? body.policy;
  }

  async writePolicy(token: string, name: string, policy: string): Promise<void> {
    await this.send({ method: 'PUT', url: `/sys/policies/acl/${name}`, token, data: { policy } });
  }

  async listAuditDevices(token: string): Promise<AuditDevice[]> {
    const response = await this.send({ method: 'GET', url: '/sys/audit', token });
    const body = response.data as Record<string, unknown>;
    const table = (body.data ?? body) as Record<string, { type?: string; options?: Record<string, string> }>;
    return Object.entries(table)
      .filter(([path, device]) => path.endsWith('/') && typeof device === 'object' && device !== null && device.type)
      .map(([path, device]) => ({ path, type: device.type as string, options: device.options ?? {} }));
  }

  async enableFileAudit(token: string, devicePath: string, filePath: string): Promise<void> {
    await this.send({
      method: 'PUT',
      url: `/sys/audit/${devicePath}`,
      token,
      data: { type: 'file', description: 'bybit-vault: audit log (runbook: audit logging)', options: { file_path: filePath } },
    });
  }

  // ---- tokens --------------------------------------------------------------------------------

  /** An orphan token: revoking its creator (e.g. the root token) leaves it valid. */
  async createOrphanToken(token: string, options: TokenCreateOptions): Promise<TokenCreated> {
    const response = await this.send({
      method: 'POST',
      url: '/auth/token/create-orphan',
      token,
      data: {
        policies: options.policies,
        no_default_policy: options.noDefaultPolicy ?? false,
        ttl: options.ttl,
        renewable: options.renewable ?? true,
        display_name: options.displayName,
        meta: options.meta,
      },
    });
    const auth = (response.data as { auth: Record<string, unknown> }).auth;
    return {
      clientToken: String(auth.client_token),
      accessor: String(auth.accessor),
      policies: (auth.token_policies ?? auth.policies ?? []) as string[],
      leaseDurationSeconds: Number(auth.lease_duration ?? 0),
      renewable: Boolean(auth.renewable),
      orphan: Boolean(auth.orphan ?? true),
    };
  }

  async lookupSelf(token: string): Promise<TokenInfo> {
    const body = await this.callHashi('auth/token/lookup-self', () => this.hashi.lookupSelfToken(token));
    return toTokenInfo(body);
  }

  async lookupAccessor(token: string, accessor: string): Promise<TokenInfo> {
    const body = await this.callHashi('auth/token/lookup-accessor', () => this.hashi.lookupAccessor(token, accessor));
    return toTokenInfo(body);
  }

  async revokeAccessor(token: string, accessor: string): Promise<void> {
    await this.callHashi('auth/token/revoke-accessor', () => this.hashi.revokeAccessor(token, accessor));
  }

  async revokeSelf(token: string): Promise<void> {
    await this.send({ method: 'POST', url: '/auth/token/revoke-self', token });
  }

  async capabilitiesSelf(token: string, paths: string[]): Promise<CapabilityMap> {
    const body = (await this.callHashi('sys/capabilities-self', () => this.hashi.sysCapabilitiesSelf(token, paths))) as Record<
      string,
      unknown
    >;
    const result: CapabilityMap = {};
    for (const path of paths) {
      const capabilities = body[path] ?? (paths.length === 1 ? body.capabilities : undefined);
      result[path] = Array.isArray(capabilities) ? (capabilities as string[]) : [];
    }
    return result;
  }

  // ---- KV version 2 ----------------------------------------------------------------------------

  /** Read the latest version; `undefined` when the path holds nothing (or only a deleted version). */
  async kvRead(token: string, mount: string, path: string): Promise<KvSecret | undefined> {
    const response = await this.withKvUpgradeRetry(() =>
      this.send({ method: 'GET', url: `/${mount}/data/${encodePath(path)}`, token }, { acceptStatus: new Set([404]) }),
    );
    const body = response.data as { data?: { data?: Record<string, unknown> | null; metadata?: { version?: number } } };
    const version = body.data?.metadata?.version ?? 0;
    // A 404 with metadata means the latest version was deleted: there is history, but no value.
    if (response.status === 404) return body.data?.metadata ? { data: {}, version, deleted: true } : undefined;
    if (!body.data?.data) return { data: {}, version, deleted: true };
    return { data: stringifyValues(body.data.data), version, deleted: false };
  }

  /**
   * Write with check-and-set: `cas` 0 creates only if absent, N only if the current version is N.
   * Returns the new version.
   */
  async kvWrite(token: string, mount: string, path: string, data: Record<string, string>, cas?: number): Promise<number> {
    const response = await this.withKvUpgradeRetry(() =>
      this.send({
        method: 'POST',
        url: `/${mount}/data/${encodePath(path)}`,
        token,
        data: { ...(cas === undefined ? {} : { options: { cas } }), data },
      }),
    );
    return Number((response.data as { data?: { version?: number } }).data?.version ?? 0);
  }

  async kvDeleteLatest(token: string, mount: string, path: string): Promise<void> {
    // Soft delete only: the version stays recoverable with undelete (nothing destroyed).
    await this.send({ method: 'DELETE', url: `/${mount}/data/${encodePath(path)}`, token });
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private async withKvUpgradeRetry<T>(operation: () => Promise<T>): Promise<T> {
    // A fresh KV v2 mount answers "upgrading from non-versioned to versioned data" for a moment.
    return retryTransient(operation, isKvUpgradeInProgress, { timeoutMs: 15_000, initialDelayMs: 100, maxDelayMs: 1_000 });
  }

  private async send(
    request: AxiosRequestConfig & { token?: string },
    options: { acceptStatus?: Set<number> } = {},
  ): Promise<AxiosResponse> {
    const { token, ...config } = request;
    const headers = { ...(config.headers as Record<string, string> | undefined) };
    if (token) headers['X-Vault-Token'] = token;
    let response: AxiosResponse;
    try {
      response = await this.http.request({ ...config, headers });
    } catch (error) {
      throw this.toUnreachableError(error);
    }
    if (response.status < 400 || options.acceptStatus?.has(response.status)) return response;
    throw toVaultApiError(response, config.url ?? '');
  }

  /** An axios instance for hashi-vault-js that throws on error statuses, as that library expects. */
  private throwingInstance(): AxiosInstance {
    const instance = axios.create(this.http.defaults);
    instance.defaults.validateStatus = (status) => status < 400;
    instance.interceptors.request.use(this.addNamespaceHeader);
    return instance;
  }

  private readonly addNamespaceHeader = (request: InternalAxiosRequestConfig): InternalAxiosRequestConfig => {
    if (this.namespace && !ROOT_ONLY_PATHS.test(request.url ?? '')) request.headers.set('X-Vault-Namespace', this.namespace);
    return request;
  };

  private async callHashi<T>(path: string, call: () => PromiseLike<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const response = (error as { response?: AxiosResponse }).response;
      // Rebuild the error from the response alone: axios errors carry request headers (tokens).
      if (response) throw toVaultApiError(response, `/${path}`);
      throw this.toUnreachableError(error);
    }
  }

  private toUnreachableError(error: unknown): BybitVaultError {
    if (error instanceof BybitVaultError) return error;
    const code = (error as { code?: string }).code ?? '';
    const message = (error as { message?: string }).message ?? String(error);
    const isHttps = this.address.startsWith('https:');
    let reason = code || message;
    let hint = `Is the server running? Check \`bybit-vault status\` and \`bybit-vault doctor\`, and that ${this.address} is right.`;
    if (code === 'ECONNREFUSED') {
      reason = 'connection refused (nothing listens there: the server is down or the port is wrong)';
      hint = `Start the server (\`bybit-vault migrate\` runs deploy; docker: \`docker compose -f deployment/docker-compose.vault.yml up -d\`), or point --vault-addr at the right address.`;
    } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      reason = `host name not found (${code})`;
      hint = 'Check the host name in --vault-addr / VAULT_ADDR.';
    } else if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') {
      reason = 'timed out';
    } else if (isHttps && /wrong version number|EPROTO|packet length too long/i.test(`${code} ${message}`)) {
      reason = 'TLS handshake failed: the server answers plain HTTP';
      hint = `The server speaks HTTP, not HTTPS: use ${this.address.replace(/^https:/, 'http:')}.`;
    } else if (/certificate|self.signed|UNABLE_TO_VERIFY|CERT_/i.test(`${code} ${message}`)) {
      reason = `TLS certificate not trusted (${code || message})`;
      hint = 'Set VAULT_CACERT to the CA file that signed the server certificate (VAULT_SKIP_VERIFY=true only for a throwaway test).';
    } else if (code === 'ECONNRESET' || /socket hang up/i.test(message)) {
      reason = 'connection reset';
      if (!isHttps) hint = `The server may speak HTTPS: try ${this.address.replace(/^http:/, 'https:')}.`;
    }
    return new VaultUnreachableError(this.address, reason, hint);
  }
}

function buildHttpsAgent(connection: VaultConnection): https.Agent | undefined {
  if (!connection.address.startsWith('https:')) return undefined;
  return new https.Agent({
    ca: connection.caCert ? readFileSync(connection.caCert) : undefined,
    rejectUnauthorized: !connection.skipVerify,
  });
}

function stateForHealthCode(code: number): HealthStatus['state'] {
  switch (code) {
    case 200:
      return 'active';
    case 429:
      return 'standby';
    case 472:
      return 'dr-secondary';
    case 473:
      return 'performance-standby';
    case 474:
      return 'standby-unhealthy';
    case 501:
      return 'not-initialized';
    case 503:
      return 'sealed';
    default:
      return 'unknown';
  }
}

function toSealStatus(body: unknown): SealStatus {
  const value = (body ?? {}) as Record<string, unknown>;
  return {
    sealed: Boolean(value.sealed),
    initialized: Boolean(value.initialized),
    threshold: Number(value.t ?? 0),
    shares: Number(value.n ?? 0),
    progress: Number(value.progress ?? 0),
    version: typeof value.version === 'string' ? value.version : undefined,
    storageType: typeof value.storage_type === 'string' ? value.storage_type : undefined,
  };
}

function toTokenInfo(body: unknown): TokenInfo {
  const value = (body ?? {}) as Record<string, unknown>;
  return {
    accessor: String(value.accessor ?? ''),
    policies: (value.policies ?? []) as string[],
    ttlSeconds: Number(value.ttl ?? 0),
    renewable: Boolean(value.renewable),
    orphan: Boolean(value.orphan),
    displayName: typeof value.display_name === 'string' ? value.display_name : undefined,
    expireTime: typeof value.expire_time === 'string' ? value.expire_time : undefined,
  };
}

function toVaultApiError(response: AxiosResponse, path: string): VaultApiError {
  const body = response.data as { errors?: unknown } | string | undefined;
  let messages: string[] = [];
  if (body && typeof body === 'object' && Array.isArray(body.errors)) {
    messages = body.errors.map((message) => String(message)).filter((message) => message.length > 0);
  } else if (typeof body === 'string' && body.trim()) {
    messages = [body.trim().slice(0, 200)];
  }
  return new VaultApiError(response.status, path.startsWith('/') ? path.slice(1) : path, messages);
}

function isKvUpgradeInProgress(error: unknown): boolean {
  return error instanceof VaultApiError && error.messages.some((message) => /upgrading from non-versioned to versioned/i.test(message));
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function stringifyValues(data: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) result[key] = typeof value === 'string' ? value : JSON.stringify(value);
  return result;
}
