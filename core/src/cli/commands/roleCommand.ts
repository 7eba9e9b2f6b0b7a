import { Command, Option } from 'commander';

/** Adds the flags every role shares: `--config`, `--console`, `--log-level`. */
export function withRoleFlags(command: Command, role: string): Command {
  return command
    .option('-c, --config <path>', `config file (default /etc/dragonfly/${role}.yaml, or $${role.toUpperCase()}_CONFIG)`)
    .option('--console', 'log to stdout (the default)')
    .option('--no-console', `log to files under the config's log directory instead`)
    .addOption(new Option('-l, --log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error']));
}
