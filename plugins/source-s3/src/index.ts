/**
 * @d7y/plugin-source-s3: the back-to-source client for `s3://bucket/key` URLs (AWS S3 and S3-compatible
 * stores), on @aws-sdk/client-s3.
 * @packageDocumentation
 */
import { definePlugin, TOKENS, type SourceClient } from '@d7y/core/plugin-api';

import { s3SourceConfigSchema, type S3SourceConfig } from './config.js';
import { S3SourceClient } from './S3SourceClient.js';

export { S3SourceClient, type S3SourceClientOptions } from './S3SourceClient.js';
export { s3SourceConfigSchema, DEFAULT_S3_CONFIG, type S3SourceConfig } from './config.js';
export { parseS3Url, s3Url, type S3Location } from './s3Url.js';

/** The plugin: registers an `S3SourceClient` under `TOKENS.SourceClient`, built on first resolve. */
export default definePlugin<S3SourceConfig>({
  kind: 'source',
  name: 's3',
  apiVersion: '1.0',
  schemes: ['s3'],
  configSchema: s3SourceConfigSchema,
  register(ctx) {
    ctx.container.register<SourceClient>(TOKENS.SourceClient, {
      useFactory: () => new S3SourceClient({ egress: ctx.egress, logger: ctx.logger, config: ctx.config }),
    });
  },
});
