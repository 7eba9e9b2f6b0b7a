import { Command } from 'commander';

import { coreVersion } from '../dfdaemon/version.js';
import { addMlCommands } from './commands/mlCommands.js';
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
const health = async (flags: Parameters<typeof import('./commands/health.js').healthCommand>[0]) =>
  (await import('./commands/health.js')).healthCommand(flags);
const preheat = async (flags: Parameters<typeof import('./commands/preheat.js').preheatCommand>[0]) => (await import('./commands/preheat.js')).preheatCommand(flags);

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
    .option('--peers <n>', 'number of peers besides the seed peer (1 to 16)', '2')
    .option('--demo-size <size>', 'size of the demo file', '64MiB')
    .option('--with-proxy', "also download the demo through each peer's HTTP proxy (a proxy rule for the demo file)")
    .option('--refresh <ms>', 'how often the status table redraws on a terminal', '2000')
    .option('--exit', 'stop after the demo instead of running until Ctrl-C')
    .action((flags) => up(flags).catch((error: unknown) => exitWithError('d7y up', error)));

  program
    .command('health')
    .description('probe a role: grpc.health.v1 Check (--grpc) or an HTTP endpoint such as /healthy (--http); exit 0 when healthy')
    .option('--grpc <host:port>', 'gRPC server to check (manager, scheduler, dfdaemon upload)')
    .option('--http <url>', 'HTTP URL that must answer 2xx, e.g. http://127.0.0.1:4003/healthy')
    .option('--service <name>', 'gRPC service name to check (default: the whole server)')
    .option('--timeout <ms>', 'give up after this many milliseconds', '3000')
    .action((flags) => health(flags).catch((error: unknown) => exitWithError('d7y health', error)));

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

  const repeat = (value: string, all: string[] = []) => [...all, value];
  program
    .command('preheat')
    .description('preheat an image or file through the manager (open API, personal access token), wait, print per-host results; exit 1 on failure')
    .requiredOption('--manager <url>', 'manager REST address, e.g. http://manager:8080')
    .requiredOption('--url <url>', 'image manifest URL (https://<registry>/v2/<repo>/manifests/<tag>) or file URL')
    .option('--token <pat>', 'personal access token with scope job (default $D7Y_PAT, then $DRAGONFLY_PAT)')
    .option('--type <type>', 'image or file', 'image')
    .option('--scope <scope>', 'single_seed_peer, all_seed_peers or all_peers', 'single_seed_peer')
    .option('--platform <os/arch>', 'platform picked from a multi-platform image')
    .option('--username <name>', 'registry user (basic auth or token realm)')
    .option('--password <password>', 'registry password')
    .option('-H, --header <header>', 'header sent to the registry or origin, "Name: value" (repeatable)', repeat)
    .option('--cluster-id <id>', 'scheduler cluster (repeatable; default all)', repeat)
    .option('--ips <ip>', 'all_* scopes: only these hosts (repeatable)', repeat)
    .option('--count <n>', 'all_* scopes: at most n hosts')
    .option('--percentage <p>', 'all_* scopes: this percentage of hosts')
    .option('--tag <tag>', 'task tag')
    .option('--application <name>', 'task application')
    .option('--wait <duration>', 'how long to wait for the job', '30m')
    .option('--poll-interval <duration>', 'how often to ask', '2s')
    .option('--json', 'print the final job as JSON')
    .action((flags) =>
      preheat(flags).then(
        (code) => {
          process.exitCode = code;
        },
        (error: unknown) => exitWithError('d7y preheat', error),
      ),
    );

  const config = program.command('config').description('work with config files');
  config
    .command('check')
    .description('validate a config file and print the effective config with defaults filled in')
    .requiredOption('-r, --role <role>', 'manager, scheduler or dfdaemon')
    .option('-c, --config <path>', 'config file (default /etc/dragonfly/<role>.yaml)')
    .action((flags) => configCheck(flags).catch((error: unknown) => exitWithError('d7y config check', error)));

  addMlCommands(program);

  return program;
}
