/**
 * The kernel's dependency-injection container: tsyringe, used without decorators.
 *
 * `reflect-metadata` must be evaluated before tsyringe (tsyringe throws otherwise); ESM evaluates imports in
 * order, and this is the only kernel module that imports tsyringe.
 */
import 'reflect-metadata';
import { container as globalContainer, type DependencyContainer } from 'tsyringe';
import { createError, ErrorCodes } from '../plugin-api/errors.js';
import type { PluginContainer, Provider } from '../plugin-api/PluginContainer.js';
import type { Token } from '../plugin-api/tokens.js';

export type { DependencyContainer };

/**
 * Creates the per-process root container: a child of tsyringe's global container, so that nothing this
 * process registers leaks into the global one (which plugins must never touch).
 */
export function createContainer(): DependencyContainer {
  return globalContainer.createChildContainer();
}

/** A readable name for a token in error messages. */
export function describeToken(token: Token): string {
  return typeof token === 'symbol' ? (token.description ?? token.toString()) : String(token);
}

/**
 * Adapts a tsyringe container to the `PluginContainer` interface plugins see.
 *
 * - `register` with `useValue` stores the value; with `useFactory` the factory runs once, on first resolve,
 *   and its result is kept for this registration (singleton per container). The factory gets the container
 *   the token was resolved from, adapted the same way.
 * - `resolve` throws a `D7Y_ERR_NOT_FOUND` coded error for an unknown token (here or in any parent).
 * - `isRegistered` looks at this container and its parents.
 */
export function toPluginContainer(dc: DependencyContainer): PluginContainer {
  return {
    register<T>(token: Token, provider: Provider<T>): void {
      if ('useValue' in provider) {
        dc.register<T>(token, { useValue: provider.useValue });
        return;
      }
      if (typeof provider.useFactory !== 'function') {
        throw createError(ErrorCodes.INVALID_ARGUMENT, `provider for ${describeToken(token)} has neither useValue nor a useFactory function`);
      }
      const factory = provider.useFactory;
      let made = false;
      let instance: T | undefined;
      dc.register<T>(token, {
        useFactory: (from) => {
          if (!made) {
            instance = factory(toPluginContainer(from));
            made = true;
          }
          return instance as T;
        },
      });
    },
    resolve<T>(token: Token): T {
      if (!dc.isRegistered(token, true)) {
        throw createError(ErrorCodes.NOT_FOUND, `nothing is registered for token ${describeToken(token)}`, {
          details: { token: describeToken(token) },
        });
      }
      return dc.resolve<T>(token);
    },
    isRegistered(token: Token): boolean {
      return dc.isRegistered(token, true);
    },
  };
}
