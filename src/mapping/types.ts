/** One environment variable stored as one field of a KV v2 secret. */
export interface MappingEntry {
  variable: string;
  /** KV path under the mount, e.g. 'bybit/credentials' (never 'secret/…' or 'data/…'). */
  path: string;
  field: string;
  /** An optional variable may be absent from .env without failing the migration. */
  optional: boolean;
}

export interface Mapping {
  /** KV v2 mount, e.g. 'secret'. */
  mount: string;
  entries: MappingEntry[];
}
