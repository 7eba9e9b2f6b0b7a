/**
 * The built-in plugin packages each role loads. Package names are `@d7y/plugin-<folder>` after the folders
 * under `plugins/`. Required ones must be installed; optional ones are skipped (and reported as
 * "not installed") when their package is absent, but fail start-up like any other plugin once present.
 */
import type { BuiltinPlugin, PluginRole } from './types.js';

/** Built-in plugin packages per role, in load order. */
export const BUILTIN_PLUGINS: Readonly<Record<'dfdaemon' | 'scheduler' | 'manager', readonly BuiltinPlugin[]>> = Object.freeze({
  dfdaemon: Object.freeze([
    { specifier: '@d7y/plugin-source-http', kind: 'source', optional: false },
    { specifier: '@d7y/plugin-source-s3', kind: 'source', optional: true },
    { specifier: '@d7y/plugin-source-oss', kind: 'source', optional: true },
    { specifier: '@d7y/plugin-source-hdfs', kind: 'source', optional: true },
    { specifier: '@d7y/plugin-storage-disk', kind: 'storage', optional: false },
  ]),
  scheduler: Object.freeze([
    { specifier: '@d7y/plugin-scheduler-default', kind: 'evaluator', optional: false },
    { specifier: '@d7y/plugin-scheduler-ml', kind: 'evaluator', optional: true },
  ]),
  manager: Object.freeze([
    { specifier: '@d7y/plugin-database-sqlite', kind: 'database', optional: false },
    { specifier: '@d7y/plugin-database-postgres', kind: 'database', optional: true },
    { specifier: '@d7y/plugin-database-mysql', kind: 'database', optional: true },
    { specifier: '@d7y/plugin-database-redis', kind: 'database', optional: true },
  ]),
} satisfies Record<string, readonly BuiltinPlugin[]>);

/** The built-in plugin packages `role` loads; roles without plugins of their own (`dfget`, `tool`) get none. */
export function builtinPlugins(role: PluginRole): readonly BuiltinPlugin[] {
  return role === 'dfdaemon' || role === 'scheduler' || role === 'manager' ? BUILTIN_PLUGINS[role] : [];
}
