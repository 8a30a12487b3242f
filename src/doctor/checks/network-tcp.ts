// Runbook case "cannot connect": does anything accept TCP connections at the address, and if not, why.
import { parseVaultAddress } from '../../runtime/index.js';
import { changeAddressFix, startServerFix } from '../fixes.js';
import { describeSource } from '../format.js';
import { probeTcp } from '../network.js';
import { fail, ok, type Check, type DoctorContext } from '../types.js';

const CONNECT_TIMEOUT_MS = 3_000;

export const networkTcpCheck: Check = {
  id: 'network.tcp',
  title: 'TCP reachability',
  async run(ctx) {
    const address = ctx.settings.address;
    let host: string;
    let port: number;
    try {
      ({ host, port } = parseVaultAddress(address.value));
    } catch {
      return fail(`VAULT_ADDR ${address.value} (from the ${describeSource(address.source)}) is not an http(s) URL`, changeAddressFix(ctx, address, 'http://127.0.0.1:8200'));
    }
    const target = `${host}:${port}`;
    const probe = await probeTcp(host, port, CONNECT_TIMEOUT_MS);
    if (probe.reachable) return ok(`${target} accepts TCP connections`);

    const details = await logsUnlessShownElsewhere(ctx);
    const where = `${target} (address from the ${describeSource(address.source)})`;
    switch (probe.reason) {
      case 'refused': {
        // The migration's own server still runs elsewhere: the address is wrong, not the server.
        const recorded = ctx.state?.vaultAddr;
        if (recorded && recorded !== address.value && (await ctx.probes.processState())?.state === 'running') {
          return fail(`cannot connect to ${where}: connection refused; the migration's server runs at ${recorded}`, changeAddressFix(ctx, address, recorded), details);
        }
        return fail(`cannot connect to ${where}: connection refused, nothing listens there (server down or wrong port)`, startServerFix(ctx), details);
      }
      case 'dns':
        return fail(`cannot connect to ${where}: host name ${host} not found (DNS, ${probe.code})`, changeAddressFix(ctx, address, `http://127.0.0.1:${port}`), details);
      case 'timeout':
        return fail(
          `cannot connect to ${where}: no answer within ${CONNECT_TIMEOUT_MS / 1000} s (firewall, wrong host, or a hung server)`,
          `check that the server runs and that ${target} is reachable from this machine (firewall, host, port)`,
          details,
        );
      default:
        return fail(`cannot connect to ${where}: ${probe.code}`, `check the network route to ${target}, or ${startServerFix(ctx)}`, details);
    }
  },
};

/** The log of a stopped server is shown by its runtime's check (server.process, docker.container); say it once. */
async function logsUnlessShownElsewhere(ctx: DoctorContext): Promise<string[] | undefined> {
  const server = await ctx.probes.processState();
  if (server?.state === 'stopped' || server?.state === 'missing') return undefined;
  const logs = await ctx.probes.recentLogs();
  return logs.length > 0 ? logs : undefined;
}
