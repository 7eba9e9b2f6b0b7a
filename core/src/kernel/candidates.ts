/**
 * Step 1 of the pipeline: collect candidates. Built-ins are package specifiers found (or not) under
 * `node_modules`; pluginDir slots are scanned for `.js`/`.mjs`/`.cjs` files and folders with a package.json.
 * Nothing is imported here.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ErrorCodes } from '../plugin-api/errors.js';
import type { Logger } from '../plugin-api/Logger.js';
import type { PluginKind } from '../plugin-api/definePlugin.js';
import { findPackageDir } from './packageEntry.js';
import type { BuiltinPlugin, IgnoredEntry, NotInstalledPlugin, PluginFailure, PluginOrigin, PluginSlot } from './types.js';

/** File extensions `import()` loads as plugins. */
export const PLUGIN_FILE_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs'];

/** A plugin found on disk, not yet imported. */
export interface PluginCandidate {
  readonly origin: PluginOrigin;
  /** `package`: an installed built-in; `folder`: a pluginDir folder with package.json; `file`: a pluginDir file. */
  readonly form: 'package' | 'folder' | 'file';
  /** The package folder (built-ins) or the pluginDir entry (file or folder). */
  readonly path: string;
  /** The package specifier, for built-ins. */
  readonly specifier?: string;
  /** The kind the plugin must have (from the built-in list or the slot). */
  readonly expectedKind?: PluginKind;
  /** The slot a pluginDir candidate was found in. */
  readonly slot?: string;
}

/** What collecting found. */
export interface CandidateScan {
  readonly candidates: PluginCandidate[];
  readonly notInstalled: NotInstalledPlugin[];
  readonly ignored: IgnoredEntry[];
  readonly failures: PluginFailure[];
}

async function statOrUndefined(path: string) {
  return stat(path).catch(() => undefined);
}

async function hasPackageJson(dir: string): Promise<boolean> {
  return (await statOrUndefined(join(dir, 'package.json')))?.isFile() ?? false;
}

/** Finds each built-in package; absent optional ones go to `notInstalled`, absent required ones fail. */
export async function collectBuiltins(builtins: readonly BuiltinPlugin[], resolveFrom: string, scan: CandidateScan, logger: Logger): Promise<void> {
  for (const builtin of builtins) {
    let dir: string | undefined;
    try {
      dir = await findPackageDir(builtin.specifier, resolveFrom);
    } catch (err) {
      scan.failures.push({ origin: 'builtin', specifier: builtin.specifier, from: builtin.specifier, code: ErrorCodes.PLUGIN_LOAD, reason: (err as Error).message, cause: err });
      continue;
    }
    if (dir !== undefined) {
      scan.candidates.push({ origin: 'builtin', form: 'package', path: dir, specifier: builtin.specifier, expectedKind: builtin.kind });
    } else if (builtin.optional) {
      scan.notInstalled.push({ specifier: builtin.specifier, kind: builtin.kind });
      logger.debug({ specifier: builtin.specifier, kind: builtin.kind }, 'optional built-in plugin not installed; skipped');
    } else {
      scan.failures.push({
        origin: 'builtin',
        specifier: builtin.specifier,
        from: builtin.specifier,
        code: ErrorCodes.PLUGIN_LOAD,
        reason: `required built-in plugin package ${builtin.specifier} is not installed (no node_modules/${builtin.specifier} above ${resolveFrom})`,
      });
    }
  }
}

