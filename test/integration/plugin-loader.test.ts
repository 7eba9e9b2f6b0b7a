/**
 * The plugin loading pipeline against the on-disk fixtures in test/fixtures/plugin-dir/: one test per
 * loading edge case, through the real loader (no mocks). Built-in packages are covered in
 * plugin-loader-builtins.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createContainer,
  createMemoryLogger,
  formatPluginReport,
  inspectPlugins,
  loadPlugins,
  permissiveEgress,
  pluginDirSlots,
  type LoadPluginsOptions,
  type MemoryLogger,
  type PluginSlot,
  type StartupError,
} from '../../core/src/kernel/index.js';
import { D7yError, isD7yError } from '../../core/src/plugin-api/errors.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/plugin-dir/', import.meta.url));
const fixture = (...parts: string[]) => join(FIXTURES, ...parts);
const importCounts = () => ((globalThis as { __d7yFixtureImports?: Record<string, number> }).__d7yFixtureImports ?? {});

/** A slot pointed at one fixture case folder. */
function slot(caseDir: string, kind: PluginSlot['kind'] = 'source', name = caseDir): PluginSlot {
  return { name, dir: fixture(caseDir), kind };
}

function options(over: Partial<LoadPluginsOptions> = {}): LoadPluginsOptions & { logger: MemoryLogger } {
  return { role: 'dfdaemon', builtins: [], slots: [], container: createContainer(), logger: createMemoryLogger(), egress: permissiveEgress, ...over } as LoadPluginsOptions & {
    logger: MemoryLogger;
  };
}

/** Runs `loadPlugins` expecting the one aggregated StartupError. */
async function startupError(opts: LoadPluginsOptions): Promise<StartupError> {
  const err = await loadPlugins(opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'loadPlugins should have thrown').toBeDefined();
  expect((err as StartupError).code).toBe('D7Y_ERR_STARTUP');
  expect((err as StartupError).name).toBe('StartupError');
  return err as StartupError;
}

/** Asserts exactly one failure, its code, and that the message names the file and the reason. */
async function expectSingleFailure(opts: LoadPluginsOptions, code: string, file: string, reason: RegExp) {
  const err = await startupError(opts);
  expect(err.failures).toHaveLength(1);
  expect(err.failures[0].code).toBe(code);
  expect(err.failures[0].from).toBe(file);
  expect(err.failures[0].reason).toMatch(reason);
  const line = err.message.split('\n').find((l) => l.includes(file));
  expect(line, `a line naming ${file} in:\n${err.message}`).toBeDefined();
  expect(line).toContain(`[${code}]`);
  expect(line).toMatch(reason);
  return err;
}

