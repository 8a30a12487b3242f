// Fault injection for the crash-and-resume tests: BYBIT_VAULT_FAULT=<point> kills the process there.
export function faultPoint(name: string): void {
  if (process.env.BYBIT_VAULT_FAULT === name) process.kill(process.pid, 'SIGKILL');
}
