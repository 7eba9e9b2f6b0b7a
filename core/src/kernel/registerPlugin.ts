/**
 * Step 7b of the pipeline: call `plugin.register(ctx)` with a child container of the host container, then
 * check that the plugin registered its kind's token there.
 */
import { createError, ErrorCodes } from '../plugin-api/errors.js';
import type { EgressPolicy } from '../plugin-api/EgressPolicy.js';
import type { Logger } from '../plugin-api/Logger.js';
import type { PluginContainer } from '../plugin-api/PluginContainer.js';
import type { PluginKind, RegisterContext } from '../plugin-api/definePlugin.js';
import { TOKENS, type Token } from '../plugin-api/tokens.js';
import { describeToken, toPluginContainer, type DependencyContainer } from './container.js';
import { failureCode } from './failures.js';
import type { PreparedPlugin } from './preparePlugin.js';
import type { PluginRole } from './types.js';

/** The tokens a plugin of each kind may register; it must register at least one of them. */
export const KIND_TOKENS: Readonly<Record<PluginKind, readonly Token[]>> = Object.freeze({
  source: [TOKENS.SourceClient],
  evaluator: [TOKENS.Evaluator],
  storage: [TOKENS.StorageEngine],
  database: [TOKENS.DatabaseDriver, TOKENS.SharedStateBackend],
});

/** What every plugin's context shares. */
export interface RegisterDeps {
  readonly host: DependencyContainer;
  readonly logger: Logger;
  readonly egress: EgressPolicy;
  readonly role: PluginRole;
}

/**
 * Registers one plugin into its own child container of `deps.host`. The child also provides the plugin's
 * logger (`TOKENS.Logger`, bound with `{ plugin: 'kind/name' }`) and the egress policy
 * (`TOKENS.EgressPolicy`). A throwing `register()` keeps the error's own `D7Y_ERR_*` code (see
 * `failureCode`); a plugin that registered none of its kind's tokens is `D7Y_ERR_PLUGIN_INVALID`.
 */
export async function registerPlugin(p: PreparedPlugin, deps: RegisterDeps): Promise<PluginContainer> {
  const { kind, name } = p.plugin;
  const child = deps.host.createChildContainer();
  const container = toPluginContainer(child);
  const logger = deps.logger.child({ plugin: `${kind}/${name}` });
  child.register(TOKENS.Logger, { useValue: logger });
  child.register(TOKENS.EgressPolicy, { useValue: deps.egress });
  const ctx: RegisterContext = { container, config: p.config, logger, egress: deps.egress, role: deps.role };
  try {
    await p.plugin.register(ctx);
  } catch (err) {
    const message = typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
    throw createError(failureCode(err), `register() threw: ${message}`, { cause: err });
  }
  const tokens = KIND_TOKENS[kind];
  if (!tokens.some((token) => child.isRegistered(token, false))) {
    throw createError(
      ErrorCodes.PLUGIN_INVALID,
      `register() did not register ${tokens.map((token) => describeToken(token)).join(' or ')} for a ${kind} plugin`,
    );
  }
  return container;
}
