/**
 * @d7y/plugin-source-hdfs: the back-to-source client for `hdfs://namenode[:port]/path` URLs over WebHDFS.
 * @packageDocumentation
 */
import { definePlugin, TOKENS, type SourceClient } from '@d7y/core/plugin-api';

import { hdfsSourceConfigSchema, type HdfsSourceConfig } from './config.js';
import { HdfsSourceClient } from './HdfsSourceClient.js';

export { HdfsSourceClient, type HdfsSourceClientOptions } from './HdfsSourceClient.js';
export { hdfsSourceConfigSchema, DEFAULT_HDFS_CONFIG, type HdfsSourceConfig } from './config.js';
export { parseHdfsUrl, hdfsUrl, webhdfsUrl, DEFAULT_WEBHDFS_PORT, type HdfsLocation } from './hdfsUrl.js';

/** The plugin: registers an `HdfsSourceClient` under `TOKENS.SourceClient`, built on first resolve. */
export default definePlugin<HdfsSourceConfig>({
  kind: 'source',
  name: 'hdfs',
  apiVersion: '1.0',
  schemes: ['hdfs'],
  configSchema: hdfsSourceConfigSchema,
  register(ctx) {
    ctx.container.register<SourceClient>(TOKENS.SourceClient, {
      useFactory: () => new HdfsSourceClient({ egress: ctx.egress, logger: ctx.logger, config: ctx.config }),
    });
  },
});
