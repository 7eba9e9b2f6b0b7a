/** Crash-safe small-file replacement and directory syncs. */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Marker in the names of temporary files; `open()` sweeps every file whose name contains it. */
export const TMP_MARKER = '.tmp-';

let counter = 0;

/** Makes a directory's entries (creations, renames) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `data` so that after a crash the file holds either the old or the new content, never a
 * mix: write a temporary sibling, fsync it, rename it over `path`, fsync the directory.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `${basename(path)}${TMP_MARKER}${process.pid}-${++counter}`);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dir);
}