describe('plugin loader: pluginDir fixtures', () => {
  it('loads an ES module plugin, logs the decision once and resolves its client lazily', async () => {
    const opts = options({ slots: [slot('esm')] });
    const registry = await loadPlugins(opts);
    expect(registry.list()).toEqual([
      expect.objectContaining({ kind: 'source', name: 'esm', apiVersion: '1.0', schemes: ['esm'], origin: 'pluginDir', from: fixture('esm', 'esm.js'), slot: 'esm' }),
    ]);
    const loaded = opts.logger.records.filter((r) => r.level === 'info' && r.fields.plugin === 'source/esm' && r.fields.component === 'plugin-loader');
    expect(loaded).toHaveLength(1);
    // register() got a logger bound to the plugin.
    expect(opts.logger.records.some((r) => r.message === 'esm fixture registering' && r.fields.plugin === 'source/esm' && r.fields.role === 'dfdaemon')).toBe(true);

    const client = registry.sourceFor('esm://bucket/key') as unknown as { fixture: string; config: object; closed: number };
    expect(client.fixture).toBe('esm');
    expect(registry.sourceFor('ESM')).toBe(client);
    expect(client.config).toEqual({});
    expect(Object.isFrozen(client.config)).toBe(true);
    await registry.close();
    expect(client.closed).toBe(1);
  });

  it('loads CommonJS plugins: module.exports = plugin and exports.default = plugin', async () => {
    const registry = await loadPlugins(options({ slots: [slot('cjs')] }));
    expect(registry.list().map((p) => p.name)).toEqual(['cjs-transpiled', 'cjs']);
    expect((registry.sourceFor('cjs') as unknown as { fixture: string }).fixture).toBe('cjs');
    expect((registry.sourceFor('cjst:x') as unknown as { fixture: string }).fixture).toBe('cjs-transpiled');
  });

  it('loads a module with top-level await', async () => {
    const registry = await loadPlugins(options({ slots: [slot('tla')] }));
    expect((registry.sourceFor('tla') as unknown as { fixture: string }).fixture).toBe('tla');
  });

  it('refuses a module that throws at import, and imports it exactly once', async () => {
    const file = fixture('broken', 'broken.js');
    await expectSingleFailure(options({ slots: [slot('broken')] }), 'D7Y_ERR_PLUGIN_LOAD', file, /import threw: broken fixture exploded at import/);
    expect(importCounts().broken).toBe(1);
  });

  it('refuses a plugin whose dependency is missing, naming the dependency', async () => {
    const file = fixture('missing-dep', 'missing-dep.js');
    await expectSingleFailure(options({ slots: [slot('missing-dep')] }), 'D7Y_ERR_PLUGIN_LOAD', file, /dependency 'd7y-fixture-no-such-package' is missing/);
  });

  it('refuses incompatible API versions (other major, newer minor) naming plugin, file and both versions', async () => {
    const err = await startupError(options({ slots: [slot('wrong-api')] }));
    expect(err.failures.map((f) => [f.code, f.id, f.from])).toEqual([
      ['D7Y_ERR_PLUGIN_API_MISMATCH', 'source/minor-too-new', fixture('wrong-api', 'minor-too-new.js')],
      ['D7Y_ERR_PLUGIN_API_MISMATCH', 'source/wrong-api', fixture('wrong-api', 'wrong-api.js')],
    ]);
    const lines = err.message.split('\n');
    expect(lines.find((l) => l.includes('wrong-api.js'))).toMatch(/source\/wrong-api .*plugin API 2\.0, kernel plugin API 1\.0: major versions differ/);
    expect(lines.find((l) => l.includes('minor-too-new.js'))).toMatch(/source\/minor-too-new .*plugin API 1\.9, kernel plugin API 1\.0: the plugin needs a newer kernel/);
  });

  it('accepts an older plugin minor on a newer kernel minor', async () => {
    const err = await startupError(options({ slots: [slot('wrong-api')], kernelApiVersion: '1.9' }));
    expect(err.failures.map((f) => f.id)).toEqual(['source/wrong-api']);
  });

  it('refuses values that are not plugins, with path-qualified messages', async () => {
    const err = await startupError(options({ slots: [slot('not-a-plugin')] }));
    const byFile = Object.fromEntries(err.failures.map((f) => [f.from.slice(fixture('not-a-plugin').length + 1), f]));
    expect(Object.keys(byFile).sort()).toEqual(['bad-fields.js', 'function.js', 'no-default.js', 'not-a-plugin.js']);
    for (const f of err.failures) expect(f.code).toBe('D7Y_ERR_PLUGIN_INVALID');
    expect(byFile['not-a-plugin.js'].reason).toMatch(/default export\.\$\$type: expected '@d7y\/Plugin'.*received undefined/);
    expect(byFile['function.js'].reason).toMatch(/default export: expected a plugin object made with definePlugin\(\), received a function/);
    expect(byFile['no-default.js'].reason).toMatch(/no default export \(named exports: name, plugin\)/);
    const bad = byFile['bad-fields.js'].reason;
    expect(bad).toMatch(/default export\.kind: expected one of source, evaluator, storage, database, received "banana"/);
    expect(bad).toMatch(/default export\.name: .*received "Bad Name"/);
    expect(bad).toMatch(/default export\.apiVersion: expected 'MAJOR\.MINOR', received "1"/);
    expect(bad).toMatch(/default export\.register: expected a function, received "not a function"/);
  });

  it('loads a folder plugin through package.json exports (import condition) and reports its version', async () => {
    const registry = await loadPlugins(options({ slots: [slot('dir-with-exports')] }));
    expect(registry.list()).toEqual([
      expect.objectContaining({ name: 'dir-plugin', version: '1.2.3', packageName: 'd7y-source-dir-plugin', from: fixture('dir-with-exports', 'dir-plugin', 'lib', 'index.js') }),
    ]);
    expect(registry.schemes()).toEqual(['dirp', 'dirps']);
  });

  it('loads a CommonJS folder plugin through package.json main without extension', async () => {
    const registry = await loadPlugins(options({ slots: [slot('dir-with-main')] }));
    expect(registry.list()).toEqual([expect.objectContaining({ name: 'legacy', version: '0.3.0', from: fixture('dir-with-main', 'legacy-plugin', 'lib', 'entry.js') })]);
  });

  it('refuses a folder whose manifest disagrees with its export', async () => {
    const file = fixture('manifest-mismatch', 'mismatch-plugin', 'index.js');
    await expectSingleFailure(
      options({ slots: [slot('manifest-mismatch')] }),
      'D7Y_ERR_PLUGIN_INVALID',
      file,
      /manifest mismatch: package\.json d7y\.name is "declared-name" but the plugin exports name "actual-name"/,
    );
  });

  it('refuses a config its schema rejects, listing each issue path', async () => {
    const file = fixture('bad-config', 'bad-config.js');
    const opts = options({ slots: [slot('bad-config')], pluginConfig: { source: { 'bad-config': { timeoutMs: 'soon' } } } });
    await expectSingleFailure(opts, 'D7Y_ERR_PLUGIN_CONFIG', file, /config for source\/bad-config is invalid: timeoutMs: expected a positive number; endpoint: expected a string/);
    const ok = await loadPlugins(options({ slots: [slot('bad-config')], pluginConfig: { source: { 'bad-config': { timeoutMs: 5, endpoint: 'x' } } } }));
    expect(ok.list()).toHaveLength(1);
  });

  it('validates config with a zod schema, applies defaults and deep-freezes the result', async () => {
    const registry = await loadPlugins(options({ slots: [slot('zod-config')], pluginConfig: { source: { 'zod-config': { headers: { a: 'b' } } } } }));
    const { config } = registry.sourceFor('zodcfg') as unknown as { config: { timeoutMs: number; headers: Record<string, string>; retry: { attempts: number } } };
    expect(config).toEqual({ timeoutMs: 30000, headers: { a: 'b' }, retry: { attempts: 3 } });
    expect(Object.isFrozen(config) && Object.isFrozen(config.headers) && Object.isFrozen(config.retry)).toBe(true);

    const err = await startupError(options({ slots: [slot('zod-config')], pluginConfig: { source: { 'zod-config': { retry: { attempts: -1 } } } } }));
    expect(err.failures[0].code).toBe('D7Y_ERR_PLUGIN_CONFIG');
    expect(err.failures[0].reason).toMatch(/retry\.attempts: /);
  });

  it('evaluates a plugin module once, however often the pipeline runs', async () => {
    await inspectPlugins({ role: 'dfdaemon', builtins: [], slots: [slot('side-effects')] });
    const registry = await loadPlugins(options({ slots: [slot('side-effects')] }));
    expect(registry.list().map((p) => p.name)).toEqual(['counting']);
    expect(importCounts().counting).toBe(1);
  });

  it('loads a plugin that bundles its own copy of the contract; its errors are recognised by code', async () => {
    const registry = await loadPlugins(options({ slots: [slot('own-contract')] }));
    const client = registry.sourceFor('own://x');
    const err = await client.stat({ url: new URL('own://x') }).catch((e: unknown) => e);
    expect(isD7yError(err)).toBe(true);
    expect(err).not.toBeInstanceOf(D7yError);
    expect((err as D7yError).code).toBe('D7Y_ERR_NOT_FOUND');
  });

  it('loads the scheduler evaluator from pluginDir when algorithm is plugin, and only then', async () => {
    const slots = pluginDirSlots('scheduler', fixture('evaluator'), { algorithm: 'plugin' });
    const registry = await loadPlugins(options({ role: 'scheduler', slots }));
    expect(registry.list()).toEqual([expect.objectContaining({ kind: 'evaluator', name: 'custom', slot: 'evaluator' })]);
    const evaluator = registry.evaluatorFor('plugin');
    expect(evaluator).toBe(registry.evaluator('custom'));
    const peer = (id: string, finishedPieceCount: number) => ({ id, finishedPieceCount }) as never;
    expect((await evaluator.evaluateParents([peer('a', 1), peer('b', 5)], peer('c', 0), 10)).map((p) => p.id)).toEqual(['b', 'a']);

    expect(pluginDirSlots('scheduler', fixture('evaluator'), { algorithm: 'default' })).toEqual([]);
  });

  it('fails when algorithm is plugin but pluginDir has no evaluator', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'd7y-empty-plugin-dir-'));
    try {
      const slots = pluginDirSlots('scheduler', dir, { algorithm: 'plugin' });
      await expectSingleFailure(options({ role: 'scheduler', slots }), 'D7Y_ERR_PLUGIN_LOAD', join(dir, 'd7y-scheduler-plugin-evaluator'), /required evaluator plugin not found/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an ambiguous single-entry slot', async () => {
    const slots = pluginDirSlots('scheduler', fixture('evaluator-ambiguous'), { algorithm: 'plugin' });
    const err = await expectSingleFailure(
      options({ role: 'scheduler', slots }),
      'D7Y_ERR_PLUGIN_DUPLICATE',
      fixture('evaluator-ambiguous', 'd7y-scheduler-plugin-evaluator.js'),
      /slot evaluator takes one entry but found 2/,
    );
    expect(err.message).toContain(fixture('evaluator-ambiguous', 'd7y-scheduler-plugin-evaluator.mjs'));
  });

  it('refuses a plugin whose register() throws or registers nothing under its token', async () => {
    const err = await startupError(options({ slots: [slot('register-fails')] }));
    expect(err.failures.map((f) => [f.code, f.from])).toEqual([
      ['D7Y_ERR_PLUGIN_INVALID', fixture('register-fails', 'no-token.js')],
      ['D7Y_ERR_PLUGIN_LOAD', fixture('register-fails', 'register-throws.js')],
    ]);
    expect(err.failures[0].reason).toMatch(/register\(\) did not register d7y\.plugin-api\.v1\.SourceClient for a source plugin/);
    expect(err.failures[1].reason).toMatch(/register\(\) threw: cannot reach the license server/);
  });

  it('refuses a plugin of the wrong kind for its slot', async () => {
    await expectSingleFailure(options({ slots: [slot('wrong-kind', 'source', 'backend')] }), 'D7Y_ERR_PLUGIN_INVALID', fixture('wrong-kind', 'evaluator.js'), /plugin kind is 'evaluator' but pluginDir slot 'backend' takes 'source' plugins/);
  });

  it('ignores non-plugin entries (README, .d.ts, dotfiles, maps, folders without package.json) at debug level', async () => {
    const opts = options({ slots: [slot('ignored')] });
    const registry = await loadPlugins(opts);
    expect(registry.list().map((p) => p.name)).toEqual(['ok']);
    const ignored = opts.logger.records.filter((r) => r.level === 'debug' && r.message === 'pluginDir entry ignored').map((r) => String(r.fields.path).slice(fixture('ignored').length + 1));
    expect(ignored.sort()).toEqual(['.hidden.js', 'README.md', 'empty-folder', 'ok.js.map', 'types.d.ts']);
  });

  it('treats a missing pluginDir as empty', async () => {
    const opts = options({ slots: pluginDirSlots('dfdaemon', fixture('does-not-exist')) });
    const registry = await loadPlugins(opts);
    expect(registry.list()).toEqual([]);
    expect(opts.logger.records.some((r) => r.level === 'debug' && r.message?.includes('does not exist'))).toBe(true);
    expect(pluginDirSlots('dfdaemon', undefined)).toEqual([]);
  });

  it("follows Dragonfly's pluginDir layout for dfdaemon (backend/) and the scheduler (evaluator file)", async () => {
    const dfdaemon = await loadPlugins(options({ slots: pluginDirSlots('dfdaemon', fixture('dfdaemon-layout')) }));
    expect(dfdaemon.list().map((p) => `${p.kind}/${p.name}`)).toEqual(['source/layout']);
    const scheduler = await loadPlugins(options({ role: 'scheduler', slots: pluginDirSlots('scheduler', fixture('dfdaemon-layout'), { algorithm: 'plugin' }) }));
    expect(scheduler.list().map((p) => `${p.kind}/${p.name}`)).toEqual(['evaluator/layout-evaluator']);
  });

  it('aggregates every failure into one StartupError, one line each', async () => {
    const cases = ['broken', 'missing-dep', 'wrong-api', 'not-a-plugin', 'manifest-mismatch', 'bad-config', 'register-fails'];
    const opts = options({ slots: [...cases.map((c) => slot(c)), slot('esm')], pluginConfig: { source: { 'bad-config': {} } } });
    const err = await startupError(opts);
    expect(err.failures).toHaveLength(12);
    const lines = err.message.split('\n');
    expect(lines[0]).toBe('dfdaemon cannot start: 12 plugin failures');
    expect(lines).toHaveLength(13);
    for (const failure of err.failures) expect(lines.filter((l) => l.includes(failure.from) && l.includes(failure.code))).toHaveLength(1);
    expect(new Set(err.failures.map((f) => f.code))).toEqual(
      new Set(['D7Y_ERR_PLUGIN_LOAD', 'D7Y_ERR_PLUGIN_API_MISMATCH', 'D7Y_ERR_PLUGIN_INVALID', 'D7Y_ERR_PLUGIN_CONFIG']),
    );
    expect(err.details.failures).toHaveLength(12);
    // The valid plugin among them was still registered, and every refusal was logged once.
    expect(opts.logger.records.filter((r) => r.level === 'info' && r.fields.plugin === 'source/esm' && r.fields.component === 'plugin-loader')).toHaveLength(1);
    expect(opts.logger.records.filter((r) => r.level === 'error' && r.message === 'plugin refused')).toHaveLength(12);
  });

  it('inspects without throwing and prints a readable report', async () => {
    const report = await inspectPlugins({ role: 'dfdaemon', builtins: [], slots: [slot('dir-with-exports'), slot('wrong-api'), slot('ignored')] });
    expect(report.loaded.map((p) => p.name)).toEqual(['dir-plugin', 'ok']);
    expect(report.refused).toHaveLength(2);
    expect(report.ignored).toHaveLength(5);
    const text = formatPluginReport(report);
    const lines = text.split('\n');
    expect(lines[0]).toBe('plugins for dfdaemon:');
    expect(lines[1]).toMatch(/^KIND +NAME +VERSION +API +SCHEMES +ORIGIN +FROM +NOTES$/);
    expect(lines[2]).toMatch(/^source +dir-plugin +1\.2\.3 +1\.0 +dirps,dirp +pluginDir +\S+lib\/index\.js$/);
    expect(lines[3]).toMatch(/^source +ok +- +1\.0 +ok +pluginDir +\S+ok\.js$/);
    expect(text).toContain('refused (2):');
    expect(text).toMatch(/\[D7Y_ERR_PLUGIN_API_MISMATCH\] source\/wrong-api \(pluginDir\) \S+wrong-api\.js: plugin API 2\.0/);
    expect(text).toContain('ignored pluginDir entries:');
  });
});

describe('plugin loader: scratch directories', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'd7y-plugin-dir-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads nothing from an empty slot directory', async () => {
    const registry = await loadPlugins(options({ slots: [{ name: 'backend', dir, kind: 'source' }] }));
    expect(registry.list()).toEqual([]);
    expect(() => registry.sourceFor('http://x')).toThrow(expect.objectContaining({ code: 'D7Y_ERR_UNSUPPORTED_SCHEME' }));
  });
});
