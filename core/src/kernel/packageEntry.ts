/**
 * Package and folder resolution, by hand: `import()` cannot import a folder, and a built-in must be found
 * (or found absent) before any of its code runs, so that "not installed" never depends on parsing errors.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { createError, ErrorCodes } from '../plugin-api/errors.js';

/** The fields of a package.json the loader reads. */
export interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly type?: string;
  readonly exports?: unknown;
  readonly module?: unknown;
  readonly main?: unknown;
  readonly d7y?: unknown;
}

/** Conditions honoured in `exports`, as Node's `import()` would (the first matching key in object order wins). */
const IMPORT_CONDITIONS = new Set(['import', 'node', 'default']);

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/**
 * Finds the folder of an installed package by walking `node_modules` folders up from `fromDir`, the way
 * Node's resolver does. Returns its real path (workspace packages are symlinks), or undefined if the package
 * is not installed.
 */
export async function findPackageDir(specifier: string, fromDir: string): Promise<string | undefined> {
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(specifier)) {
    throw createError(ErrorCodes.PLUGIN_LOAD, `'${specifier}' is not a package name`);
  }
  let dir = resolve(fromDir);
  for (;;) {
    const candidate = join(dir, 'node_modules', specifier);
    if (await isFile(join(candidate, 'package.json'))) return realpath(candidate);
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads and parses `<dir>/package.json`; a malformed file is a `D7Y_ERR_PLUGIN_INVALID` error. */
export async function readPackageJson(dir: string): Promise<PackageJson> {
  const file = join(dir, 'package.json');
  const text = await readFile(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw createError(ErrorCodes.PLUGIN_INVALID, `${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw createError(ErrorCodes.PLUGIN_INVALID, `${file} does not hold a JSON object`);
  }
  return parsed as PackageJson;
}

function pickTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const target = pickTarget(item);
      if (target !== undefined) return target;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [condition, nested] of Object.entries(value)) {
      if (IMPORT_CONDITIONS.has(condition)) return pickTarget(nested);
    }
  }
  return undefined;
}

/** The target of `exports['.']` for `import()`: a string, or the `import`/`node`/`default` condition. */
export function exportsRootTarget(exportsField: unknown): string | undefined {
  if (typeof exportsField === 'object' && exportsField !== null && !Array.isArray(exportsField)) {
    const keys = Object.keys(exportsField);
    if (keys.some((key) => key.startsWith('.'))) return pickTarget((exportsField as Record<string, unknown>)['.']);
  }
  return pickTarget(exportsField);
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The file `import()` should load for a package or plugin folder: `exports['.']` (string or
 * `import`/`node`/`default` condition), else `module`, else `main` (with `.js` and `/index.js` tried as Node
 * does for legacy `main`), else `index.js`. Fails with `D7Y_ERR_PLUGIN_INVALID` for an entry that escapes the
 * folder or `exports` without a usable `.`, and `D7Y_ERR_PLUGIN_LOAD` for an entry file that does not exist.
 */
export async function resolvePackageEntry(dir: string, pkg: PackageJson): Promise<string> {
  let field: string;
  let targets: string[];
  if (pkg.exports !== undefined && pkg.exports !== null) {
    const target = exportsRootTarget(pkg.exports);
    if (target === undefined) {
      throw createError(ErrorCodes.PLUGIN_INVALID, `package.json "exports" has no "." entry usable by import() (conditions import, node, default)`);
    }
    field = 'exports';
    targets = [target];
  } else {
    const legacy = typeof pkg.module === 'string' ? 'module' : typeof pkg.main === 'string' ? 'main' : undefined;
    if (legacy === undefined) {
      field = 'default index.js';
      targets = ['index.js'];
    } else {
      field = legacy;
      const target = pkg[legacy] as string;
      targets = [target, `${target}.js`, join(target, 'index.js')];
    }
  }
  for (const target of targets) {
    const path = resolve(dir, target);
    if (!inside(dir, path)) {
      throw createError(ErrorCodes.PLUGIN_INVALID, `package.json ${field} target '${target}' points outside the package folder`);
    }
    if (await isFile(path)) return path;
  }
  const expected = resolve(dir, targets[0]);
  throw createError(ErrorCodes.PLUGIN_LOAD, `entry file ${expected} (from package.json ${field}) does not exist; is the package built?`);
}
