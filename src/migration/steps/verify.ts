import { BybitVaultError } from '../../errors.js';
import { tlsOptionsFromEnvironment } from '../../context.js';
import { groupByPath, type Mapping } from '../../mapping/index.js';
import { VaultClient } from '../../vault/client.js';
import { VaultApiError } from '../../vault/errors.js';
import { mappingFor, readApplicationEnv, sourceValues } from '../inputs.js';
import type { MigrationContext, Step } from '../types.js';

export interface VerifyResult {
  check: string;
  ok: boolean;
  detail: string;
}

const UNMAPPED_PROBE_PATH = 'other';

export const verifyStep: Step = {
  id: 'verify',
  title: 'Verify with the application token',

  // Always re-run: it is read-only and proves the application can read its secrets now.
  async check() {
    return { done: false };
  },

  async plan() {
    return ['with only the token from .env: health, token lookup, capabilities, every value compared (never printed), a denied write and a denied unmapped read'];
  },

  async run(ctx) {
    const results = await verifyMigration(ctx);
    renderResults(ctx, results);
    ctx.summary.verify = results;
    const failed = results.filter((result) => !result.ok);
    if (failed.length > 0) {
      throw new BybitVaultError('VERIFY_FAILED', `Verification failed: ${failed.length} of ${results.length} checks`, {
        details: failed.map((result) => `${result.check}: ${result.detail}`),
        hint: 'Nothing was removed from .env. Fix the cause (`bybit-vault doctor` explains each), then run `bybit-vault migrate` again.',
      });
    }
    return `${results.length} checks passed`;
  },
};

/** Everything the application relies on, checked with the application's own .env and nothing else. */
export async function verifyMigration(ctx: MigrationContext): Promise<VerifyResult[]> {
  const env = await readApplicationEnv(ctx);
  const mapping = await mappingFor(ctx);
  const address = env.values.VAULT_ADDR;
  const token = env.values.VAULT_TOKEN;
  if (!address || !token) {
    return [{ check: '.env points at Vault', ok: false, detail: `VAULT_ADDR or VAULT_TOKEN is missing from ${env.sourceName}` }];
  }
  ctx.logger.registerSecret(token);
  const tls = tlsOptionsFromEnvironment(ctx.env);
  const app = new VaultClient({ address, namespace: env.values.VAULT_NAMESPACE || undefined, caCert: tls.caCert, skipVerify: tls.skipVerify });
  const expected = await sourceValues(ctx);
  const kept = new Set(ctx.store.state.keptVaultValues ?? []);
  const paths = [...groupByPath(mapping).keys()];
  const apiPaths = paths.map((path) => `${mapping.mount}/data/${path}`);

  const [health, lookup, capabilities, values, deniedWrite, deniedRead] = await Promise.all([
    settle('server health', async () => {
      const status = await app.health();
      return { ok: status.code === 200, detail: `${status.state}${status.version ? `, ${status.version}` : ''}` };
    }),
    settle('application token', async () => {
      const info = await app.lookupSelf(token);
      const problems = [
        !info.policies.includes(ctx.store.state.policyName) && `policy ${ctx.store.state.policyName} missing`,
        info.policies.some((policy) => !['default', ctx.store.state.policyName].includes(policy)) && `extra policies: ${info.policies.join(', ')}`,
        info.ttlSeconds <= 0 && 'no TTL left',
        !info.renewable && 'not renewable',
        !info.orphan && 'not an orphan (revoking its parent would revoke it)',
      ].filter(Boolean);
      return {
        ok: problems.length === 0,
        detail: problems.length ? problems.join('; ') : `policies ${info.policies.join(', ')}, TTL ${Math.round(info.ttlSeconds / 3600)}h, renewable, orphan`,
      };
    }),
    settle('capabilities', async () => {
      const map = await app.capabilitiesSelf(token, apiPaths);
      const wrong = apiPaths.filter((path) => (map[path] ?? []).join(',') !== 'read');
      return { ok: wrong.length === 0, detail: wrong.length ? `not exactly read: ${wrong.map((path) => `${path} [${(map[path] ?? []).join(',')}]`).join('; ')}` : `read on ${apiPaths.length} path(s)` };
    }),
    settle('values', () => compareValues(app, token, mapping, expected, kept)),
    settle('write denied', async () => {
      try {
        // cas 0 on an existing secret can never succeed, so even a wrongly allowed probe changes nothing.
        await app.kvWrite(token, mapping.mount, paths[0]!, { bybit_vault_verify: 'probe' }, 0);
        return { ok: false, detail: `a write to ${mapping.mount}/${paths[0]} was ALLOWED` };
      } catch (error) {
        if (error instanceof VaultApiError && error.status === 403) return { ok: true, detail: `write to ${mapping.mount}/data/${paths[0]} denied` };
        if (error instanceof VaultApiError && error.status === 400) return { ok: false, detail: `writes to ${mapping.mount}/data/${paths[0]} are ALLOWED by the policy (stopped only by check-and-set)` };
        throw error;
      }
    }),
    settle('unmapped read denied', async () => {
      try {
        await app.kvRead(token, mapping.mount, UNMAPPED_PROBE_PATH);
        return { ok: false, detail: `reading ${mapping.mount}/data/${UNMAPPED_PROBE_PATH} was ALLOWED` };
      } catch (error) {
        if (error instanceof VaultApiError && error.status === 403) return { ok: true, detail: `read of ${mapping.mount}/data/${UNMAPPED_PROBE_PATH} denied` };
        throw error;
      }
    }),
  ]);
  return [health, lookup, capabilities, values, deniedWrite, deniedRead];
}

async function compareValues(
  app: VaultClient,
  token: string,
  mapping: Mapping,
  expected: Record<string, string>,
  kept: Set<string>,
): Promise<{ ok: boolean; detail: string }> {
  const mismatches: string[] = [];
  let compared = 0;
  await Promise.all(
    [...groupByPath(mapping)].map(async ([path, entries]) => {
      const secret = await app.kvRead(token, mapping.mount, path);
      for (const entry of entries) {
        if (!Object.hasOwn(expected, entry.variable)) {
          if (!entry.optional) mismatches.push(`${path}#${entry.field}: no source value for ${entry.variable}`);
          continue;
        }
        if (kept.has(`${path}#${entry.field}`)) continue;
        compared++;
        // Compared, never printed: only the location of a difference is reported.
        if (secret?.data[entry.field] !== expected[entry.variable]) mismatches.push(`${mapping.mount}/${path}#${entry.field} differs from ${entry.variable}`);
      }
    }),
  );
  return { ok: mismatches.length === 0, detail: mismatches.length ? mismatches.join('; ') : `${compared} value(s) equal their .env source` };
}

async function settle(check: string, run: () => Promise<{ ok: boolean; detail: string }>): Promise<VerifyResult> {
  try {
    return { check, ...(await run()) };
  } catch (error) {
    return { check, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

function renderResults(ctx: MigrationContext, results: VerifyResult[]): void {
  ctx.progress?.stop();
  const width = Math.max(...results.map((result) => result.check.length));
  for (const result of results) {
    const badge = result.ok ? ctx.logger.paint('green', 'PASS') : ctx.logger.paint('red', 'FAIL');
    ctx.logger.info(`    ${badge}  ${result.check.padEnd(width)}  ${result.detail}`);
  }
}
