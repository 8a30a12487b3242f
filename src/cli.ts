// Builds the commander program. Command modules load lazily so `--help` and `--version` stay fast.
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { ExitCode } from './errors.js';
import { reportError } from './ui/report-error.js';
import type { CommonOptions } from './context.js';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

interface CommandSpec {
  name: string;
  summary: string;
  examples: string[];
  configure?: (command: Command) => void;
  load: () => Promise<{ run: (options: Record<string, unknown>, common: CommonOptions) => Promise<number> }>;
}

function addCommonOptions(command: Command): Command {
  return command
    .option('--env-file <path>', "the application's .env file", '.env')
    .option('--state-dir <path>', 'where bybit-vault keeps its state, backups and local server files', '.bybit-vault')
    .option('--vault-addr <url>', 'Vault address (default: $VAULT_ADDR, then the saved migration, then http://127.0.0.1:8200)')
    .option('--json', 'machine-readable result on stdout; progress stays on stderr', false)
    .option('--no-color', 'no colours (NO_COLOR is honoured too)');
}

const commandSpecs: CommandSpec[] = [
  {
    name: 'migrate',
    summary: 'move the secrets from .env into Vault, step by step (resumable)',
    examples: [
      'bybit-vault migrate',
      'bybit-vault migrate --dry-run',
      'bybit-vault migrate --runtime binary --vault-bin /usr/local/bin/bao --non-interactive --keys-file ~/vault-keys.json',
      'bybit-vault migrate --runtime external --vault-addr https://vault.example.com:8200 --yes',
    ],
    configure: (command) =>
      command
        .addOption(new Option('--runtime <runtime>', 'how Vault runs (default: the saved migration\'s, else docker)').choices(['docker', 'binary', 'external']))
        .option('--vault-bin <path>', 'binary runtime: the vault or bao executable (default: vault, then bao, on PATH)')
        .option('--key-shares <n>', 'number of unseal key shares', '5')
        .option('--key-threshold <n>', 'shares needed to unseal', '3')
        .option('--pgp-keys <files>', 'comma-separated public key files, one per share; Vault encrypts each share')
        .option('--keys-file <path>', 'init writes unseal keys + root token here (0600, vault CLI JSON); unseal reads them')
        .option('--mapping <path>', 'mapping file (JSON or YAML) replacing or extending the default variable -> path table')
        .option('--token-ttl <duration>', 'application token TTL (the runbook rotates every 30 days)', '720h')
        .addOption(
          new Option('--on-conflict <policy>', 'a value in Vault differs from .env (default: ask; fail when non-interactive)').choices([
            'skip',
            'overwrite',
            'fail',
          ]),
        )
        .option('--upgrade-kv', 'configure: upgrade an existing KV version 1 mount at secret/ to version 2 (asked interactively otherwise)', false)
        .option('--remove-plaintext', 'cleanup step: remove the migrated secrets from .env after verify passed', false)
        .option('--image <image>', 'docker runtime: server image (hashicorp/vault or openbao/openbao)')
        .option('--dry-run', 'show the plan (keys and paths, values masked); change nothing', false)
        .option('-y, --yes', 'accept defaults and never prompt (same as --non-interactive)', false)
        .option('--non-interactive', 'never prompt; a missing input is an error naming its flag (exit 2)', false),
    load: () => import('./commands/migrate.js'),
  },
  {
    name: 'rollback',
    summary: 'put the secrets back into .env and point the application away from Vault',
    examples: ['bybit-vault rollback --dry-run', 'bybit-vault rollback --yes', 'bybit-vault rollback --from-vault --revoke-token --stop-vault --yes'],
    configure: (command) =>
      command
        .option('--from-vault', 'read the values from Vault instead of the backup migrate made', false)
        .option('--revoke-token', 'revoke the application token (by its accessor)', false)
        .option('--stop-vault', 'stop the container or server process (data is kept)', false)
        .option('--keys-file <path>', 'the keys file holding the root token (for --revoke-token and --from-vault); default: the one migrate recorded')
        .option('--dry-run', 'show what would change (keys only); change nothing', false)
        .option('-y, --yes', 'do not ask for confirmation', false)
        .option('--non-interactive', 'never prompt', false),
    load: () => import('./commands/rollback.js'),
  },
  {
    name: 'doctor',
    summary: 'diagnose the setup and print the fix for each problem (read-only)',
    examples: ['bybit-vault doctor', 'bybit-vault doctor --json', 'bybit-vault doctor --vault-addr http://127.0.0.1:8200'],
    load: () => import('./commands/doctor.js'),
  },
  {
    name: 'status',
    summary: 'show each migration step and the live server state',
    examples: ['bybit-vault status', 'bybit-vault status --json'],
    load: () => import('./commands/status.js'),
  },
  {
    name: 'unseal',
    summary: 'unseal the server (after a restart it comes back sealed)',
    examples: ['bybit-vault unseal', 'bybit-vault unseal --keys-file ~/vault-keys.json'],
    configure: (command) =>
      command
        .option('--keys-file <path>', 'read the unseal keys from this file (vault operator init JSON)')
        .option('--non-interactive', 'never prompt', false),
    load: () => import('./commands/unseal.js'),
  },
];

export function buildProgram(onResult: (exitCode: number) => void): Command {
  const program = new Command('bybit-vault')
    .description("Move an application's secrets from .env into HashiCorp Vault / OpenBao, safely and resumably.")
    .version(packageJson.version, '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: (text) => process.stderr.write(text) })
    .addHelpText(
      'after',
      `
Examples:
  $ bybit-vault migrate                 guided migration (docker compose), resumable
  $ bybit-vault status                  where the migration stands
  $ bybit-vault doctor                  what is wrong, and how to fix it
  $ bybit-vault rollback --yes          back to environment variables

Exit codes: 0 ok, 1 failed, 2 usage or missing input, 3 doctor found warnings only, 130 interrupted.
Run \`bybit-vault <command> --help\` for a command's options.`,
    );

  for (const spec of commandSpecs) {
    const command = program.command(spec.name).summary(spec.summary).description(spec.summary);
    spec.configure?.(command);
    addCommonOptions(command);
    command.addHelpText('after', `\nExamples:\n${spec.examples.map((example) => `  $ ${example}`).join('\n')}\n`);
    command.action(async (options: Record<string, unknown>) => {
      const { resolveCommonOptions } = await import('./context.js');
      const common = resolveCommonOptions(options);
      const module = await spec.load();
      onResult(await module.run(options, common));
    });
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      process.exitCode = ExitCode.usage;
      return;
    }
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; unknown commands and bad flags are usage errors (2).
      exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      if (exitCode !== ExitCode.ok && error.code !== 'commander.help') {
        process.stderr.write('Run `bybit-vault --help` for usage.\n');
      }
    } else {
      exitCode = reportError(error);
    }
  }
  process.exitCode = exitCode;
}
