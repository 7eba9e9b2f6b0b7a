import type { Token } from './tokens.js';

/** How a value is provided for a token: a ready value, or a factory called once on first resolve. */
export type Provider<T> = { useValue: T } | { useFactory: (container: PluginContainer) => T };

/**
 * The slice of the host's dependency-injection container that plugins see. Plugins never import a DI
 * library themselves: they register providers on the container they are handed.
 */
export interface PluginContainer {
  /** Registers a provider for a token. A factory is called at most once (singleton per container). */
  register<T>(token: Token, provider: Provider<T>): void;
  /** Resolves a token registered here or by the host; throws `D7Y_ERR_NOT_FOUND` when absent. */
  resolve<T>(token: Token): T;
  /** True if the token can be resolved from this container or the host. */
  isRegistered(token: Token): boolean;
}
