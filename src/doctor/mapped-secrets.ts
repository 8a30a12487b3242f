// The application's reads of every mapped path, settled (a failed read is a result, not an exception).
import { groupByPath, type MappingEntry } from '../mapping/index.js';
import type { KvSecret } from '../vault/index.js';
import type { DoctorContext } from './types.js';

export type MappedSecretRead = { path: string; entries: MappingEntry[] } & ({ ok: true; secret: KvSecret | undefined } | { ok: false; error: unknown });

export async function readMappedSecrets(ctx: DoctorContext): Promise<MappedSecretRead[]> {
  return Promise.all(
    [...groupByPath(ctx.mapping).entries()].map(([path, entries]) =>
      ctx.probes.readSecret(path).then(
        (secret): MappedSecretRead => ({ path, entries, ok: true, secret }),
        (error: unknown): MappedSecretRead => ({ path, entries, ok: false, error }),
      ),
    ),
  );
}
