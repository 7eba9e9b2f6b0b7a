import { describe, expect, it } from 'vitest';
import { definePlugin, type PluginConfigSchema } from '../plugin-api/definePlugin.js';
import { deepFreeze, resolvePluginConfig } from './pluginConfig.js';

const plugin = (configSchema?: PluginConfigSchema<unknown>) =>
  definePlugin({ kind: 'storage', name: 'disk', apiVersion: '1.0', ...(configSchema ? { configSchema } : {}), register() {} });

describe('deepFreeze', () => {
  it('freezes plain objects and arrays recursively, leaving other objects alone', () => {
    const bytes = new Uint8Array([1, 2]);
    const when = new Date(0);
    const value = deepFreeze({ a: { b: [1, { c: 2 }] }, bytes, when });
    expect(Object.isFrozen(value) && Object.isFrozen(value.a) && Object.isFrozen(value.a.b) && Object.isFrozen(value.a.b[1])).toBe(true);
    expect(Object.isFrozen(bytes)).toBe(false);
    expect(Object.isFrozen(when)).toBe(false);
  });
});

describe('resolvePluginConfig', () => {
  it('takes pluginConfig[kind][name], defaulting to a frozen {}', () => {
    expect(resolvePluginConfig(plugin(), undefined)).toEqual({});
    expect(Object.isFrozen(resolvePluginConfig(plugin(), {}))).toBe(true);
    expect(resolvePluginConfig(plugin(), { storage: { disk: { dir: '/d' } }, source: { disk: { x: 1 } } })).toEqual({ dir: '/d' });
  });

  it('returns the schema output, frozen', () => {
    const schema: PluginConfigSchema<{ dir: string }> = { safeParse: () => ({ success: true, data: { dir: '/default' } }) };
    const config = resolvePluginConfig(plugin(schema as PluginConfigSchema<unknown>), {});
    expect(config).toEqual({ dir: '/default' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists issue paths for a rejected config (D7Y_ERR_PLUGIN_CONFIG)', () => {
    const schema: PluginConfigSchema<unknown> = {
      safeParse: () => ({ success: false, error: { issues: [{ path: ['a', 0, 'b'], message: 'bad' }, { path: [], message: 'worse' }] } }),
    };
    expect(() => resolvePluginConfig(plugin(schema), {})).toThrow(
      expect.objectContaining({ code: 'D7Y_ERR_PLUGIN_CONFIG', message: 'config for storage/disk is invalid: a.0.b: bad; (root): worse' }),
    );
  });

  it('treats a throwing or nonsensical schema as an invalid plugin', () => {
    const throwing: PluginConfigSchema<unknown> = {
      safeParse: () => {
        throw new Error('async refinement');
      },
    };
    expect(() => resolvePluginConfig(plugin(throwing), {})).toThrow(expect.objectContaining({ code: 'D7Y_ERR_PLUGIN_INVALID' }));
    const nonsense = { safeParse: () => 42 } as unknown as PluginConfigSchema<unknown>;
    expect(() => resolvePluginConfig(plugin(nonsense), {})).toThrow(expect.objectContaining({ code: 'D7Y_ERR_PLUGIN_INVALID' }));
  });
});
