import type { Mapping } from './types.js';

export const DEFAULT_MOUNT = 'secret';

/** The application's runbook table (DESIGN.md, "Default secret mapping"). Frozen: copy it before changing it. */
export const DEFAULT_MAPPING: Mapping = deepFreeze({
  mount: DEFAULT_MOUNT,
  entries: [
    { variable: 'BYBIT_API_KEY', path: 'bybit/credentials', field: 'api_key', optional: false },
    { variable: 'BYBIT_API_SECRET', path: 'bybit/credentials', field: 'api_secret', optional: false },
    { variable: 'BYBIT_TESTNET', path: 'bybit/credentials', field: 'testnet', optional: true },
    { variable: 'DATABASE_URL', path: 'database/app', field: 'url', optional: false },
    { variable: 'DATABASE_POOL_SIZE', path: 'database/app', field: 'pool_size', optional: true },
    { variable: 'REDIS_URL', path: 'redis/app', field: 'url', optional: false },
    { variable: 'MLFLOW_TRACKING_URI', path: 'mlflow/app', field: 'tracking_uri', optional: false },
  ],
});

export function cloneMapping(mapping: Mapping): Mapping {
  return { mount: mapping.mount, entries: mapping.entries.map((entry) => ({ ...entry })) };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
