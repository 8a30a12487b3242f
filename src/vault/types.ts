export interface HealthStatus {
  /** The HTTP status of /v1/sys/health, which encodes the server state. */
  code: number;
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  version?: string;
  clusterName?: string;
  state: 'active' | 'standby' | 'dr-secondary' | 'performance-standby' | 'standby-unhealthy' | 'not-initialized' | 'sealed' | 'unknown';
}

export interface SealStatus {
  sealed: boolean;
  initialized: boolean;
  threshold: number;
  shares: number;
  progress: number;
  version?: string;
  storageType?: string;
}

export interface InitOptions {
  secretShares: number;
  secretThreshold: number;
  /** Base64 public keys, one per share; Vault then returns each share encrypted. */
  pgpKeys?: string[];
}

export interface InitResult {
  keys: string[];
  keysBase64: string[];
  rootToken: string;
}

export interface MountInfo {
  path: string;
  type: string;
  /** KV mounts: "1" or "2"; undefined means version 1. */
  version?: string;
}

export interface AuditDevice {
  path: string;
  type: string;
  options: Record<string, string>;
}

export interface TokenCreateOptions {
  policies: string[];
  ttl: string;
  renewable?: boolean;
  displayName?: string;
  noDefaultPolicy?: boolean;
  meta?: Record<string, string>;
}

export interface TokenCreated {
  clientToken: string;
  accessor: string;
  policies: string[];
  leaseDurationSeconds: number;
  renewable: boolean;
  orphan: boolean;
}

export interface TokenInfo {
  accessor: string;
  policies: string[];
  ttlSeconds: number;
  renewable: boolean;
  orphan: boolean;
  displayName?: string;
  expireTime?: string;
}

export type CapabilityMap = Record<string, string[]>;

export interface KvSecret {
  data: Record<string, string>;
  version: number;
  /** The latest version is soft-deleted: history exists but no value is readable. */
  deleted: boolean;
}
