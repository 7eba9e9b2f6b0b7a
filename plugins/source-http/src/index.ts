/**
 * @d7y/plugin-source-http: the back-to-source client for `http://` and `https://` URLs.
 * @packageDocumentation
 */
import { definePlugin, TOKENS, type SourceClient } from '@d7y/core/plugin-api';

import { httpSourceConfigSchema, type HttpSourceConfig } from './config.js';
import { HttpSourceClient } from './HttpSourceClient.js';

export { HttpSourceClient, type HttpSourceClientOptions } from './HttpSourceClient.js';
export { httpSourceConfigSchema, resolveHttpSourceConfig, type HttpSourceConfig, type HttpSourceConfigInput, type HttpTlsConfig } from './config.js';
export { redactUrl } from './redact.js';

/** The plugin: registers an `HttpSourceClient` under `TOKENS.SourceClient`, built on first resolve. */
export default definePlugin<HttpSourceConfig>({
  kind: 'source',
  name: 'http',
  apiVersion: '1.0',
  schemes: ['http', 'https'],
  configSchema: httpSourceConfigSchema,
  register(ctx) {
    ctx.container.register<SourceClient>(TOKENS.SourceClient, {
      useFactory: () => new HttpSourceClient({ egress: ctx.egress, logger: ctx.logger, config: ctx.config }),
    });
  },
});
