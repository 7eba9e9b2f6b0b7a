/**
 * The plugin loading pipeline, one path for built-ins and pluginDir entries:
 * collect candidates -> (per candidate) resolve -> import once -> validate shape -> cross-check manifest ->
 * check API version -> validate config -> reject duplicates / apply overrides -> register.
 *
 * Every failure is collected; `loadPlugins` then throws one `StartupError` naming them all (no silent
 * fallback), while `inspectPlugins` returns the same findings as a report for `d7y plugins`.
 */
import { fileURLToPath } from 'node:url';
import type { EgressPolicy } from '../plugin-api/EgressPolicy.js';
import type { Logger } from '../plugin-api/Logger.js';
import { builtinPlugins } from './builtins.js';
import { collectBuiltins, collectSlots, type CandidateScan } from './candidates.js';
import { createContainer, type DependencyContainer } from './container.js';
import { denyAllEgress, silentLogger } from './defaults.js';
import { candidateFailure } from './failures.js';
import { PluginRegistry, type RegisteredPlugin } from './PluginRegistry.js';
import { preparePlugin, type PreparedPlugin } from './preparePlugin.js';
import { registerPlugin } from './registerPlugin.js';
import { pluginId, resolveClashes } from './resolveClashes.js';
import { StartupError } from './StartupError.js';
import type { BuiltinPlugin, PluginConfigMap, PluginFailure, PluginReport, PluginRole, PluginSlot } from './types.js';

/** Where built-in packages are looked up by default: `node_modules` folders above the kernel itself. */
export const DEFAULT_RESOLVE_FROM = fileURLToPath(new URL('.', import.meta.url));

/** Inputs of the pipeline. */
export interface LoadPluginsOptions {
  readonly role: PluginRole;
  /** Built-in packages to load; defaults to `builtinPlugins(role)`. */
  readonly builtins?: readonly BuiltinPlugin[];
  /** Directory whose `node_modules` ancestors hold the built-ins; defaults to `DEFAULT_RESOLVE_FROM`. */
  readonly resolveFrom?: string;
  /** pluginDir slots to scan (see `pluginDirSlots`); none by default. */
  readonly slots?: readonly PluginSlot[];
  /** Plugin config sections, `pluginConfig[kind][name]`. */
  readonly pluginConfig?: PluginConfigMap;
  /** The host container (from `createContainer()`); each plugin registers into its own child of it. */
  readonly container: DependencyContainer;
  /** The host logger; each plugin gets a child bound with `{ plugin: 'kind/name' }`. */
  readonly logger: Logger;
  /** The host's egress policy, handed to every plugin. */
  readonly egress: EgressPolicy;
  /** The kernel plugin API version to check against; defaults to `PLUGIN_API_VERSION` (override for tests). */
  readonly kernelApiVersion?: string;
}

/** Options of `inspectPlugins`: like `loadPlugins`, but container, logger and egress are optional. */
export type InspectPluginsOptions = Omit<LoadPluginsOptions, 'container' | 'logger' | 'egress'> &
  Partial<Pick<LoadPluginsOptions, 'container' | 'logger' | 'egress'>>;

interface PipelineResult {
  readonly report: PluginReport;
  readonly registered: RegisteredPlugin[];
}

function infoOf(p: PreparedPlugin & { readonly replaced?: readonly PreparedPlugin[] }) {
  return {
    kind: p.plugin.kind,
    name: p.plugin.name,
    apiVersion: p.plugin.apiVersion,
    schemes: Object.freeze([...(p.plugin.schemes ?? [])]),
    origin: p.candidate.origin,
    from: p.file,
    ...(p.packageName === undefined ? {} : { packageName: p.packageName }),
    ...(p.version === undefined ? {} : { version: p.version }),
    ...(p.candidate.slot === undefined ? {} : { slot: p.candidate.slot }),
    ...(p.replaced === undefined || p.replaced.length === 0 ? {} : { replaced: p.replaced.map((r) => ({ id: pluginId(r), from: r.file })) }),
  };
}

async function runPipeline(options: LoadPluginsOptions): Promise<PipelineResult> {
  const { role } = options;
  const log = options.logger.child({ component: 'plugin-loader', role });
  const scan: CandidateScan = { candidates: [], notInstalled: [], ignored: [], failures: [] };
  await collectBuiltins(options.builtins ?? builtinPlugins(role), options.resolveFrom ?? DEFAULT_RESOLVE_FROM, scan, log);
  await collectSlots(options.slots ?? [], scan, log);

  const failures: PluginFailure[] = [...scan.failures];
  const prepared: PreparedPlugin[] = [];
  for (const candidate of scan.candidates) {
    const result = await preparePlugin(candidate, options.pluginConfig, options.kernelApiVersion);
    if (result.ok) prepared.push(result.prepared);
    else failures.push(result.failure);
  }

  const clashes = resolveClashes(prepared, log);
  failures.push(...clashes.failures);

  const registered: RegisteredPlugin[] = [];
  for (const accepted of clashes.accepted) {
    try {
      const container = await registerPlugin(accepted, { host: options.container, logger: options.logger, egress: options.egress, role });
      const info = infoOf(accepted);
      registered.push({ ...info, container });
      log.info({ plugin: pluginId(accepted), origin: info.origin, from: info.from, version: info.version, apiVersion: info.apiVersion, schemes: info.schemes }, `plugin ${pluginId(accepted)} loaded`);
    } catch (err) {
      failures.push(candidateFailure(accepted.candidate, accepted.file, pluginId(accepted), err));
    }
  }

  for (const failure of failures) {
    log.error({ plugin: failure.id, origin: failure.origin, specifier: failure.specifier, from: failure.from, code: failure.code, reason: failure.reason }, 'plugin refused');
  }
  const report: PluginReport = {
    role,
    loaded: registered.map(({ container: _container, ...info }) => info),
    refused: failures,
    notInstalled: scan.notInstalled,
    ignored: scan.ignored,
  };
  return { report, registered };
}

/**
 * Loads every plugin of a role into `options.container` and returns the registry. Throws one `StartupError`
 * (`D7Y_ERR_STARTUP`) naming every failure if any candidate failed at any step.
 */
export async function loadPlugins(options: LoadPluginsOptions): Promise<PluginRegistry> {
  const { report, registered } = await runPipeline(options);
  if (report.refused.length > 0) throw new StartupError(options.role, report.refused);
  return new PluginRegistry(registered);
}

/**
 * Runs the same pipeline without throwing and reports what the role would load, what it refused and why,
 * which optional built-ins are not installed and which pluginDir entries were ignored. Plugins are registered
 * into a scratch container unless one is given; nothing is resolved, so no plugin service starts.
 */
export async function inspectPlugins(options: InspectPluginsOptions): Promise<PluginReport> {
  const { report } = await runPipeline({
    ...options,
    container: options.container ?? createContainer(),
    logger: options.logger ?? silentLogger,
    egress: options.egress ?? denyAllEgress,
  });
  return report;
}
