// One verdict for "is the server process or container running", shared by the docker and binary runtimes.
import { diagnoseLog } from '../runtime/index.js';
import { startServerFix } from './fixes.js';
import { fail, ok, skip, type CheckResult, type DoctorContext } from './types.js';

/** A stopped server gets its recent log lines, and the known cause with its fix when the log shows one. */
export async function judgeServerProcess(ctx: DoctorContext): Promise<CheckResult> {
  const [server, logs] = await Promise.all([ctx.probes.processState(), ctx.probes.recentLogs()]);
  if (!server) return skip('no runtime recorded in the state');
  if (server.state === 'running') return ok(server.detail);
  if (server.state === 'missing') return fail(server.detail, startServerFix(ctx));
  const known = diagnoseLog(logs);
  return fail(
    known ? `${server.detail}: ${known.explanation}` : server.detail,
    known ? `${known.fix}; then ${startServerFix(ctx)}` : startServerFix(ctx),
    logs.length > 0 ? logs : ['(no log lines)'],
  );
}
