import { createError, definePlugin, ErrorCodes, TOKENS } from '@d7y/core/plugin-api';

/**
 * Skeleton: the package, manifest and registration are in place so every role loads it through the kernel, but
 * the redis shared-state backend is not implemented in this release. Using it fails with D7Y_ERR_PLUGIN_UNAVAILABLE.
 */
export default definePlugin({
  kind: 'database',
  name: 'redis',
  apiVersion: '1.0',
  register({ container }) {
    container.register(TOKENS.SharedStateBackend, {
      useFactory: () => {
        throw createError(ErrorCodes.PLUGIN_UNAVAILABLE, 'the redis shared-state backend is not implemented in this release of d7y');
      },
    });
  },
});
