import { type ConfigFor, type ConfigRole, loadConfig } from '../config/index.js';
import { createEgressPolicy } from '../common/egress/EgressPolicyImpl.js';
import { createLogger, type LogLevel } from '../common/logging.js';
import { createContainer, loadPlugins, pluginDirSlots, type PluginConfigMap, type PluginRegistry } from '../kernel/index.js';
import { managerPluginConfig } from '../manager/databaseConfig.js';
import type { EgressPolicy, Logger } from '../plugin-api/index.js';

/** Flags every role command shares. */
export interface RoleFlags {
  config?: string;
  console?: boolean;
  logLevel?: LogLevel;
}

/** A role ready to start: config, logger, egress policy and loaded plugins. */
export interface PreparedRole<R extends ConfigRole> {
  config: ConfigFor<R>;
  configPath: string | undefined;
  logger: Logger & { flush?(): void };
  egress: EgressPolicy;
  registry: PluginRegistry;
}

/** Where a role looks for pluginDir plugins. */
export function pluginDirOf(role: ConfigRole, config: ConfigFor<ConfigRole>): string | undefined {
  const server = (config as { server?: { pluginDir?: string } }).server;
  return server?.pluginDir || undefined;
}

/**
 * Plugin config sections the role fills from its own keys, so users configure storage with Dragonfly's
 * `storage.dir`, `storage.keep`, `storage.readBufferSize` and `storage.writeBufferSize` rather than a plugin section. Explicit `plugins.<kind>.<name>` keys win.
 */
export function rolePluginConfig(role: ConfigRole, config: ConfigFor<ConfigRole>): PluginConfigMap {
  const declared = ((config as { plugins?: PluginConfigMap }).plugins ?? {}) as PluginConfigMap;
  if (role === 'manager') return managerPluginConfig(config as ConfigFor<'manager'>, declared);
  if (role !== 'dfdaemon') return declared;
  const daemon = config as ConfigFor<'dfdaemon'>;
  return {
    ...declared,
    storage: {
      ...(declared.storage ?? {}),
      disk: {
        dir: daemon.storage.dir,
        keep: daemon.storage.keep,
        readBufferSize: daemon.storage.readBufferSize,
        writeBufferSize: daemon.storage.writeBufferSize,
        ...((declared.storage?.disk as object | undefined) ?? {}),
      },
    },
  };
}

/**
 * The logger level for the Go services' `server.logLevel` (manager, scheduler): Dragonfly's `panic` and `fatal`
 * both mean "only fatal messages" here; unset means `info`. `verbose: true` still wins with `debug`.
 */
export function goLogLevel(level: string | undefined): LogLevel {
  if (level === 'panic' || level === 'fatal') return 'fatal';
  if (level === 'debug' || level === 'warn' || level === 'error') return level;
  return 'info';
}

/** Loads config, creates the logger and egress policy, and loads the role's plugins (throwing one StartupError). */
export async function prepareRole<R extends ConfigRole>(role: R, flags: RoleFlags): Promise<PreparedRole<R>> {
  const { config, warnings, path } = await loadConfig(role, { path: flags.config });
  const base = config as unknown as { console?: boolean; verbose?: boolean; log?: { level?: LogLevel }; server?: { logDir?: string; logLevel?: string } };
  const logger = createLogger({
    name: role,
    level: flags.logLevel ?? base.log?.level ?? (base.verbose ? 'debug' : goLogLevel(base.server?.logLevel)),
    console: flags.console ?? true,
    logDir: base.server?.logDir,
  });
  for (const warning of warnings) logger.warn({ config: path }, warning);
  const egress = createEgressPolicy((config as { egress?: Parameters<typeof createEgressPolicy>[0] }).egress);
  const algorithm = (config as { scheduler?: { algorithm?: string } }).scheduler?.algorithm;
  const registry = await loadPlugins({
    role,
    slots: pluginDirSlots(role, pluginDirOf(role, config), { algorithm }),
    pluginConfig: rolePluginConfig(role, config),
    container: createContainer(),
    logger,
    egress,
  });
  return { config, configPath: path, logger, egress, registry };
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits. */
export function onShutdown(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
