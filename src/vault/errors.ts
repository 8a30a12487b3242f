import { BybitVaultError } from '../errors.js';

/** Vault answered with an error status; `messages` are Vault's own error strings (never contain secrets). */
export class VaultApiError extends BybitVaultError {
  readonly status: number;
  readonly messages: string[];
  readonly path: string;

  constructor(status: number, path: string, messages: string[], hint?: string) {
    const summary = messages.length > 0 ? messages.join('; ') : `HTTP ${status}`;
    super(codeForStatus(status, messages), `Vault refused ${path} (HTTP ${status}): ${summary}`, {
      hint: hint ?? hintForStatus(status, path, messages),
    });
    this.status = status;
    this.messages = messages;
    this.path = path;
  }

  get isPermissionDenied(): boolean {
    return this.status === 403;
  }

  get isSealed(): boolean {
    return this.status === 503 && this.messages.some((message) => /sealed/i.test(message));
  }

  get isMissingMount(): boolean {
    return this.messages.some((message) => /no handler for route|route entry not found/i.test(message));
  }
}

/** The server could not be reached at all (refused, DNS, TLS, timeout). */
export class VaultUnreachableError extends BybitVaultError {
  readonly address: string;
  readonly reason: string;

  constructor(address: string, reason: string, hint: string, cause?: unknown) {
    super('VAULT_UNREACHABLE', `Cannot connect to Vault at ${address}: ${reason}`, { hint, cause });
    this.address = address;
    this.reason = reason;
  }
}

function codeForStatus(status: number, messages: string[]): string {
  if (messages.some((message) => /no handler for route|route entry not found/i.test(message))) return 'VAULT_MOUNT_MISSING';
  if (status === 403) return 'VAULT_PERMISSION_DENIED';
  if (status === 503) return 'VAULT_SEALED';
  if (status === 404) return 'VAULT_NOT_FOUND';
  if (status === 400) return 'VAULT_BAD_REQUEST';
  return 'VAULT_ERROR';
}

function hintForStatus(status: number, path: string, messages: string[]): string | undefined {
  const mount = path.replace(/^\/?v1\//, '').split('/')[0];
  if (messages.some((message) => /no handler for route|route entry not found/i.test(message))) {
    return `The mount ${mount}/ does not exist. Run \`bybit-vault migrate\` (step configure) to enable KV v2 at ${mount}/.`;
  }
  switch (status) {
    case 400:
      if (messages.some((message) => /HTTP request to an HTTPS server/i.test(message))) {
        return 'The server speaks HTTPS: use an https:// address in --vault-addr / VAULT_ADDR.';
      }
      return undefined;
    case 403:
      return 'Permission denied: the token is invalid or expired, or its policy does not allow this path. Run `bybit-vault doctor` to tell which.';
    case 503:
      return 'Vault is sealed or not ready. Run `bybit-vault unseal`.';
    case 429:
      return 'Vault is rate-limiting or this node is a standby; retry against the active node.';
    default:
      return undefined;
  }
}
