/**
 * The last good scheduler list on disk (`<server.cacheDir>/dynconfig.json`), so that a dfdaemon restarted
 * while the manager is down still finds its schedulers. Written atomically (temp file + rename), mode 0600;
 * a missing or malformed file reads as nothing.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What is kept on disk. */
export interface SavedSchedulerList {
  readonly clusterId: number;
  readonly schedulers: string[];
  readonly savedAt: string;
}

/** Most addresses kept. */
export const MAX_SAVED_SCHEDULERS = 1000;

const ADDR = /^(\[[0-9a-fA-F:.]+\]|[0-9.]+|[A-Za-z0-9.-]+):\d{1,5}$/;

/** Saves the list. */
export async function saveSchedulerList(path: string, clusterId: number, schedulers: readonly string[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const body: SavedSchedulerList = { clusterId, schedulers: schedulers.slice(0, MAX_SAVED_SCHEDULERS), savedAt: new Date().toISOString() };
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(body), { mode: 0o600 });
  await rename(temp, path);
}

/** The saved list, or undefined when there is none usable. */
export async function loadSchedulerList(path: string): Promise<SavedSchedulerList | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
  const value = parsed as Partial<SavedSchedulerList> | null;
  if (!value || !Array.isArray(value.schedulers) || typeof value.clusterId !== 'number') return undefined;
  const schedulers = value.schedulers.filter((addr): addr is string => typeof addr === 'string' && ADDR.test(addr)).slice(0, MAX_SAVED_SCHEDULERS);
  if (schedulers.length === 0) return undefined;
  return { clusterId: value.clusterId, schedulers, savedAt: String(value.savedAt ?? '') };
}
