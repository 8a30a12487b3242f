// Turns the Vault module's typed errors into one-line findings, naming an http/https mismatch as such.
import { VaultApiError, VaultUnreachableError } from '../vault/index.js';
import { withOtherScheme } from './fixes.js';

export interface Explanation {
  finding: string;
  /** The corrected address when the scheme is wrong. */
  schemeFix?: string;
  hint?: string;
}

export function explainConnectionError(error: unknown, address: string): Explanation {
  if (error instanceof VaultUnreachableError) {
    if (/server answers plain HTTP/i.test(error.reason)) {
      return { finding: `http/https mismatch: ${address} is https:// but the server answers plain HTTP`, schemeFix: withOtherScheme(address), hint: error.hint };
    }
    return { finding: `cannot connect to ${address}: ${error.reason}`, hint: error.hint };
  }
  if (error instanceof VaultApiError) {
    if (error.status === 400 && error.messages.some((message) => /HTTP request to an HTTPS server/i.test(message))) {
      return { finding: `http/https mismatch: ${address} is http:// but the server speaks HTTPS`, schemeFix: withOtherScheme(address), hint: error.hint };
    }
    if (error.status === 404 || error.status === 405) {
      return { finding: `something answers at ${address}, but it is not a Vault API (HTTP ${error.status} on ${error.path})`, hint: 'check the port in VAULT_ADDR / --vault-addr' };
    }
    return { finding: error.message, hint: error.hint };
  }
  return { finding: error instanceof Error ? error.message : String(error) };
}
