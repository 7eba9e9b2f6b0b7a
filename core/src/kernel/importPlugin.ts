/**
 * Step 3 of the pipeline: import the entry file exactly once and take its default export.
 *
 * There is one loader, `import()`, which loads ESM and CJS alike. A failed import is never retried through
 * another loader: that would run the plugin's side effects twice and hide the original error.
 */
import { pathToFileURL } from 'node:url';
import { createError, ErrorCodes } from '../plugin-api/errors.js';

/**
 * The specifier a module-not-found error is about (`ERR_MODULE_NOT_FOUND` from `import`,
 * `MODULE_NOT_FOUND` from a CJS `require`), or undefined for any other error.
 */
export function missingModuleOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const match = /Cannot find (?:package|module) '([^']+)'/.exec(String((err as Error).message));
  return match?.[1];
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}

/** Explains an import failure, telling a missing dependency apart from a missing entry and a throwing module. */
export function describeImportError(err: unknown, file: string): string {
  const missing = missingModuleOf(err);
  if (missing !== undefined) {
    if (missing === file || missing === pathToFileURL(file).href) return `entry file ${file} does not exist`;
    return `dependency '${missing}' is missing: ${firstLine((err as Error).message)}`;
  }
  if (err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)) {
    const { name, message } = err as Error;
    return `import threw: ${name && name !== 'Error' ? `${name}: ` : ''}${firstLine(String(message))}`;
  }
  return `import threw a non-error value: ${String(err)}`;
}

/**
 * Imports `file` once with `import()`; any failure becomes a `D7Y_ERR_PLUGIN_LOAD` error whose message says
 * whether a dependency is missing or the module threw while evaluating.
 */
export async function importOnce(file: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw createError(ErrorCodes.PLUGIN_LOAD, describeImportError(err, file), { cause: err });
  }
}

function hasBrand(value: unknown): boolean {
  return typeof value === 'object' && value !== null && '$$type' in value;
}

/**
 * The plugin value of a module namespace: its `default` export. For a CJS module `default` is
 * `module.exports`; when that object is a transpiled ES module (`exports.default = plugin`), its own
 * `default` is the plugin. Returns undefined when the module has no default export.
 */
export function pluginExportOf(namespace: Record<string, unknown>): unknown {
  const value = namespace.default;
  if (!hasBrand(value) && typeof value === 'object' && value !== null && hasBrand((value as { default?: unknown }).default)) {
    return (value as { default: unknown }).default;
  }
  return value;
}

/** Imports `file` and returns its plugin export; a module without a default export is `D7Y_ERR_PLUGIN_INVALID`. */
export async function importPluginExport(file: string): Promise<unknown> {
  const namespace = await importOnce(file);
  if (!('default' in namespace) || namespace.default === undefined) {
    const names = Object.keys(namespace).filter((key) => key !== '__esModule').sort();
    throw createError(
      ErrorCodes.PLUGIN_INVALID,
      `module has no default export (named exports: ${names.length > 0 ? names.join(', ') : 'none'}); default-export definePlugin({...})`,
    );
  }
  return pluginExportOf(namespace);
}
