import { afterAll, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envPermissionsCheck } from '../../src/doctor/checks/env-permissions.js';
import type { DoctorContext } from '../../src/doctor/types.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function contextFor(mode: number): Promise<DoctorContext> {
  const dir = await mkdtemp(join(tmpdir(), 'doctor-perm-'));
  dirs.push(dir);
  const path = join(dir, '.env');
  await writeFile(path, 'VAULT_TOKEN=s.example-token-value\n');
  await chmod(path, mode);
  return { appEnv: { path, values: { VAULT_TOKEN: 's.example-token-value' } } } as unknown as DoctorContext;
}

describe('doctor check env.permissions', () => {
  it('warns when every user can read the .env that holds VAULT_TOKEN, with the chmod fix', async () => {
    const result = await envPermissionsCheck.run(await contextFor(0o644));
    expect(result.status).toBe('warn');
    expect(result.finding).toMatch(/readable by every user \(mode 644\) and holds VAULT_TOKEN/);
    expect(result.fix).toMatch(/^chmod 600 /);
    expect(JSON.stringify(result)).not.toContain('s.example-token-value');
  });

  it('is ok for 0600 and 0640', async () => {
    expect((await envPermissionsCheck.run(await contextFor(0o600))).status).toBe('ok');
    expect((await envPermissionsCheck.run(await contextFor(0o640))).status).toBe('ok');
  });
});