async function scanSingleEntry(slot: PluginSlot & { entry: string }, scan: CandidateScan): Promise<void> {
  const found: PluginCandidate[] = [];
  for (const ext of PLUGIN_FILE_EXTENSIONS) {
    const path = join(slot.dir, slot.entry + ext);
    if ((await statOrUndefined(path))?.isFile()) found.push({ origin: 'pluginDir', form: 'file', path, expectedKind: slot.kind, slot: slot.name });
  }
  const folder = join(slot.dir, slot.entry);
  if ((await statOrUndefined(folder))?.isDirectory()) {
    if (!(await hasPackageJson(folder))) {
      scan.failures.push({ origin: 'pluginDir', from: folder, code: ErrorCodes.PLUGIN_LOAD, reason: `plugin folder has no package.json (slot ${slot.name})` });
      return;
    }
    found.push({ origin: 'pluginDir', form: 'folder', path: folder, expectedKind: slot.kind, slot: slot.name });
  }
  if (found.length > 1) {
    scan.failures.push({
      origin: 'pluginDir',
      from: found[0].path,
      code: ErrorCodes.PLUGIN_DUPLICATE,
      reason: `slot ${slot.name} takes one entry but found ${found.length}: ${found.map((c) => c.path).join(', ')}`,
    });
  } else if (found.length === 1) {
    scan.candidates.push(found[0]);
  }
}

async function scanAllEntries(slot: PluginSlot, scan: CandidateScan, logger: Logger): Promise<void> {
  const names = (await readdir(slot.dir)).sort();
  const ignore = (path: string, reason: string) => {
    scan.ignored.push({ path, reason });
    logger.debug({ path, slot: slot.name, reason }, 'pluginDir entry ignored');
  };
  for (const name of names) {
    const path = join(slot.dir, name);
    if (name.startsWith('.')) {
      ignore(path, 'dotfile');
      continue;
    }
    const info = await statOrUndefined(path);
    if (info === undefined) {
      ignore(path, 'unreadable or broken link');
    } else if (info.isFile()) {
      if (PLUGIN_FILE_EXTENSIONS.includes(extname(name))) {
        scan.candidates.push({ origin: 'pluginDir', form: 'file', path, expectedKind: slot.kind, slot: slot.name });
      } else {
        ignore(path, `not a ${PLUGIN_FILE_EXTENSIONS.join('/')} file`);
      }
    } else if (info.isDirectory()) {
      if (name === 'node_modules') ignore(path, 'dependency folder');
      else if (await hasPackageJson(path)) scan.candidates.push({ origin: 'pluginDir', form: 'folder', path, expectedKind: slot.kind, slot: slot.name });
      else ignore(path, 'folder without package.json');
    } else {
      ignore(path, 'not a file or folder');
    }
  }
}

function expectedEntries(slot: PluginSlot): string {
  return slot.entry === undefined
    ? `any ${PLUGIN_FILE_EXTENSIONS.join('/')} file or folder with package.json in ${slot.dir}`
    : `${join(slot.dir, slot.entry)}{${PLUGIN_FILE_EXTENSIONS.join(',')}} or folder ${join(slot.dir, slot.entry)}/`;
}

/** Scans each pluginDir slot. A missing slot directory is not an error unless the slot is required. */
export async function collectSlots(slots: readonly PluginSlot[], scan: CandidateScan, logger: Logger): Promise<void> {
  for (const slot of slots) {
    const candidatesBefore = scan.candidates.length;
    const failuresBefore = scan.failures.length;
    if (!(await statOrUndefined(slot.dir))?.isDirectory()) {
      logger.debug({ slot: slot.name, dir: slot.dir }, 'pluginDir slot directory does not exist; nothing to load');
    } else {
      try {
        if (slot.entry !== undefined) await scanSingleEntry({ ...slot, entry: slot.entry }, scan);
        else await scanAllEntries(slot, scan, logger);
      } catch (err) {
        scan.failures.push({ origin: 'pluginDir', from: slot.dir, code: ErrorCodes.PLUGIN_LOAD, reason: `cannot scan slot ${slot.name}: ${(err as Error).message}`, cause: err });
      }
    }
    if (slot.required && scan.candidates.length === candidatesBefore && scan.failures.length === failuresBefore) {
      scan.failures.push({
        origin: 'pluginDir',
        from: slot.entry === undefined ? slot.dir : join(slot.dir, slot.entry),
        code: ErrorCodes.PLUGIN_LOAD,
        reason: `required ${slot.kind} plugin not found (slot ${slot.name}): expected ${expectedEntries(slot)}`,
      });
    }
  }
}
