import { lstat } from 'node:fs/promises';

import { createError, ErrorCodes } from '../plugin-api/errors.js';
import { redactUrl } from '../common/ids.js';
import { connectDaemon, downloadViaDaemon, listEntriesViaDaemon } from './daemonClient.js';
import { downloadDirect } from './direct.js';
import type { DfgetOptions } from './options.js';
import { startDfgetTrace } from './tracing.js';
import { createProgress, formatBytes } from './progress.js';
import { downloadDirectory, formatSummary, type DirectoryTransport } from './recursive.js';

/**
 * dfget: downloads through the local dfdaemon; when none answers on the socket, downloads straight from the
 * source (with a warning) unless back-to-source is disabled.
 */
export async function runDfget(options: DfgetOptions): Promise<void> {
  const trace = await startDfgetTrace(options.url);
  try {
    await runTraced(options, trace.traceparent);
  } catch (error) {
    await trace.end(error);
    throw error;
  }
  await trace.end();
}

async function runTraced(options: DfgetOptions, traceparent: string | undefined): Promise<void> {
  if (options.recursive) return runRecursive(options);
  const existing = await lstat(options.output).catch(() => undefined);
  if (existing?.isDirectory()) throw createError(ErrorCodes.INVALID_ARGUMENT, `-O, --output: ${options.output} is a directory`);
  if (existing && !options.overwrite) {
    throw createError(ErrorCodes.ALREADY_EXISTS, `output file ${options.output} exists; pass --overwrite to replace it`);
  }
  const progress = createProgress(options.progress, 'dfget');
  const client = await connectDaemon(options.endpoint);
  if (client) {
    try {
      const result = await downloadViaDaemon(client, options, progress, traceparent);
      progress.stop();
      const flow = Object.entries(result.traffic)
        .map(([type, bytes]) => `${type.toLowerCase()} ${formatBytes(bytes)}`)
        .join(', ');
      if (options.logLevel === 'debug' || options.logLevel === 'trace' || options.console) {
        process.stderr.write(`task ${result.taskId}: ${formatBytes(result.contentLength)} (${flow || 'cached'})\n`);
      }
      return;
    } finally {
      progress.stop();
      client.close();
    }
  }
  if (options.disableBackToSource) {
    throw createError(
      ErrorCodes.UNAVAILABLE,
      `cannot connect to dfdaemon on ${options.endpoint}; is it running? (--disable-back-to-source forbids downloading from the source directly)`,
    );
  }
  const registry = await loadDirectSources(options);
  try {
    await downloadDirect(registry.sourceFor(options.url), options, progress);
  } finally {
    progress.stop();
    await registry.close();
  }
}

/** Warns, then loads the built-in source plugins for a download straight from the source. */
async function loadDirectSources(options: DfgetOptions) {
  process.stderr.write(`dfget: warning: no dfdaemon answers on ${options.endpoint}; downloading directly from the source\n`);
  // Loaded only on this path: the kernel and plugins are not needed when a daemon answers.
  const [{ createEgressPolicy }, { createLogger }, { builtinPlugins, createContainer, loadPlugins }] = await Promise.all([
    import('../common/egress/EgressPolicyImpl.js'),
    import('../common/logging.js'),
    import('../kernel/index.js'),
  ]);
  const logger = createLogger({ name: 'dfget', level: options.logLevel, console: true });
  return loadPlugins({
    role: 'dfdaemon',
    builtins: builtinPlugins('dfdaemon').filter((plugin) => plugin.kind === 'source' || plugin.specifier.includes('source-')),
    container: createContainer(),
    logger,
    egress: createEgressPolicy(),
  });
}

/**
 * `dfget -r`: lists the directory and downloads each file as its own task, through the daemon when one
 * answers, else straight from the source (unless back-to-source is disabled). Prints a summary; fails when
 * any file failed.
 */
async function runRecursive(options: DfgetOptions): Promise<void> {
  const client = await connectDaemon(options.endpoint);
  const quiet = createProgress(false, 'dfget');
  let transport: DirectoryTransport;
  let release: () => Promise<void>;
  if (client) {
    transport = {
      list: () => listEntriesViaDaemon(client, options),
      download: async (url, output) => (await downloadViaDaemon(client, { ...options, url, output }, quiet)).contentLength,
    };
    release = async () => client.close();
  } else {
    if (options.disableBackToSource) {
      throw createError(ErrorCodes.UNAVAILABLE, `cannot connect to dfdaemon on ${options.endpoint}; is it running? (--disable-back-to-source forbids downloading from the source directly)`);
    }
    const registry = await loadDirectSources(options);
    const source = registry.sourceFor(options.url);
    transport = {
      list: async () => {
        const stat = await source.stat({ url: new URL(options.url), headers: options.headers, objectStorage: options.objectStorage, hdfs: options.hdfs, timeoutMs: options.timeoutMs });
        if (!stat.isDir) throw createError(ErrorCodes.INVALID_ARGUMENT, `${redactUrl(options.url)} is not a directory; drop -r to download one file`);
        return stat.entries ?? [];
      },
      download: (url, output) => downloadDirect(source, { ...options, url, output }, quiet),
    };
    release = () => registry.close();
  }
  try {
    const summary = await downloadDirectory(options, transport);
    process.stderr.write(`${formatSummary(summary, options.output)}\n`);
    if (summary.failures.length > 0) {
      throw createError(ErrorCodes.SOURCE_ERROR, `${summary.failures.length} of ${summary.selected} files failed`);
    }
  } finally {
    await release();
  }
}
