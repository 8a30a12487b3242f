// The application's .env holds VAULT_TOKEN (and maybe secrets): other users of the machine must not read it.
import { stat } from 'node:fs/promises';
import { ok, skip, warn, type Check } from '../types.js';

export const envPermissionsCheck: Check = {
  id: 'env.permissions',
  title: 'Permissions of .env',
  async run(ctx) {
    if (!ctx.appEnv.values) return skip(`the application's .env could not be read (see app.config)`);
    const mode = (await stat(ctx.appEnv.path)).mode & 0o777;
    const holdsToken = Boolean(ctx.appEnv.values.VAULT_TOKEN);
    if ((mode & 0o004) !== 0) {
      return warn(
        `${ctx.appEnv.path} is readable by every user (mode ${mode.toString(8)})${holdsToken ? ' and holds VAULT_TOKEN' : ''}`,
        `chmod 600 ${ctx.appEnv.path} (or chmod 640 and a group for the application's user)`,
      );
    }
    return ok(`mode ${mode.toString(8)}: not readable by other users`);
  },
};
