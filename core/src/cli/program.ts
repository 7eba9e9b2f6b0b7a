import { Command } from 'commander';

import { coreVersion } from '../dfdaemon/version.js';
import { withRoleFlags } from './commands/roleCommand.js';
import { exitWithError } from './fatal.js';

export { runProgram } from './runProgram.js';

// Commands are imported when they run, so `d7y --help` and quick commands do not load every role.
const configCheck = async (flags: Parameters<typeof import('./commands/configCheck.js').configCheck>[0]) =>
  (await import('./commands/configCheck.js')).configCheck(flags);
const runDfdaemon = async (flags: Parameters<typeof import('./commands/dfdaemon.js').runDfdaemon>[0]) =>
  (await import('./commands/dfdaemon.js')).runDfdaemon(flags);
const runScheduler = async (flags: Parameters<typeof import('./commands/scheduler.js').runScheduler>[0]) =>
  (await import('./commands/scheduler.js')).runScheduler(flags);
const runManager = async (flags: Parameters<typeof import('./commands/manager.js').runManager>[0]) =>
  (await import('./commands/manager.js')).runManager(flags);
const pluginsCommand = async (flags: Parameters<typeof import('./commands/plugins.js').pluginsCommand>[0]) =>
  (await import('./commands/plugins.js')).pluginsCommand(flags);
const init = async (runtime: string, flags: Parameters<typeof import('./commands/init.js').initCommand>[1]) =>
  (await import('./commands/init.js')).initCommand(runtime, flags);
const up = async (flags: Parameters<typeof import('./commands/up.js').up>[0]) => (await import('./commands/up.js')).up(flags);

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
  withRoleFlags(program.command('manager').description('run a manager'), 'manager').action((flags) =>
    runManager(flags).catch((error: unknown) => exitWithError('manager', error)),
  );

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

  program
    .command('init')
    .description('point a container runtime (containerd, podman, crio, docker) at the local dfdaemon proxy')
    .argument('<runtime>', 'containerd, podman, crio or docker')
    .option('--proxy <url>', 'address of the dfdaemon proxy', 'http://127.0.0.1:4001')
    .option('--registry <url>', 'registry to pull through the proxy (repeatable; default https://index.docker.io)', (value: string, all: string[] = []) => [...all, value])
    .option('--all', 'containerd: send every registry through the proxy (_default/hosts.toml)')
    .option('--dry-run', 'print the diff of every file instead of writing')
    .option('--config <file>', 'containerd config.toml', '/etc/containerd/config.toml')
    .option('--hosts-dir <dir>', 'containerd hosts directory (default: config_path from config.toml, else /etc/containerd/certs.d)')
    .option('--registries-conf <file>', 'podman/crio registries.conf', '/etc/containers/registries.conf')
    .option('--dropin <file>', 'docker: systemd drop-in', '/etc/systemd/system/docker.service.d/d7y-proxy.conf')
    .option('--trust-file <file>', 'docker: where the proxy CA is installed for update-ca-certificates', '/usr/local/share/ca-certificates/d7y-proxy-ca.crt')
    .option('--ca-cert <file>', 'docker: the proxy CA certificate', '/var/cache/dragonfly/dfdaemon/proxy-ca/ca.crt')
    .action((runtime: string, flags) => init(runtime, flags).catch((error: unknown) => exitWithError('d7y init', error)));

  const config = program.command('config').description('work with config files');
  config
    .command('check')
    .description('validate a config file and print the effective config with defaults filled in')
    .requiredOption('-r, --role <role>', 'manager, scheduler or dfdaemon')
    .option('-c, --config <path>', 'config file (default /etc/dragonfly/<role>.yaml)')
    .action((flags) => configCheck(flags).catch((error: unknown) => exitWithError('d7y config check', error)));

  return program;
}
