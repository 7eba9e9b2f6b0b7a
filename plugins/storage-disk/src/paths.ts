/**
 * Where the engine keeps things under `storage.dir` (Dragonfly's layout, metadata as files instead of RocksDB):
 *
 * ```
 * content/tasks/<id[0:3]>/<id>                 sparse content file, pieces at their offsets
 * metadata/tasks/<id[0:3]>/<id>.json           task record, replaced atomically
 * metadata/tasks/<id[0:3]>/<id>.pieces         append-only piece journal
 * ```
 *
 * Every path is built from a validated task id, so no caller-supplied text ever reaches the filesystem.
 */
import { join } from 'node:path';

import { createError, ErrorCodes } from '@d7y/core/plugin-api';

const TASK_ID = /^[0-9a-f]{64}$/;

/** Suffix of task metadata files. */
export const TASK_FILE_SUFFIX = '.json';
/** Suffix of piece journals. */
export const JOURNAL_FILE_SUFFIX = '.pieces';

/** True for a 64-character lower-case hex task id. */
export function isTaskId(value: unknown): value is string {
  return typeof value === 'string' && TASK_ID.test(value);
}

/** Throws `D7Y_ERR_INVALID_ARGUMENT` unless `value` is a 64-character lower-case hex task id. */
export function assertTaskId(value: unknown): asserts value is string {
  if (!isTaskId(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw createError(ErrorCodes.INVALID_ARGUMENT, `invalid task id ${shown}: expected 64 lower-case hex characters`);
  }
}

/** Paths of the engine's files under one storage root. */
export class StoragePaths {
  /** `<root>/content`. */
  readonly content: string;
  /** `<root>/metadata`. */
  readonly metadata: string;
  /** `<root>/content/tasks`: one shard folder per 3-hex-digit prefix. */
  readonly contentTasks: string;
  /** `<root>/metadata/tasks`. */
  readonly metadataTasks: string;

  constructor(readonly root: string) {
    this.content = join(root, 'content');
    this.metadata = join(root, 'metadata');
    this.contentTasks = join(this.content, 'tasks');
    this.metadataTasks = join(this.metadata, 'tasks');
  }

  /** Shard folder of a task's content file. */
  contentDir(taskId: string): string {
    return join(this.contentTasks, shard(taskId));
  }

  /** The task's content file. */
  contentFile(taskId: string): string {
    return join(this.contentDir(taskId), checked(taskId));
  }

  /** Shard folder of a task's metadata files. */
  metadataDir(taskId: string): string {
    return join(this.metadataTasks, shard(taskId));
  }

  /** The task's metadata file. */
  taskFile(taskId: string): string {
    return join(this.metadataDir(taskId), checked(taskId) + TASK_FILE_SUFFIX);
  }

  /** The task's piece journal. */
  journalFile(taskId: string): string {
    return join(this.metadataDir(taskId), checked(taskId) + JOURNAL_FILE_SUFFIX);
  }
}

function checked(taskId: string): string {
  assertTaskId(taskId);
  return taskId;
}

function shard(taskId: string): string {
  return checked(taskId).slice(0, 3);
}
