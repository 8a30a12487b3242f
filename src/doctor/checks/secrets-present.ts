// Each mapped secret exists with the fields the application expects, read with the application's own token.
import type { MappingEntry } from '../../mapping/index.js';
import { VaultApiError, type KvSecret } from '../../vault/index.js';
import { explainConnectionError } from '../explain.js';
import { plural, secretName } from '../format.js';
import { readMappedSecrets } from '../mapped-secrets.js';
import { combine, fail, ok, type Check, type CheckResult, type DoctorContext } from '../types.js';

export const secretsPresentCheck: Check = {
  id: 'secrets.present',
  title: 'Mapped secrets present in Vault',
  dependsOn: ['token.app', 'mapping'],
  async run(ctx) {
    const reads = await readMappedSecrets(ctx);
    const mount = ctx.mapping.mount;
    const migrated = new Set(ctx.state?.migratedKeys ?? []);
    const failedReads = reads.flatMap((read) => (read.ok ? [] : [{ name: secretName(mount, read.path), error: read.error }]));
    const problems: CheckResult[] = [];

    // One finding per kind of read failure: a missing mount or a denying policy hits every path alike.
    if (failedReads.some(({ error }) => error instanceof VaultApiError && error.isMissingMount)) {
      problems.push(fail(`the mount ${mount}/ does not exist`, `bybit-vault migrate (its configure step enables KV v2 at ${mount}/ and its seed step writes the secrets)`));
    }
    const denied = failedReads.filter(({ error }) => error instanceof VaultApiError && error.isPermissionDenied).map(({ name }) => name);
    if (denied.length > 0) problems.push(fail(`permission denied reading ${denied.join(', ')} with the application's token (see token.policy)`));
    for (const { name, error } of failedReads) {
      if (error instanceof VaultApiError && (error.isMissingMount || error.isPermissionDenied)) continue;
      problems.push(fail(`${name}: ${explainConnectionError(error, ctx.settings.address.value).finding}`));
    }

    let fieldCount = 0;
    for (const read of reads) {
      if (!read.ok) continue;
      const problem = contentProblem(ctx, read.path, read.secret, read.entries, migrated);
      if (problem) problems.push(problem);
      else fieldCount += read.entries.filter((entry) => read.secret?.data[entry.field] !== undefined).length;
    }
    if (problems.length > 0) return combine(problems);
    return ok(`${plural(reads.length, 'path')}, ${plural(fieldCount, 'field')} present (values not shown)`);
  },
};

function contentProblem(ctx: DoctorContext, path: string, secret: KvSecret | undefined, entries: MappingEntry[], migrated: Set<string>): CheckResult | undefined {
  const mount = ctx.mapping.mount;
  const name = secretName(mount, path);
  // Re-seeding only helps while .env still holds the values; after cleanup they come from the backup.
  const inEnv = entries.some((entry) => ctx.appEnv.values?.[entry.variable] !== undefined);
  const patch = `vault kv patch -mount=${mount} ${path} <field>=<value>`;
  const reseed = inEnv
    ? `bybit-vault migrate (its seed step writes ${name} from .env), or ${patch}`
    : `${patch} (the values are in the pre-migration backup under <state-dir>/backups; .env no longer holds them)`;
  if (!secret) return fail(`${name} is missing (nothing stored at this path)`, reseed);
  if (secret.deleted) {
    return fail(`${name}: the latest version (${secret.version}) is deleted`, `restore it: vault kv undelete -mount=${mount} -versions=${secret.version} ${path}`);
  }
  // An optional variable's field is expected only when that variable was migrated.
  const expected = entries.filter((entry) => !entry.optional || migrated.has(entry.variable));
  const missing = expected.filter((entry) => secret.data[entry.field] === undefined);
  if (missing.length === 0) return undefined;
  return fail(`${name} lacks field ${missing.map((entry) => `${entry.field} (${entry.variable})`).join(', ')}`, reseed);
}
