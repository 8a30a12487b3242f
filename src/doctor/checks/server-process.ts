// Binary runtime only: the local server process the migration started, and its log.
import { judgeServerProcess } from '../server-process.js';
import { skip, type Check } from '../types.js';

export const serverProcessCheck: Check = {
  id: 'server.process',
  title: 'Server process (binary runtime)',
  async run(ctx) {
    if (ctx.runtime?.kind !== 'binary') return skip(ctx.runtime ? `runtime is ${ctx.runtime.kind}: no local process to check` : 'no runtime recorded in the state');
    return judgeServerProcess(ctx);
  },
};
