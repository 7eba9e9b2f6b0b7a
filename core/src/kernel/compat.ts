/**
 * Plugin API compatibility, checked by the kernel (never by the plugin, which cannot know which kernel loads it).
 *
 * The rule: API versions are `MAJOR.MINOR`. A plugin written against `P.p` loads into a kernel providing `K.k`
 * if and only if `P === K` (the same major: a major bump removes or changes something plugins rely on) and
 * `p <= k` (the kernel's minor is at least the plugin's: minors only add optional members, so an older plugin
 * runs on a newer kernel, but a plugin may use members that an older kernel does not have yet). Anything else
 * is refused with `D7Y_ERR_PLUGIN_API_MISMATCH`, naming the plugin, its file and both versions.
 */
import { createError, ErrorCodes } from '../plugin-api/errors.js';
import { PLUGIN_API_VERSION } from '../plugin-api/version.js';
import { API_VERSION_PATTERN } from './validatePlugin.js';

/** The outcome of a compatibility check; `reason` explains a refusal. */
export type ApiCompatibility = { readonly compatible: true } | { readonly compatible: false; readonly reason: string };

function parse(version: string): [number, number] | undefined {
  const match = API_VERSION_PATTERN.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Applies the rule above to a plugin's `apiVersion` and the kernel's (default: this kernel's `PLUGIN_API_VERSION`). */
export function checkApiCompatibility(pluginApiVersion: string, kernelApiVersion: string = PLUGIN_API_VERSION): ApiCompatibility {
  const plugin = parse(pluginApiVersion);
  const kernel = parse(kernelApiVersion);
  const both = `plugin API ${pluginApiVersion}, kernel plugin API ${kernelApiVersion}`;
  if (kernel === undefined) return { compatible: false, reason: `kernel plugin API version '${kernelApiVersion}' is not MAJOR.MINOR` };
  if (plugin === undefined) return { compatible: false, reason: `plugin API version '${pluginApiVersion}' is not MAJOR.MINOR (kernel plugin API ${kernelApiVersion})` };
  if (plugin[0] !== kernel[0]) return { compatible: false, reason: `${both}: major versions differ` };
  if (plugin[1] > kernel[1]) return { compatible: false, reason: `${both}: the plugin needs a newer kernel (minor ${plugin[1]} > ${kernel[1]})` };
  return { compatible: true };
}

/**
 * Throws `D7Y_ERR_PLUGIN_API_MISMATCH` if the plugin cannot load into this kernel. For tooling
 * (`d7y plugins`, plugin tests) that wants the check without loading.
 */
export function assertPluginCompat(plugin: { readonly kind: string; readonly name: string; readonly apiVersion: string }, file: string, kernelApiVersion: string = PLUGIN_API_VERSION): void {
  const result = checkApiCompatibility(plugin.apiVersion, kernelApiVersion);
  if (!result.compatible) {
    throw createError(ErrorCodes.PLUGIN_API_MISMATCH, `plugin ${plugin.kind}/${plugin.name} (${file}) is incompatible: ${result.reason}`, {
      details: { plugin: `${plugin.kind}/${plugin.name}`, file, pluginApiVersion: plugin.apiVersion, kernelApiVersion },
    });
  }
}
