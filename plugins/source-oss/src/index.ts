/**
 * @d7y/plugin-source-oss: the back-to-source client for `oss://bucket/key` URLs (Alibaba Cloud OSS), on ali-oss.
 * @packageDocumentation
 */
import { definePlugin, TOKENS, type SourceClient } from '@d7y/core/plugin-api';

import { ossSourceConfigSchema, type OssSourceConfig } from './config.js';
import { OssSourceClient } from './OssSourceClient.js';

export { OssSourceClient, type OssSourceClientOptions } from './OssSourceClient.js';
export { ossSourceConfigSchema, DEFAULT_OSS_CONFIG, type OssSourceConfig } from './config.js';
export { parseOssUrl, ossUrl, type OssLocation } from './ossUrl.js';

/** The plugin: registers an `OssSourceClient` under `TOKENS.SourceClient`, built on first resolve. */
export default definePlugin<OssSourceConfig>({
  kind: 'source',
  name: 'oss',
  apiVersion: '1.0',
  schemes: ['oss'],
  configSchema: ossSourceConfigSchema,
  register(ctx) {
    ctx.container.register<SourceClient>(TOKENS.SourceClient, {
      useFactory: () => new OssSourceClient({ egress: ctx.egress, logger: ctx.logger, config: ctx.config }),
    });
  },
});
