/**
 * @d7y/plugin-database-redis: the `redis` database plugin. Provides a `SharedStateBackend` (cache, fixed-window
 * distributed rate limiter, FIFO job queues) on Redis through ioredis, configured with Dragonfly's
 * `database.redis` keys (see `config.ts`). Roles use it when `database.redis.addrs` is set and keep the
 * in-process backend otherwise.
 * @packageDocumentation
 */
import { definePlugin, TOKENS, type SharedStateBackend } from '@d7y/core/plugin-api';

import { redisConfigSchema, type RedisConfig } from './config.js';
import { RedisSharedState } from './RedisSharedState.js';

export { RedisSharedState, type RedisSharedStateOptions } from './RedisSharedState.js';
export { parseAddr, REDIS_DEFAULTS, redisConfigSchema, resolveRedisConfig, type RedisConfig, type RedisTlsConfig } from './config.js';
export { redact, translateRedisError } from './errors.js';

/**
 * The plugin: registers a factory for `TOKENS.SharedStateBackend` that builds a `RedisSharedState` on first
 * resolve (no I/O before the first call). Resolving it with empty `addrs` fails `D7Y_ERR_FAILED_PRECONDITION`.
 */
export default definePlugin<RedisConfig>({
  kind: 'database',
  name: 'redis',
  apiVersion: '1.0',
  configSchema: redisConfigSchema,
  register({ container, config, logger }) {
    container.register<SharedStateBackend>(TOKENS.SharedStateBackend, {
      useFactory: () => new RedisSharedState({ ...config, logger: logger.child({ component: 'shared-state' }) }),
    });
  },
});
