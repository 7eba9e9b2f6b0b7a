import { Command } from 'commander';

import { coreVersion } from '../dfdaemon/version.js';
import { withRoleFlags } from './commands/roleCommand.js';
import { EXIT_USAGE, exitWithError } from './fatal.js';

export { runProgram } from './runProgram.js';

// Commands are imported when they run, so `d7y --help` and quick commands do not load every role.
const configCheck = async (flags: Parameters<typeof import('./commands/configCheck.js').configCheck>[0]) =>
  (await import('./commands/configCheck.js')).configCheck(flags);
const runDfdaemon = async (flags: Parameters<typeof import('./commands/dfdaemon.js').runDfdaemon>[0]) =>
  (await import('./commands/dfdaemon.js')).runDfdaemon(flags);
const runScheduler = async (flags: Parameters<typeof import('./commands/scheduler.js').runScheduler>[0]) =>
  (await import('./commands/scheduler.js')).runScheduler(flags);
const pluginsCommand = async (flags: Parameters<typeof import('./commands/plugins.js').pluginsCommand>[0]) =>
  (await import('./commands/plugins.js')).pluginsCommand(flags);
const up = async (flags: Parameters<typeof import('./commands/up.js').up>[0]) => (await import('./commands/up.js')).up(flags);

function notInThisBuild(role: string): never {
  process.stderr.write(`d7y ${role}: the ${role} role is not part of this build yet\n`);
  process.exit(EXIT_USAGE);
}

/** The `d7y` command tree. */
export function d7yProgram(): Command {
  const program = new Command('d7y')
    .description('P2P distribution of images, models and files (Dragonfly v2 compatible roles)')
    .version(coreVersion(), '-v, --version')
    .showHelpAfterError()
    .exitOverride();

  withRoleFlags(program.command('dfdaemon').description('run a peer daemon (a seed peer with seedPeer.enable: true)'), 'dfdaemon').action(
    (flags) => runDfdaemon(flags).catch((error: unknown) => exitWithError('dfdaemon', error)),
  );
  withRoleFlags(program.command('scheduler').description('run a scheduler'), 'scheduler').action((flags) =>
    runScheduler(flags).catch((error: unknown) => exitWithError('scheduler', error)),
  );
  withRoleFlags(program.command('manager').description('run a manager'), 'manager').action(() => notInThisBuild('manager'));

  program
    .command('up')
    .description('start a local cluster on loopback with embedded defaults and run a demo download')
    .option('--data-dir <dir>', 'where data and logs go (wiped at start)', '.d7y')
    .option('--peers <n>', 'number of peers besides the seed peer', '2')
    .option('--demo-size <size>', 'size of the demo file', '64MiB')
    .option('--exit', 'stop after the demo instead of running until Ctrl-C')
    .action((flags) => up(flags).catch((error: unknown) => exitWithError('d7y up', error)));

  program
    .command('plugins')
    .description('show the plugins a role would load, and why anything was refused')
    .requiredOption('-r, --role <role>', 'manager, scheduler or dfdaemon')
    .option('-c, --config <path>', 'config file of that role')
    .option('--plugin-dir <dir>', "override the config's pluginDir")
    .action((flags) => pluginsCommand(flags).catch((error: unknown) => exitWithError('d7y plugins', error)));

  const config = program.command('config').description('work with config files');
  config
    .command('check')
    .description('validate a config file and print the effective config with defaults filled in')
    .requiredOption('-r, --role <role>', 'manager, scheduler or dfdaemon')
    .option('-c, --config <path>', 'config file (default /etc/dragonfly/<role>.yaml)')
    .action((flags) => configCheck(flags).catch((error: unknown) => exitWithError('d7y config check', error)));

  return program;
}
