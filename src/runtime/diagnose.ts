// Known causes of a server that will not start, recognised from its log, each with the fix.
export interface KnownFailure {
  id: string;
  logLine: string;
  explanation: string;
  fix: string;
}

const KNOWN_CAUSES: Array<{ id: string; pattern: RegExp; explanation: string; fix: string }> = [
  {
    id: 'mlock',
    pattern: /(failed to lock memory|mlock|cannot allocate memory)/i,
    explanation: 'The server could not lock memory (mlock) and refused to start.',
    fix: 'Give the container the IPC_LOCK capability (cap_add: [IPC_LOCK] in deployment/docker-compose.vault.yml) or set `disable_mlock = true` in the server config.',
  },
  {
    id: 'address-in-use',
    pattern: /address already in use|bind: address/i,
    explanation: 'The listener address is already in use.',
    fix: 'If the config is loaded twice (the image already loads every file in its config directory), drop the extra `-config` from the command; otherwise free the port or choose another one with --vault-addr http://127.0.0.1:<port>.',
  },
  {
    id: 'permission-denied',
    pattern: /permission denied/i,
    explanation: 'The server may not write its data path.',
    fix: 'Make the data directory/volume writable by the server user (the official images run as uid 100 `vault`/`openbao`): use a named volume, or `chown -R 100:1000 <data dir>`.',
  },
  {
    id: 'config-parse',
    pattern: /error (loading|parsing) config|error parsing|invalid config/i,
    explanation: 'The server configuration file does not parse.',
    fix: 'Fix the reported line in the server config (deployment/config/vault.hcl, or <state-dir>/server/config.hcl for the binary runtime).',
  },
];

export function diagnoseLog(lines: string[]): KnownFailure | undefined {
  for (const cause of KNOWN_CAUSES) {
    const line = lines.find((candidate) => cause.pattern.test(candidate));
    if (line) return { id: cause.id, logLine: line.trim(), explanation: cause.explanation, fix: cause.fix };
  }
  return undefined;
}
