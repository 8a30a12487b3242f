// Runbook case "cannot connect": does anything accept TCP connections at the address, and if not, why.
import { parseVaultAddress } from '../../runtime/index.js';
import { changeAddressFix, startServerFix } from '../fixes.js';
import { describeSource } from '../format.js';
import { probeTcp } from '../network.js';
import { fail, ok, type Check } from '../types.js';

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

    const logs = await ctx.probes.recentLogs();
    const details = logs.length > 0 ? logs : undefined;
    const from = `(address from the ${describeSource(address.source)})`;
    switch (probe.reason) {
      case 'refused':
        return fail(`cannot connect to ${target}: connection refused, nothing listens there (server down or wrong port) ${from}`, startServerFix(ctx), details);
      case 'dns':
        return fail(`cannot connect: host name ${host} not found (DNS, ${probe.code}) ${from}`, changeAddressFix(ctx, address, `http://127.0.0.1:${port}`), details);
      case 'timeout':
        return fail(
          `cannot connect to ${target}: no answer within ${CONNECT_TIMEOUT_MS / 1000} s (firewall, wrong host, or a hung server) ${from}`,
          `check that the server runs and that ${target} is reachable from this machine (firewall, host, port)`,
          details,
        );
      default:
        return fail(`cannot connect to ${target}: ${probe.code} ${from}`, `check the network route to ${target}, or ${startServerFix(ctx)}`, details);
    }
  },
};
