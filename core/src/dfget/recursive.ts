/**
 * `dfget -r URL -O DIR`: lists the directory once, keeps the files matching `--include-files`, and downloads
 * each as a task of its own, at most `--max-concurrent-requests` at a time, into DIR under its relative path.
 * One file failing does not stop the others; the summary names every failure.
 */
import { lstat, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

import { createError, ErrorCodes } from '../common/errors.js';
import { redactUrl } from '../common/ids.js';
import type { SourceEntry } from '../plugin-api/index.js';
import { directoryUrl, outputPathFor, relativeEntryPath } from './entryPath.js';
import { includeMatcher } from './glob.js';
import type { DfgetOptions } from './options.js';
import { formatBytes } from './progress.js';

/** How the listing and the single-file downloads are done (through the daemon, or straight from the source). */
export interface DirectoryTransport {
  /** The directory's entries, recursively. */
  list(): Promise<SourceEntry[]>;
  /** Downloads one entry to `output`; resolves with its size in bytes. */
  download(entryUrl: string, output: string): Promise<number>;
}

/** What a recursive download did. */
export interface DirectorySummary {
  /** Files selected for download (after `--include-files`). */
  selected: number;
  downloaded: number;
  bytes: number;
  /** Relative path (or URL) and reason of each failure. */
  failures: Array<{ path: string; reason: string }>;
}

/** One line for the user, then one per failure. */
export function formatSummary(summary: DirectorySummary, dir: string): string {
  const lines = [`dfget: downloaded ${summary.downloaded} of ${summary.selected} files (${formatBytes(summary.bytes)}) to ${dir}${summary.failures.length ? `; ${summary.failures.length} failed` : ''}`];
  for (const failure of summary.failures) lines.push(`  - ${failure.path}: ${failure.reason}`);
  return lines.join('\n');
}

/**
 * Runs a recursive download. Throws `D7Y_ERR_INVALID_ARGUMENT` when DIR exists and is not a directory, and
 * `D7Y_ERR_RESOURCE_EXHAUSTED` when more files than `--max-files` are selected; otherwise resolves with the
 * summary, failures included.
 */
export async function downloadDirectory(options: DfgetOptions, transport: DirectoryTransport): Promise<DirectorySummary> {
  const existing = await lstat(options.output).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw createError(ErrorCodes.INVALID_ARGUMENT, `-O, --output: ${options.output} exists and is not a directory`);
  const base = directoryUrl(options.url);
  const include = includeMatcher(options.includeFiles);
  const failures: DirectorySummary['failures'] = [];
  const selected: Array<{ url: string; path: string; output: string }> = [];
  for (const entry of await transport.list()) {
    if (entry.isDir) continue;
    let path: string;
    let output: string;
    try {
      path = relativeEntryPath(base, entry.url);
      output = outputPathFor(options.output, path);
    } catch (error) {
      failures.push({ path: redactUrl(entry.url), reason: (error as Error).message });
      continue;
    }
    if (include(path)) selected.push({ url: entry.url, path, output });
  }
  if (selected.length > options.maxFiles) {
    throw createError(
      ErrorCodes.RESOURCE_EXHAUSTED,
      `${redactUrl(options.url)} has ${selected.length} files to download, more than --max-files ${options.maxFiles}; narrow it with --include-files or raise --max-files`,
    );
  }
  const summary: DirectorySummary = { selected: selected.length + failures.length, downloaded: 0, bytes: 0, failures };
  let next = 0;
  const worker = async () => {
    while (next < selected.length) {
      const item = selected[next++]!;
      try {
        await mkdir(dirname(item.output), { recursive: true });
        summary.bytes += await transport.download(item.url, item.output);
        summary.downloaded++;
      } catch (error) {
        failures.push({ path: item.path, reason: (error as Error).message });
      }
    }
  };
  await mkdir(options.output, { recursive: true });
  await Promise.all(Array.from({ length: Math.min(options.maxConcurrentRequests, Math.max(1, selected.length)) }, worker));
  return summary;
}
