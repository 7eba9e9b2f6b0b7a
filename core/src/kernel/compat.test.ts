import { describe, expect, it } from 'vitest';
import { PLUGIN_API_VERSION } from '../plugin-api/version.js';
import { assertPluginCompat, checkApiCompatibility } from './compat.js';

describe('checkApiCompatibility', () => {
  it.each([
    // plugin, kernel, compatible
    ['1.0', '1.0', true],
    ['1.0', '1.3', true],
    ['1.3', '1.3', true],
    ['1.4', '1.3', false],
    ['2.0', '1.0', false],
    ['1.0', '2.0', false],
    ['0.1', '0.1', true],
    ['0.2', '0.1', false],
    ['1.10', '1.9', false],
    ['1.9', '1.10', true],
    ['1', '1.0', false],
    ['v1.0', '1.0', false],
    ['1.0.0', '1.0', false],
  ])('plugin %s on kernel %s -> %s', (plugin, kernel, compatible) => {
    expect(checkApiCompatibility(plugin, kernel).compatible).toBe(compatible);
  });

  it('checks against this kernel by default', () => {
    expect(checkApiCompatibility(PLUGIN_API_VERSION).compatible).toBe(true);
  });

  it('explains refusals with both versions', () => {
    expect(checkApiCompatibility('2.0', '1.0')).toEqual({ compatible: false, reason: 'plugin API 2.0, kernel plugin API 1.0: major versions differ' });
    expect(checkApiCompatibility('1.2', '1.0')).toEqual({
      compatible: false,
      reason: 'plugin API 1.2, kernel plugin API 1.0: the plugin needs a newer kernel (minor 2 > 0)',
    });
  });
});

describe('assertPluginCompat', () => {
  it('throws D7Y_ERR_PLUGIN_API_MISMATCH naming plugin, file and both versions', () => {
    expect(() => assertPluginCompat({ kind: 'source', name: 'x', apiVersion: '3.1' }, '/p/x.js', '1.0')).toThrow(
      expect.objectContaining({
        code: 'D7Y_ERR_PLUGIN_API_MISMATCH',
        message: 'plugin source/x (/p/x.js) is incompatible: plugin API 3.1, kernel plugin API 1.0: major versions differ',
        details: { plugin: 'source/x', file: '/p/x.js', pluginApiVersion: '3.1', kernelApiVersion: '1.0' },
      }),
    );
    expect(() => assertPluginCompat({ kind: 'source', name: 'x', apiVersion: '1.0' }, '/p/x.js')).not.toThrow();
  });
});
