/**
 * The d7y kernel: DI container, the plugin loading pipeline, the plugin registry and start-up errors.
 * @packageDocumentation
 */
export { createContainer, toPluginContainer, describeToken, type DependencyContainer } from './container.js';
export { BUILTIN_PLUGINS, builtinPlugins } from './builtins.js';
export { pluginDirSlots, EVALUATOR_PLUGIN_ENTRY, type PluginDirSlotOptions } from './slots.js';
export { PLUGIN_FILE_EXTENSIONS, type PluginCandidate } from './candidates.js';
export { findPackageDir, readPackageJson, resolvePackageEntry, exportsRootTarget, type PackageJson } from './packageEntry.js';
export { importPluginExport, missingModuleOf, pluginExportOf } from './importPlugin.js';
export { validatePlugin, pluginIssues, PLUGIN_NAME_PATTERN, API_VERSION_PATTERN, SCHEME_PATTERN } from './validatePlugin.js';
export { parseManifest, manifestMismatches, type PluginManifest } from './manifest.js';
export { checkApiCompatibility, assertPluginCompat, type ApiCompatibility } from './compat.js';
export { resolvePluginConfig, deepFreeze } from './pluginConfig.js';
export { KIND_TOKENS } from './registerPlugin.js';
export { loadPlugins, inspectPlugins, DEFAULT_RESOLVE_FROM, type LoadPluginsOptions, type InspectPluginsOptions } from './loadPlugins.js';
export { PluginRegistry, type RegisteredPlugin } from './PluginRegistry.js';
export { StartupError } from './StartupError.js';
export { formatFailure } from './failures.js';
export { formatPluginReport, formatTable } from './formatPluginReport.js';
export { silentLogger, denyAllEgress, permissiveEgress } from './defaults.js';
export { createMemoryLogger, type MemoryLogger, type LogRecord, type LogLevel } from './memoryLogger.js';
export type {
  BuiltinPlugin,
  IgnoredEntry,
  NotInstalledPlugin,
  PluginConfigMap,
  PluginFailure,
  PluginInfo,
  PluginOrigin,
  PluginReport,
  PluginRole,
  PluginSlot,
} from './types.js';
