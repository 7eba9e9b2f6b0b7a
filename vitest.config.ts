import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Cross-package imports resolve to sources, so tests never run against a stale build.
    alias: [
      { find: /^@d7y\/core\/plugin-api$/, replacement: here('./core/src/plugin-api/index.ts') },
      { find: /^@d7y\/core$/, replacement: here('./core/src/index.ts') },
      { find: /^@d7y\/proto$/, replacement: here('./proto/src/index.ts') },
    ],
  },
  test: {
    include: ['{core,proto,console,plugins/*}/src/**/*.test.ts', 'test/{unit,integration,e2e}/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
