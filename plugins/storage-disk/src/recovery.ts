/**
 * Start-up of the store: wipe it (`keep: false`, Dragonfly's default) or recover what a previous run left
 * (`keep: true`).
 *
 * Recovery rules, which rely on the write order data → fdatasync → journal record → fdatasync:
 * - temporary files (`*.tmp-*`) are removed;
 * - a task whose task file is missing or damaged, whose journal is missing or has no valid header, or whose
 *   content file is missing is dropped with all of its files;
 * - a journal is read up to its first torn, damaged, duplicate or out-of-geometry record and cut there; the
 *   records before it are trusted without re-reading the content, because each was appended only after its
 *   bytes were synced;
 * - a task whose content file is shorter than the end of a recorded piece is dropped (the content was damaged
 *   outside the engine's control);
 * - a task marked finished whose journal no longer holds every piece loses its finished mark (and digest);
 * - content files and journals without a task file are removed.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { Logger, PieceRecord } from '@d7y/core/plugin-api';

import { TMP_MARKER } from './atomicFile.js';
import { errnoCode } from './fsErrors.js';
import { pieceMisfit } from './geometry.js';
import { PieceJournal } from './PieceJournal.js';
import { isTaskId, JOURNAL_FILE_SUFFIX, TASK_FILE_SUFFIX, type StoragePaths } from './paths.js';
import type { StoredTask, TaskMetadataStore } from './TaskMetadataStore.js';
import { TaskState } from './TaskState.js';

/** Tasks recovered concurrently. */
const RECOVERY_CONCURRENCY = 16;

/** What recovery did. */
export interface RecoveryReport {
  readonly tasks: Map<string, TaskState>;
  /** Tasks dropped, with the reason. */
  readonly dropped: Array<{ readonly id: string; readonly reason: string }>;
  /** Journals whose tail was cut, with the bytes cut. */
  readonly truncated: Array<{ readonly id: string; readonly bytes: number }>;
  /** Temporary and orphaned files removed. */
  removedFiles: number;
}

/** Removes every content and metadata file and recreates the empty folders. */
export async function wipeStore(paths: StoragePaths): Promise<void> {
  await rm(paths.content, { recursive: true, force: true });
  await rm(paths.metadata, { recursive: true, force: true });
  await ensureFolders(paths);
}

/** Creates the top-level folders if missing. */
export async function ensureFolders(paths: StoragePaths): Promise<void> {
  await mkdir(paths.contentTasks, { recursive: true });
  await mkdir(paths.metadataTasks, { recursive: true });
}

/** Recovers the tasks a previous run left, following the rules above. */
export async function recoverStore(paths: StoragePaths, store: TaskMetadataStore, logger: Logger): Promise<RecoveryReport> {
  await ensureFolders(paths);
  const report: RecoveryReport = { tasks: new Map(), dropped: [], truncated: [], removedFiles: 0 };
  const taskIds = new Set<string>();
  const journals = new Set<string>();
  await forEachShardFile(paths.metadataTasks, logger, async (dir, name) => {
    if (name.includes(TMP_MARKER)) return remove(join(dir, name), report);
    const id = stripSuffix(name, TASK_FILE_SUFFIX) ?? stripSuffix(name, JOURNAL_FILE_SUFFIX);
    if (id === undefined || !isTaskId(id) || !dir.endsWith(id.slice(0, 3))) {
      logger.warn({ file: join(dir, name) }, 'unexpected file in storage metadata; left alone');
      return;
    }
    if (name.endsWith(TASK_FILE_SUFFIX)) taskIds.add(id);
    else journals.add(id);
  });

  await eachLimited([...taskIds], RECOVERY_CONCURRENCY, async (id) => {
    const outcome = await recoverTask(paths, store, id).catch((error: unknown) => ({ reason: `recovery failed: ${(error as Error).message}` }));
    if ('state' in outcome) {
      report.tasks.set(id, outcome.state);
      if (outcome.droppedBytes > 0) report.truncated.push({ id, bytes: outcome.droppedBytes });
      return;
    }
    report.dropped.push({ id, reason: outcome.reason });
    await Promise.all([store.remove(id), rm(paths.journalFile(id), { force: true }), rm(paths.contentFile(id), { force: true })]);
  });

  for (const id of journals) {
    if (!taskIds.has(id)) await remove(paths.journalFile(id), report);
  }
  await forEachShardFile(paths.contentTasks, logger, async (dir, name) => {
    if (name.includes(TMP_MARKER) || (isTaskId(name) && !report.tasks.has(name))) return remove(join(dir, name), report);
    if (!isTaskId(name)) logger.warn({ file: join(dir, name) }, 'unexpected file in storage content; left alone');
  });
  return report;
}

type TaskOutcome = { state: TaskState; droppedBytes: number } | { reason: string };

async function recoverTask(paths: StoragePaths, store: TaskMetadataStore, id: string): Promise<TaskOutcome> {
  let stored: StoredTask | undefined;
  try {
    stored = await store.read(id);
  } catch (error) {
    return { reason: (error as Error).message };
  }
  if (!stored) return { reason: 'task file vanished' };
  let contentSize: number;
  try {
    contentSize = (await stat(paths.contentFile(id))).size;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { reason: 'content file missing' };
    throw error;
  }
  const task = stored;
  const seen = new Set<number>();
  const accept = (record: PieceRecord) => {
    if (seen.has(record.number) || pieceMisfit(task, record) !== undefined) return false;
    seen.add(record.number);
    return true;
  };
  let opened;
  try {
    opened = await PieceJournal.open(paths.journalFile(id), id, accept);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { reason: 'piece journal missing' };
    return { reason: (error as Error).message };
  }
  const { journal, records, droppedBytes } = opened;
  const end = records.reduce((max, record) => Math.max(max, record.offset + record.length), 0);
  if (end > contentSize) {
    await journal.close();
    return { reason: `content file is ${contentSize} bytes but recorded pieces reach ${end}` };
  }
  if (stored.finishedAt !== undefined && (stored.contentLength < 0 || records.length !== stored.pieceCount)) {
    const { finishedAt: _finished, digest: _digest, ...rest } = stored;
    stored = rest;
    try {
      await store.write(stored);
    } catch (error) {
      await journal.close();
      throw error;
    }
  }
  return { state: new TaskState(stored, journal, records), droppedBytes };
}

async function forEachShardFile(root: string, logger: Logger, visit: (dir: string, name: string) => Promise<void>): Promise<void> {
  for (const shard of await readdir(root, { withFileTypes: true })) {
    const dir = join(root, shard.name);
    if (!shard.isDirectory() || !/^[0-9a-f]{3}$/.test(shard.name)) {
      logger.warn({ file: dir }, 'unexpected entry in storage; left alone');
      continue;
    }
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isFile()) await visit(dir, entry.name);
      else logger.warn({ file: join(dir, entry.name) }, 'unexpected entry in storage; left alone');
    }
  }
}

async function remove(path: string, report: { removedFiles: number }): Promise<void> {
  await rm(path, { force: true });
  report.removedFiles++;
}

function stripSuffix(name: string, suffix: string): string | undefined {
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
}

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
