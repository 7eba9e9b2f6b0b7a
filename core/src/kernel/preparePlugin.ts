/**
 * Steps 2 to 6 of the pipeline for one candidate: resolve the entry file, read the manifest, import once,
 * validate the shape, cross-check the manifest, check the API version, validate the config. Nothing is
 * registered yet; a failure comes back as data so that the caller can collect every one.
 */
import { createError, ErrorCodes } from '../plugin-api/errors.js';
import type { Plugin } from '../plugin-api/definePlugin.js';
import type { PluginCandidate } from './candidates.js';
import { checkApiCompatibility } from './compat.js';
import { candidateFailure } from './failures.js';
import { importPluginExport } from './importPlugin.js';
import { assertManifestMatches, parseManifest, type PluginManifest } from './manifest.js';
import { readPackageJson, resolvePackageEntry, type PackageJson } from './packageEntry.js';
import { resolvePluginConfig } from './pluginConfig.js';
import type { PluginConfigMap, PluginFailure } from './types.js';
import { validatePlugin } from './validatePlugin.js';

/** A candidate that passed every check before registration. */
export interface PreparedPlugin {
  readonly candidate: PluginCandidate;
  readonly plugin: Plugin;
  /** The entry file that was imported. */
  readonly file: string;
  readonly packageName?: string;
  readonly version?: string;
  /** The validated, deep-frozen config section. */
  readonly config: unknown;
}

/** Either the prepared plugin or why it was refused. */
export type PrepareResult = { readonly ok: true; readonly prepared: PreparedPlugin } | { readonly ok: false; readonly failure: PluginFailure };

/** Runs steps 2 to 6 for one candidate, importing its entry file at most once. */
export async function preparePlugin(candidate: PluginCandidate, pluginConfig: PluginConfigMap | undefined, kernelApiVersion?: string): Promise<PrepareResult> {
  let from = candidate.path;
  let id: string | undefined;
  try {
    let file = candidate.path;
    let pkg: PackageJson | undefined;
    let manifest: PluginManifest | undefined;
    if (candidate.form !== 'file') {
      pkg = await readPackageJson(candidate.path);
      manifest = parseManifest(pkg.d7y);
      id = `${manifest.kind}/${manifest.name}`;
      if (candidate.expectedKind !== undefined && manifest.kind !== candidate.expectedKind) {
        throw createError(ErrorCodes.PLUGIN_INVALID, `package.json d7y.kind is '${manifest.kind}' but ${expectedKindWhere(candidate)} takes '${candidate.expectedKind}' plugins; not imported`);
      }
      file = await resolvePackageEntry(candidate.path, pkg);
      from = file;
    }
    const plugin = validatePlugin(await importPluginExport(file));
    id = `${plugin.kind}/${plugin.name}`;
    if (manifest !== undefined) assertManifestMatches(manifest, plugin);
    if (candidate.expectedKind !== undefined && plugin.kind !== candidate.expectedKind) {
      throw createError(ErrorCodes.PLUGIN_INVALID, `plugin kind is '${plugin.kind}' but ${expectedKindWhere(candidate)} takes '${candidate.expectedKind}' plugins`);
    }
    const compat = checkApiCompatibility(plugin.apiVersion, kernelApiVersion);
    if (!compat.compatible) throw createError(ErrorCodes.PLUGIN_API_MISMATCH, compat.reason);
    const config = resolvePluginConfig(plugin, pluginConfig);
    return {
      ok: true,
      prepared: {
        candidate,
        plugin,
        file,
        ...(typeof pkg?.name === 'string' ? { packageName: pkg.name } : {}),
        ...(typeof pkg?.version === 'string' ? { version: pkg.version } : {}),
        config,
      },
    };
  } catch (err) {
    return { ok: false, failure: candidateFailure(candidate, from, id, err) };
  }
}

function expectedKindWhere(candidate: PluginCandidate): string {
  return candidate.slot !== undefined ? `pluginDir slot '${candidate.slot}'` : `built-in ${candidate.specifier ?? candidate.path}`;
}
