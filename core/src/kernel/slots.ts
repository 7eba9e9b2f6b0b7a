/**
 * Where each role looks in `pluginDir`, following Dragonfly's layout: dfdaemon loads back-to-source clients
 * from `<pluginDir>/backend/`, the scheduler loads `<pluginDir>/d7y-scheduler-plugin-evaluator.js` when
 * `scheduler.algorithm` is `plugin`.
 */
import { join } from 'node:path';
import type { PluginRole, PluginSlot } from './types.js';

/** Base name of the scheduler's pluginDir evaluator (`.js`, `.mjs`, `.cjs`, or a folder). */
export const EVALUATOR_PLUGIN_ENTRY = 'd7y-scheduler-plugin-evaluator';

/** Options that change what a role scans. */
export interface PluginDirSlotOptions {
  /** The scheduler's `scheduler.algorithm`; only `plugin` makes it load an evaluator from pluginDir. */
  readonly algorithm?: string;
}

/**
 * The pluginDir slots `role` scans. No `pluginDir` means no slots. With `algorithm: plugin` the evaluator
 * slot is required: a scheduler told to use a plugin evaluator must not start without one.
 */
export function pluginDirSlots(role: PluginRole, pluginDir: string | undefined, options: PluginDirSlotOptions = {}): PluginSlot[] {
  if (pluginDir === undefined || pluginDir === '') return [];
  switch (role) {
    case 'dfdaemon':
      return [{ name: 'backend', dir: join(pluginDir, 'backend'), kind: 'source' }];
    case 'scheduler':
      return options.algorithm === 'plugin'
        ? [{ name: 'evaluator', dir: pluginDir, kind: 'evaluator', entry: EVALUATOR_PLUGIN_ENTRY, required: true }]
        : [];
    default:
      return [];
  }
}
