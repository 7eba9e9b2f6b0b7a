/**
 * The `"d7y"` manifest in a plugin package's package.json: `{ kind, name, apiVersion, schemes? }`.
 *
 * It says what a package provides before its code runs (so a package of the wrong kind is refused without
 * being imported), and it must agree with the exported plugin object. Packages and folders need one; a bare
 * file in pluginDir has none and its exported object is the only source of truth.
 */
import { createError, ErrorCodes } from '../plugin-api/errors.js';
import { PLUGIN_TYPE_TAG, PLUGIN_TYPE_VERSION, type Plugin, type PluginKind } from '../plugin-api/definePlugin.js';
import { describeValue, pluginIssues } from './validatePlugin.js';

/** The manifest fields the kernel checks. */
export interface PluginManifest {
  readonly kind: PluginKind;
  readonly name: string;
  readonly apiVersion: string;
  readonly schemes?: readonly string[];
}

/**
 * Validates the `d7y` field of a package.json. Throws `D7Y_ERR_PLUGIN_INVALID` when it is missing or
 * malformed, with path-qualified messages (`package.json d7y.kind: ...`).
 */
export function parseManifest(d7y: unknown): PluginManifest {
  if (d7y === undefined) {
    throw createError(ErrorCodes.PLUGIN_INVALID, 'package.json has no "d7y" manifest ({ kind, name, apiVersion, schemes? })');
  }
  // The manifest has the plugin's data fields; reuse the plugin checks on a stand-in with brand and register.
  const standIn = typeof d7y === 'object' && d7y !== null && !Array.isArray(d7y) ? { ...d7y, $$type: PLUGIN_TYPE_TAG, version: PLUGIN_TYPE_VERSION, register() {} } : d7y;
  const issues = pluginIssues(standIn, 'package.json d7y');
  if (issues.length > 0) throw createError(ErrorCodes.PLUGIN_INVALID, `invalid manifest: ${issues.join('; ')}`, { details: { issues } });
  const { kind, name, apiVersion, schemes } = d7y as PluginManifest;
  return { kind, name, apiVersion, ...(schemes === undefined ? {} : { schemes }) };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

/** The differences between a manifest and the exported plugin (empty when they agree). */
export function manifestMismatches(manifest: PluginManifest, plugin: Plugin): string[] {
  const issues: string[] = [];
  for (const field of ['kind', 'name', 'apiVersion'] as const) {
    if (manifest[field] !== plugin[field]) {
      issues.push(`package.json d7y.${field} is ${describeValue(manifest[field])} but the plugin exports ${field} ${describeValue(plugin[field])}`);
    }
  }
  const declared = manifest.schemes ?? [];
  const exported = plugin.schemes ?? [];
  if (!sameSet(declared, exported)) {
    issues.push(`package.json d7y.schemes is [${declared.join(', ')}] but the plugin exports schemes [${exported.join(', ')}]`);
  }
  return issues;
}

/** Throws `D7Y_ERR_PLUGIN_INVALID` unless the manifest and the exported plugin agree. */
export function assertManifestMatches(manifest: PluginManifest, plugin: Plugin): void {
  const issues = manifestMismatches(manifest, plugin);
  if (issues.length > 0) throw createError(ErrorCodes.PLUGIN_INVALID, `manifest mismatch: ${issues.join('; ')}`, { details: { issues } });
}
