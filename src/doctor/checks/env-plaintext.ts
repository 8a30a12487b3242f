// Plaintext secrets still in the application's .env after the migration moved them into Vault.
import { looksLikeSecret } from '../../env/index.js';
import { unmappedSecretCandidates } from '../../mapping/index.js';
import { plural } from '../format.js';
import { ok, skip, warn, type Check } from '../types.js';

export const envPlaintextCheck: Check = {
  id: 'env.plaintext',
  title: 'Plaintext secrets in .env',
  dependsOn: ['mapping'],
  async run(ctx) {
    const values = ctx.appEnv.values;
    if (!values) return skip(`the application's .env could not be read (see app.config)`);
    const inPlaintext = ctx.mapping.entries.map((entry) => entry.variable).filter((variable) => values[variable] !== undefined && values[variable] !== '');
    const unmapped = unmappedSecretCandidates(ctx.mapping, values, looksLikeSecret);
    const details = unmapped.length > 0 ? [`look like secrets but are not in the mapping (not checked): ${unmapped.join(', ')}`] : undefined;
    const migrated = Boolean(values.VAULT_TOKEN) || ctx.state?.steps.env?.status === 'done';

    if (!migrated) {
      return inPlaintext.length > 0
        ? ok(`not migrated yet: ${plural(inPlaintext.length, 'mapped secret')} in .env, as expected before bybit-vault migrate`, details)
        : ok('no mapped secret in .env', details);
    }
    if (inPlaintext.length === 0) return ok('no mapped secret left in plaintext in .env', details);

    const cleanup = ctx.state?.steps.cleanup?.status;
    const why = cleanup === 'skipped' ? ' (cleanup was not chosen during migrate)' : cleanup === 'done' ? ' (cleanup had removed them: they were added back)' : '';
    return warn(
      `${plural(inPlaintext.length, 'migrated secret')} still in plaintext in ${ctx.appEnv.path}${why}: ${inPlaintext.join(', ')}`,
      'bybit-vault migrate --remove-plaintext (removes them from .env after verify passed; a 0600 backup is kept)',
      details,
    );
  },
};
