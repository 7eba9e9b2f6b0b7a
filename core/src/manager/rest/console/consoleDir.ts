/**
 * Where the built web console lives. The console is the workspace package `@d7y/console`; its `vite build`
 * writes `dist/` with `index.html` and hashed files under `dist/assets/`. The manager serves that directory at
 * `/` on its REST port when it is found.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The console's build directory (`<@d7y/console>/dist`), or undefined when the package is not installed or
 * has not been built (`npm run build` builds it).
 */
export function resolveConsoleDir(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@d7y/console/package.json');
    const dir = join(dirname(manifest), 'dist');
    return existsSync(join(dir, 'index.html')) ? dir : undefined;
  } catch {
    return undefined;
  }
}
