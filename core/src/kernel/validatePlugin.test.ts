import { describe, expect, it } from 'vitest';
import { definePlugin } from '../plugin-api/definePlugin.js';
import { manifestMismatches, parseManifest } from './manifest.js';
import { pluginIssues, validatePlugin } from './validatePlugin.js';

const valid = definePlugin({ kind: 'source', name: 'ok', apiVersion: '1.0', schemes: ['ok', 's3+x'], register() {} });

describe('pluginIssues / validatePlugin', () => {
  it('accepts definePlugin output and hand-branded objects alike', () => {
    expect(pluginIssues(valid)).toEqual([]);
    expect(pluginIssues({ $$type: '@d7y/Plugin', version: 'v1', kind: 'storage', name: 'disk-2', apiVersion: '1.12', register() {} })).toEqual([]);
    expect(validatePlugin(valid)).toBe(valid);
  });

  it('names each bad field with its path and the received value', () => {
    const base = { $$type: '@d7y/Plugin', version: 'v1', kind: 'source', name: 'x', apiVersion: '1.0', schemes: ['x'], register() {} };
    expect(pluginIssues({ ...base, version: 'v2' })).toEqual(["default export.version: expected plugin object version 'v1', received \"v2\""]);
    expect(pluginIssues({ ...base, name: '' })[0]).toMatch(/^default export\.name: .*received ""$/);
    expect(pluginIssues({ ...base, name: 'UPPER' })[0]).toMatch(/^default export\.name: /);
    expect(pluginIssues({ ...base, schemes: undefined })).toEqual([
      'default export.schemes: expected a non-empty array of URL schemes for kind source, received undefined',
    ]);
    expect(pluginIssues({ ...base, schemes: ['HTTP', 'x:', 'ok', 'ok'] })).toEqual([
      'default export.schemes[0]: expected a lower-case URL scheme without \':\', received "HTTP"',
      'default export.schemes[1]: expected a lower-case URL scheme without \':\', received "x:"',
      'default export.schemes[3]: scheme "ok" is listed twice',
    ]);
    expect(pluginIssues({ ...base, kind: 'evaluator' })).toEqual(['default export.schemes: only plugins of kind source declare schemes, received an array']);
    expect(pluginIssues({ ...base, overrides: 'yes' })).toEqual(['default export.overrides: expected a boolean, received "yes"']);
    expect(pluginIssues({ ...base, configSchema: {} })).toEqual(['default export.configSchema: expected an object with a safeParse() function, received an object']);
    expect(pluginIssues(null)).toEqual(['default export: expected a plugin object made with definePlugin(), received null']);
    expect(pluginIssues([])).toEqual(['default export: expected a plugin object made with definePlugin(), received an array']);
  });

  it('throws D7Y_ERR_PLUGIN_INVALID listing every issue', () => {
    expect(() => validatePlugin({ $$type: '@d7y/Plugin', version: 'v1' })).toThrow(
      expect.objectContaining({ code: 'D7Y_ERR_PLUGIN_INVALID', details: { issues: expect.arrayContaining([expect.stringMatching(/\.kind:/), expect.stringMatching(/\.register:/)]) } }),
    );
  });
});

describe('manifest', () => {
  it('parses a valid manifest and refuses a missing or malformed one', () => {
    expect(parseManifest({ kind: 'source', name: 'ok', apiVersion: '1.0', schemes: ['ok'] })).toEqual({ kind: 'source', name: 'ok', apiVersion: '1.0', schemes: ['ok'] });
    expect(() => parseManifest(undefined)).toThrow(expect.objectContaining({ code: 'D7Y_ERR_PLUGIN_INVALID', message: expect.stringContaining('no "d7y" manifest') }));
    expect(() => parseManifest({ kind: 'source', name: 'ok', apiVersion: '1' })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/package\.json d7y\.apiVersion: .*; package\.json d7y\.schemes: /) }),
    );
    expect(() => parseManifest('source')).toThrow(expect.objectContaining({ code: 'D7Y_ERR_PLUGIN_INVALID' }));
  });

  it('compares schemes as sets and every other field exactly', () => {
    expect(manifestMismatches({ kind: 'source', name: 'ok', apiVersion: '1.0', schemes: ['s3+x', 'ok'] }, valid)).toEqual([]);
    expect(manifestMismatches({ kind: 'source', name: 'ok', apiVersion: '1.1', schemes: ['ok'] }, valid)).toEqual([
      'package.json d7y.apiVersion is "1.1" but the plugin exports apiVersion "1.0"',
      'package.json d7y.schemes is [ok] but the plugin exports schemes [ok, s3+x]',
    ]);
  });
});
