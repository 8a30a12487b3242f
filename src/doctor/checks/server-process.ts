// Binary runtime only: the local server process the migration started, and its log.
import { diagnoseLog } from '../../runtime/index.js';
import { startServerFix } from '../fixes.js';
import { fail, ok, skip, type Check } from '../types.js';

export const serverProcessCheck: Check = {
  id: 'server.process',
  title: 'Server process (binary runtime)',
  async run(ctx) {
    if (ctx.runtime?.kind !== 'binary') return skip(ctx.runtime ? `runtime is ${ctx.runtime.kind}: no local process to check` : 'no runtime recorded in the state');
    const [process, logs] = await Promise.all([ctx.runtime.processState(), ctx.probes.recentLogs()]);
    if (process.state === 'running') return ok(process.detail);
    const known = diagnoseLog(logs);
    return fail(
      known ? `${process.detail}: ${known.explanation}` : process.detail,
      known ? `${known.fix}; then ${startServerFix(ctx)}` : startServerFix(ctx),
      logs.length > 0 ? logs : undefined,
    );
  },
};
