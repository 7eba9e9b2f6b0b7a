import { lstat } from 'node:fs/promises';

import { createError, ErrorCodes } from '../plugin-api/errors.js';
import { connectDaemon, downloadViaDaemon } from './daemonClient.js';
import type { DfgetOptions } from './options.js';
import { createProgress, formatBytes } from './progress.js';

/**
 * dfget: downloads through the local dfdaemon; when none answers on the socket, downloads straight from the
 * source (with a warning) unless back-to-source is disabled.
 */
export async function runDfget(options: DfgetOptions): Promise<void> {
  const existing = await lstat(options.output).catch(() => undefined);
  if (existing?.isDirectory()) throw createError(ErrorCodes.INVALID_ARGUMENT, `-O, --output: ${options.output} is a directory`);
  if (existing && !options.overwrite) {
    throw createError(ErrorCodes.ALREADY_EXISTS, `output file ${options.output} exists; pass --overwrite to replace it`);
  }
  const progress = createProgress(options.progress, 'dfget');
  const client = await connectDaemon(options.endpoint);
  if (client) {
    try {
      const result = await downloadViaDaemon(client, options, progress);
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
  process.stderr.write(`dfget: warning: no dfdaemon answers on ${options.endpoint}; downloading directly from the source\n`);
  // Loaded only on this path: the kernel and plugins are not needed when a daemon answers.
  const [{ createEgressPolicy }, { createLogger }, { builtinPlugins, createContainer, loadPlugins }, { downloadDirect }] = await Promise.all([
    import('../common/egress/EgressPolicyImpl.js'),
    import('../common/logging.js'),
    import('../kernel/index.js'),
    import('./direct.js'),
  ]);
  const logger = createLogger({ name: 'dfget', level: options.logLevel, console: true });
  const registry = await loadPlugins({
    role: 'dfdaemon',
    builtins: builtinPlugins('dfdaemon').filter((plugin) => plugin.kind === 'source' || plugin.specifier.includes('source-')),
    container: createContainer(),
    logger,
    egress: createEgressPolicy(),
  });
  try {
    await downloadDirect(registry.sourceFor(options.url), options, progress);
  } finally {
    progress.stop();
    await registry.close();
  }
}
