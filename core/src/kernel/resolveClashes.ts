/**
 * Step 7a of the pipeline: reject ambiguity. Two plugins may not share a `(kind, name)`, and two sources may
 * not serve the same URL scheme, with one exception: a pluginDir plugin that sets `overrides: true` replaces
 * the built-ins it clashes with (whole plugins: a replaced built-in is not registered at all). Every
 * replacement is logged at warn level with both origins.
 */
import { ErrorCodes } from '../plugin-api/errors.js';
import type { Logger } from '../plugin-api/Logger.js';
import type { PreparedPlugin } from './preparePlugin.js';
import type { PluginFailure } from './types.js';

/** A prepared plugin that survived clash resolution, with the built-ins it replaced. */
export interface AcceptedPlugin extends PreparedPlugin {
  readonly replaced: readonly PreparedPlugin[];
}

/** What clash resolution decided. */
export interface ClashResult {
  /** Survivors in candidate order. */
  readonly accepted: AcceptedPlugin[];
  readonly failures: PluginFailure[];
}

/** `kind/name` of a prepared plugin. */
export function pluginId(p: PreparedPlugin): string {
  return `${p.plugin.kind}/${p.plugin.name}`;
}

function describe(p: PreparedPlugin): string {
  return `${pluginId(p)} (${p.candidate.origin} ${p.file})`;
}

/** The already accepted plugins `p` clashes with, with what they share. */
function clashesOf(p: PreparedPlugin, accepted: readonly AcceptedPlugin[]): Map<AcceptedPlugin, string[]> {
  const clashes = new Map<AcceptedPlugin, string[]>();
  const note = (other: AcceptedPlugin, what: string) => clashes.set(other, [...(clashes.get(other) ?? []), what]);
  for (const other of accepted) {
    if (pluginId(other) === pluginId(p)) note(other, `name ${pluginId(p)}`);
    if (p.plugin.kind === 'source' && other.plugin.kind === 'source') {
      for (const scheme of p.plugin.schemes ?? []) if ((other.plugin.schemes ?? []).includes(scheme)) note(other, `scheme '${scheme}'`);
    }
  }
  return clashes;
}

/**
 * Walks prepared plugins in order (built-ins first), accepting each one unless it clashes. A clash is a
 * `D7Y_ERR_PLUGIN_DUPLICATE` failure of the later plugin naming both files, unless the later one is a
 * pluginDir plugin with `overrides: true` and every plugin it clashes with is a built-in.
 */
export function resolveClashes(prepared: readonly PreparedPlugin[], logger: Logger): ClashResult {
  let accepted: AcceptedPlugin[] = [];
  const failures: PluginFailure[] = [];
  for (const p of prepared) {
    const clashes = clashesOf(p, accepted);
    if (clashes.size === 0) {
      accepted.push({ ...p, replaced: [] });
      continue;
    }
    const others = [...clashes.keys()];
    const overrides = p.candidate.origin === 'pluginDir' && p.plugin.overrides === true;
    if (overrides && others.every((other) => other.candidate.origin === 'builtin')) {
      accepted = accepted.filter((other) => !clashes.has(other));
      accepted.push({ ...p, replaced: others });
      for (const other of others) {
        const lost = (other.plugin.schemes ?? []).filter((scheme) => !(p.plugin.schemes ?? []).includes(scheme));
        logger.warn(
          { plugin: pluginId(p), from: p.file, replaces: pluginId(other), replacedFrom: other.file, shared: clashes.get(other), ...(lost.length > 0 ? { schemesDropped: lost } : {}) },
          `pluginDir plugin ${describe(p)} overrides built-in ${describe(other)}`,
        );
      }
      continue;
    }
    const detail = others.map((other) => `${clashes.get(other)?.join(', ')} already provided by ${describe(other)}`).join('; ');
    const hint =
      p.candidate.origin === 'pluginDir' && !overrides && others.every((other) => other.candidate.origin === 'builtin')
        ? '; set overrides: true to replace the built-in'
        : '';
    failures.push({
      id: pluginId(p),
      origin: p.candidate.origin,
      ...(p.candidate.specifier === undefined ? {} : { specifier: p.candidate.specifier }),
      from: p.file,
      code: ErrorCodes.PLUGIN_DUPLICATE,
      reason: `duplicate plugin: ${detail}${hint}`,
    });
  }
  return { accepted, failures };
}
