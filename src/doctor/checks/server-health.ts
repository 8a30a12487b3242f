// Runbook case "Vault is sealed": initialised, sealed (with unseal progress), standby, version.
import { changeAddressFix } from '../fixes.js';
import { explainConnectionError } from '../explain.js';
import { fail, ok, warn, type Check, type DoctorContext } from '../types.js';

export const serverHealthCheck: Check = {
  id: 'server.health',
  title: 'Server health',
  dependsOn: ['network.tcp', 'network.tls'],
  async run(ctx) {
    let health;
    try {
      health = await ctx.probes.health();
    } catch (error) {
      const explanation = explainConnectionError(error, ctx.settings.address.value);
      const fix = explanation.schemeFix ? changeAddressFix(ctx, ctx.settings.address, explanation.schemeFix) : explanation.hint;
      const logs = await ctx.probes.recentLogs();
      return fail(explanation.finding, fix, logs.length > 0 ? logs : undefined);
    }
    const version = health.version ? `version ${health.version}` : 'version unknown';
    if (!health.initialized) return fail(`not initialised (${version})`, 'bybit-vault migrate (its init step initialises the server and saves the unseal keys)');
    if (health.sealed) return fail(`sealed: ${await unsealProgress(ctx)}; ${version}`, 'bybit-vault unseal (a restarted server always comes back sealed)');
    switch (health.state) {
      case 'active':
        return ok(`initialised, unsealed, active, ${version}`);
      case 'standby':
      case 'performance-standby':
        return ok(`initialised, unsealed, ${health.state} node (requests are forwarded to the active node), ${version}`);
      default:
        return warn(`initialised and unsealed, but the node reports ${health.state} (HTTP ${health.code}), ${version}`, 'check the cluster: vault operator raft list-peers (or bao operator raft list-peers)');
    }
  },
};

async function unsealProgress(ctx: DoctorContext): Promise<string> {
  try {
    const seal = await ctx.probes.sealStatus();
    return `unseal progress ${seal.progress}/${seal.threshold} key shares entered (threshold ${seal.threshold} of ${seal.shares})`;
  } catch {
    return 'unseal progress unknown (seal-status did not answer)';
  }
}
