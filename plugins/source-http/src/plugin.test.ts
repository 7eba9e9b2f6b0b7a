import { describe, expect, it } from 'vitest';

import { isPlugin, TOKENS, type PluginContainer, type Provider, type RegisterContext, type SourceClient } from '@d7y/core/plugin-api';

import { createEgressPolicy } from '../../../core/src/common/egress/EgressPolicyImpl.js';
import { recordingLogger } from '../test/servers.js';
import { DEFAULT_CONFIG, httpSourceConfigSchema, resolveHttpSourceConfig, type HttpSourceConfig } from './config.js';
import plugin from './index.js';
import manifest from '../package.json' with { type: 'json' };

describe('plugin definition', () => {
  it('matches its manifest and is branded', () => {
    expect(isPlugin(plugin)).toBe(true);
    expect({ kind: plugin.kind, name: plugin.name, apiVersion: plugin.apiVersion, schemes: plugin.schemes }).toEqual(manifest.d7y);
  });

  it('registers a lazily built SourceClient', async () => {
    const providers = new Map<symbol | string, Provider<unknown>>();
    const container: PluginContainer = {
      register: (token, provider) => void providers.set(token, provider as Provider<unknown>),
      resolve: () => {
        throw new Error('unused');
      },
      isRegistered: (token) => providers.has(token),
    };
    const parsed = httpSourceConfigSchema.safeParse({ connectTimeout: 1000 });
    if (!parsed.success) throw new Error('config rejected');
    const ctx: RegisterContext<HttpSourceConfig> = {
      container,
      config: parsed.data,
      logger: recordingLogger(),
      egress: createEgressPolicy(),
      role: 'dfdaemon',
    };
    await plugin.register(ctx);
    const provider = providers.get(TOKENS.SourceClient) as { useFactory: (c: PluginContainer) => SourceClient };
    const client = provider.useFactory(container);
    expect(client.schemes()).toEqual(['http', 'https']);
    await client.close?.();
  });
});

describe('config', () => {
  it('fills defaults', () => {
    expect(resolveHttpSourceConfig(undefined)).toEqual({ ...DEFAULT_CONFIG, tls: { insecureSkipVerify: false } });
    expect(DEFAULT_CONFIG).toMatchObject({ connectTimeout: 30_000, maxConnectionsPerHost: 64, userAgent: `d7y/${manifest.version}` });
  });

  it('lists every issue with its path', () => {
    const result = httpSourceConfigSchema.safeParse({ connectTimeout: -1, tls: { insecureSkipVerify: 'yes', extra: 1 }, typo: true });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.issues.map((i) => i.path.join('.'))).toEqual(['typo', 'connectTimeout', 'tls.extra', 'tls.insecureSkipVerify']);
    expect(() => resolveHttpSourceConfig({ requestTimeout: 0 })).toThrow(/requestTimeout: expected a positive integer/);
  });
});
