// Fix texts that depend on where things run or where a setting came from.
import { relative } from 'node:path';
import { parseVaultAddress } from '../runtime/index.js';
import type { DoctorContext, Sourced } from './types.js';

/** How to make the tool use another address, phrased for wherever the current one came from. */
export function changeAddressFix(ctx: DoctorContext, address: Sourced<string>, corrected: string): string {
  switch (address.source) {
    case 'flag':
      return `run with --vault-addr ${corrected}`;
    case 'environment':
      return `export VAULT_ADDR=${corrected}`;
    case '.env':
      return `set VAULT_ADDR=${corrected} in ${ctx.appEnv.path}`;
    case 'state':
    case 'default':
      return `run with --vault-addr ${corrected} (or export VAULT_ADDR=${corrected})`;
  }
}

/** What starts the server again, for the runtime the migration recorded. */
export function startServerFix(ctx: DoctorContext): string {
  const afterStart = 'then bybit-vault unseal (a restarted server comes back sealed)';
  switch (ctx.runtime?.kind) {
    case 'docker': {
      const composeFile = ctx.state?.runtime?.composeFile ?? ctx.runtime.info().composeFile ?? 'deployment/docker-compose.vault.yml';
      return `docker compose -f ${composeFile} up -d, ${afterStart}`;
    }
    case 'binary':
      return `${bybitVaultCommand(ctx, 'migrate')} (its deploy step starts the server process again, then unseals it from the keys file or asks for the shares; finished steps are only re-checked)`;
    default:
      return `start the Vault server that should listen at ${ctx.settings.address.value}, or point --vault-addr / VAULT_ADDR at the right address`;
  }
}

/** The same address with the other scheme, or undefined when the address does not parse. */
export function withOtherScheme(address: string): string | undefined {
  try {
    const { scheme } = parseVaultAddress(address);
    return scheme === 'https' ? address.replace(/^https:/i, 'http:') : address.replace(/^http:/i, 'https:');
  } catch {
    return undefined;
  }
}

/** A bybit-vault command line that points at the same .env and state directory as this doctor run. */
export function bybitVaultCommand(ctx: DoctorContext, command: string): string {
  const parts = [`bybit-vault ${command}`];
  if (relative(process.cwd(), ctx.common.envFile) !== '.env') parts.push(`--env-file ${ctx.common.envFile}`);
  if (relative(process.cwd(), ctx.common.stateDir) !== '.bybit-vault') parts.push(`--state-dir ${ctx.common.stateDir}`);
  return parts.join(' ');
}
