/**
 * Builds plain-JS copies of this plugin and of the plugin API into a folder, for child processes (which cannot
 * run TypeScript). Uses `ts.transpileModule` (no type check, no dependence on `tsc -b` or on the state of other
 * packages' builds) and points the plugin's `@d7y/core/plugin-api` imports at the transpiled copy.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

async function transpileFolder(source: string, target: string, rewrite: (code: string) => string): Promise<void> {
  for (const file of await readdir(source, { recursive: true })) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts') || file.endsWith('.d.ts')) continue;
    const { outputText } = ts.transpileModule(await readFile(join(source, file), 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const out = join(target, file.replace(/\.ts$/, '.js'));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, rewrite(outputText));
  }
}

/** Transpiles into `outDir`; returns the path of the plugin's `index.js`. */
export async function transpilePlugin(outDir: string): Promise<string> {
  await transpileFolder(join(ROOT, 'core/src/plugin-api'), join(outDir, 'plugin-api'), (code) => code);
  await transpileFolder(join(ROOT, 'plugins/storage-disk/src'), join(outDir, 'disk'), (code) =>
    code.replaceAll(`'@d7y/core/plugin-api'`, `'../plugin-api/index.js'`),
  );
  await writeFile(join(outDir, 'package.json'), '{"type":"module"}');
  return join(outDir, 'disk', 'index.js');
}
