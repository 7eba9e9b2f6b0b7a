/**
 * Role configuration: the schemas of `manager.yaml`, `scheduler.yaml` and `dfdaemon.yaml` (Dragonfly's key
 * names and defaults), and the load pipeline parse -> defaults -> convert -> validate -> freeze.
 * @packageDocumentation
 */
export {
  DEFAULT_CONFIG_DIR,
  defaultConfig,
  defaultConfigPath,
  loadConfig,
  parseConfig,
  type ConfigEnv,
  type LoadConfigOptions,
  type LoadedConfig,
  type ParseConfigOptions,
} from './load.js';
export { ConfigError } from './errors.js';
export {
  CONFIG_ROLES,
  CONFIG_SCHEMAS,
  type ConfigFor,
  type ConfigRole,
  type DfdaemonConfig,
  type ManagerConfig,
  type SchedulerConfig,
} from './roles.js';
export { DOCUMENTED_JWT_KEYS, ManagerConfigSchema } from './schema/manager.js';
export { SchedulerConfigSchema } from './schema/scheduler.js';
export { DfdaemonConfigSchema } from './schema/dfdaemon.js';
export { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES } from './parseYaml.js';
export type { DeepReadonly } from './freeze.js';
