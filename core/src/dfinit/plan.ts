/**
 * What `d7y init` writes: a list of files with their wanted content, applied idempotently (a file already equal
 * is left alone) and atomically (temp file + rename), or shown as a diff with `--dry-run`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { unifiedDiff } from './diff.js';

/** One file and the content it should have. */
export interface PlannedFile {
  path: string;
  content: string;
  mode?: number;
}

/** What happened (or would happen) to one file. */
export interface FileChange {
  path: string;
  action: 'create' | 'update' | 'unchanged';
  /** Unified diff from the current content to the planned one (empty when unchanged). */
  diff: string;
}

/** Reads a file, or '' when it does not exist. */
export async function readIfExists(path: string): Promise<string> {
  return existsSync(path) ? readFile(path, 'utf8') : '';
}

/** Compares each planned file with the disk and, unless `dryRun`, writes those that differ. */
export async function applyPlan(files: readonly PlannedFile[], options: { dryRun: boolean }): Promise<FileChange[]> {
  const changes: FileChange[] = [];
  for (const file of files) {
    const exists = existsSync(file.path);
    const current = exists ? await readFile(file.path, 'utf8') : '';
    if (exists && current === file.content) {
      changes.push({ path: file.path, action: 'unchanged', diff: '' });
      continue;
    }
    changes.push({ path: file.path, action: exists ? 'update' : 'create', diff: unifiedDiff(file.path, exists ? current : undefined, file.content) });
    if (options.dryRun) continue;
    await mkdir(dirname(file.path), { recursive: true });
    const temporary = `${file.path}.d7y-init.tmp`;
    await writeFile(temporary, file.content, { mode: file.mode ?? 0o644 });
    await rename(temporary, file.path);
  }
  return changes;
}
