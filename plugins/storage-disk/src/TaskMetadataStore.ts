/**
 * Task records on disk: one small JSON file per task (`metadata/tasks/<id[0:3]>/<id>.json`), replaced
 * atomically (tmp → fsync → rename → fsync dir) whenever the task's own fields change. Piece state is not in
 * this file (see `PieceJournal`), so storing a piece never rewrites it.
 */
import { readFile, rm } from 'node:fs/promises';

import { createError, ErrorCodes } from '@d7y/core/plugin-api';

import { writeFileAtomic } from './atomicFile.js';
import { parseDigest } from './digest.js';
import { errnoCode } from './fsErrors.js';
import type { StoragePaths } from './paths.js';

/** Format version written into every task file. */
export const TASK_FILE_VERSION = 1;

/** The persisted fields of a task (piece counts and piece times come from the journal). */
export interface StoredTask {
  readonly id: string;
  readonly url: string;
  readonly pieceLength: number;
  readonly contentLength: number;
  readonly pieceCount: number;
  readonly responseHeader: Readonly<Record<string, string>>;
  readonly digest?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly finishedAt?: number;
  readonly failedAt?: number;
}

/** Reads, writes and removes task files. */
export class TaskMetadataStore {
  constructor(private readonly paths: StoragePaths) {}

  /** Durably replaces the task's file. */
  async write(task: StoredTask): Promise<void> {
    await writeFileAtomic(this.paths.taskFile(task.id), JSON.stringify({ v: TASK_FILE_VERSION, ...task }));
  }

  /** The stored task, undefined when the file is missing; `D7Y_ERR_DATA_CORRUPTED` when it is malformed. */
  async read(taskId: string): Promise<StoredTask | undefined> {
    let text: string;
    try {
      text = await readFile(this.paths.taskFile(taskId), 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    }
    return parseStoredTask(text, taskId);
  }

  /** Removes the task's file; a missing file is fine. */
  async remove(taskId: string): Promise<void> {
    await rm(this.paths.taskFile(taskId), { force: true });
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Parses and checks a task file's text; throws `D7Y_ERR_DATA_CORRUPTED` naming the first problem. */
export function parseStoredTask(text: string, taskId: string): StoredTask {
  const fail = (what: string) => createError(ErrorCodes.DATA_CORRUPTED, `task file of ${taskId} is damaged: ${what}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw fail('not JSON');
  }
  if (!isRecord(raw)) throw fail('not an object');
  if (raw.v !== TASK_FILE_VERSION) throw fail(`unsupported version ${JSON.stringify(raw.v)}`);
  if (raw.id !== taskId) throw fail('id does not match the file name');
  if (typeof raw.url !== 'string') throw fail('url');
  if (typeof raw.pieceLength !== 'number' || !Number.isSafeInteger(raw.pieceLength) || raw.pieceLength <= 0) throw fail('pieceLength');
  if (typeof raw.contentLength !== 'number' || !Number.isSafeInteger(raw.contentLength) || raw.contentLength < -1) throw fail('contentLength');
  if (typeof raw.pieceCount !== 'number' || !Number.isSafeInteger(raw.pieceCount) || raw.pieceCount < 0) throw fail('pieceCount');
  const header = raw.responseHeader;
  if (!isRecord(header) || !Object.values(header).every((value) => typeof value === 'string')) throw fail('responseHeader');
  if (!isTime(raw.createdAt) || !isTime(raw.updatedAt)) throw fail('createdAt/updatedAt');
  if (raw.finishedAt !== undefined && !isTime(raw.finishedAt)) throw fail('finishedAt');
  if (raw.failedAt !== undefined && !isTime(raw.failedAt)) throw fail('failedAt');
  if (raw.digest !== undefined) {
    try {
      parseDigest(raw.digest as string);
    } catch {
      throw fail('digest');
    }
  }
  return {
    id: taskId,
    url: raw.url,
    pieceLength: raw.pieceLength,
    contentLength: raw.contentLength,
    pieceCount: raw.pieceCount,
    responseHeader: { ...(header as Record<string, string>) },
    createdAt: raw.createdAt,
    updatedAt: raw.updatedAt,
    ...(raw.digest !== undefined ? { digest: raw.digest as string } : {}),
    ...(raw.finishedAt !== undefined ? { finishedAt: raw.finishedAt } : {}),
    ...(raw.failedAt !== undefined ? { failedAt: raw.failedAt } : {}),
  };
}
