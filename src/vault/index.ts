export { VaultClient, type VaultConnection } from './client.js';
export { VaultApiError, VaultUnreachableError } from './errors.js';
export * from './types.js';
