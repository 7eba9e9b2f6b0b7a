/**
 * The s3, oss and hdfs source packages through the real kernel and loader, as dfdaemon loads them: each
 * registers its client under its scheme, takes `plugins.source.<name>` config, and a bad config stops start-up
 * with a message naming the plugin and the option.
 */
import { describe, expect, it } from 'vitest';

import { createEgressPolicy } from '../../core/src/common/egress/EgressPolicyImpl.js';
import { builtinPlugins, createContainer, createMemoryLogger, loadPlugins } from '../../core/src/kernel/index.js';

const options = (pluginConfig: Record<string, Record<string, unknown>> = {}) => ({
  role: 'dfdaemon' as const,
  builtins: builtinPlugins('dfdaemon').filter((plugin) => plugin.kind === 'source'),
  pluginConfig: { source: pluginConfig },
  container: createContainer(),
  logger: createMemoryLogger(),
  egress: createEgressPolicy(),
});

describe('object storage and HDFS source plugins in the kernel', () => {
  it('serve s3, oss and hdfs next to http(s)', async () => {
    const registry = await loadPlugins(options({ s3: { maxListEntries: 10 }, hdfs: { user: 'alice', scheme: 'https' } }));
    expect(registry.schemes()).toEqual(['hdfs', 'http', 'https', 'oss', 's3']);
    expect(registry.sourceFor('s3://bucket/key').schemes()).toEqual(['s3']);
    expect(registry.sourceFor(new URL('oss://bucket/key')).schemes()).toEqual(['oss']);
    expect(registry.sourceFor('hdfs://namenode/path').schemes()).toEqual(['hdfs']);
    await registry.close();
  });

  it('a bad plugin config stops loading with the plugin and the option named', async () => {
    const error = await loadPlugins(options({ s3: { maxListEntries: -1, endpoint: 'x' }, oss: { requestTimeout: 'soon' }, hdfs: { scheme: 'ftp' } })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/source\/s3 is invalid: .*endpoint: unknown option/);
    expect(error?.message).toMatch(/source\/s3 is invalid: .*maxListEntries: expected a positive integer/);
    expect(error?.message).toMatch(/source\/oss[\s\S]*requestTimeout: expected a positive integer/);
    expect(error?.message).toMatch(/source\/hdfs[\s\S]*scheme: expected http or https/);
  });
});
