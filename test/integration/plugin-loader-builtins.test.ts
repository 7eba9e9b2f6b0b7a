/**
 * Built-in plugin packages through the same pipeline: fake packages from
 * test/fixtures/plugin-dir/builtin-packages/ are copied into a temporary `node_modules/@d7y/` and the loader's
 * `resolveFrom` points there, so these tests never depend on the real plugins' build state.
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  builtinPlugins,
  createContainer,
  createMemoryLogger,
  DEFAULT_RESOLVE_FROM,
  findPackageDir,
  formatPluginReport,
  inspectPlugins,
  loadPlugins,
  permissiveEgress,
  pluginDirSlots,
  type LoadPluginsOptions,
  type MemoryLogger,
  type StartupError,
} from '../../core/src/kernel/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/plugin-dir/', import.meta.url));
const fixture = (...parts: string[]) => join(FIXTURES, ...parts);

let root: string;

/** Copies fake packages into `<root>/node_modules/@d7y/<as>`. */
async function install(...packages: (string | [fixtureName: string, as: string])[]): Promise<void> {
  for (const entry of packages) {
    const [from, as] = typeof entry === 'string' ? [entry, entry] : entry;
    const target = join(root, 'node_modules', '@d7y', as);
    await mkdir(target, { recursive: true });
    await cp(fixture('builtin-packages', from), target, { recursive: true });
  }
}

const installed = (name: string) => join(root, 'node_modules', '@d7y', name);

function options(over: Partial<LoadPluginsOptions> = {}): LoadPluginsOptions & { logger: MemoryLogger } {
  return {
    role: 'dfdaemon',
    resolveFrom: root,
    container: createContainer(),
    logger: createMemoryLogger(),
    egress: permissiveEgress,
    ...over,
  } as LoadPluginsOptions & { logger: MemoryLogger };
}

async function startupError(opts: LoadPluginsOptions): Promise<StartupError> {
  const err = (await loadPlugins(opts).then(
    () => undefined,
    (e: unknown) => e,
  )) as StartupError | undefined;
  expect(err, 'loadPlugins should have thrown').toBeDefined();
  expect(err?.code).toBe('D7Y_ERR_STARTUP');
  return err as StartupError;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'd7y-builtins-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('plugin loader: built-in packages', () => {
  it('loads installed built-ins, skips optional ones that are not installed, and serves them from the registry', async () => {
    await install('plugin-source-http', 'plugin-storage-disk');
    const opts = options({ pluginConfig: { source: { http: { timeoutMs: 5, headers: { ua: 'd7y' } } } } });
    const registry = await loadPlugins(opts);
    expect(registry.list()).toEqual([
      expect.objectContaining({ kind: 'source', name: 'http', origin: 'builtin', version: '9.9.9-fixture', packageName: '@d7y/plugin-source-http', schemes: ['http', 'https'], from: join(installed('plugin-source-http'), 'lib', 'index.js') }),
      expect.objectContaining({ kind: 'storage', name: 'disk', origin: 'builtin', from: join(installed('plugin-storage-disk'), 'lib', 'index.js') }),
    ]);
    const notInstalled = opts.logger.records.filter((r) => r.level === 'debug' && r.message?.startsWith('optional built-in plugin not installed'));
    expect(notInstalled.map((r) => r.fields.specifier)).toEqual(['@d7y/plugin-source-s3', '@d7y/plugin-source-oss', '@d7y/plugin-source-hdfs']);

    const http = registry.sourceFor('https://example.com/x') as unknown as { fixture: string; config: { headers: object }; closed: number };
    expect(http.fixture).toBe('builtin-http');
    expect(registry.sourceFor(new URL('http://example.com/'))).toBe(http);
    expect(http.config).toEqual({ timeoutMs: 5, headers: { ua: 'd7y' } });
    expect(Object.isFrozen(http.config.headers)).toBe(true);
    expect(() => registry.sourceFor('ftp://example.com/x')).toThrow(
      expect.objectContaining({ code: 'D7Y_ERR_UNSUPPORTED_SCHEME', message: "no source plugin serves scheme 'ftp' (known schemes: http, https)" }),
    );
    const disk = registry.storage('disk') as unknown as { fixture: string; closed: number };
    expect(disk.fixture).toBe('builtin-disk');
    expect(() => registry.storage('memory')).toThrow(expect.objectContaining({ code: 'D7Y_ERR_NOT_FOUND', message: expect.stringContaining('loaded: disk') }));
    await registry.close();
    expect([http.closed, disk.closed]).toEqual([1, 1]);
  });

  it('fails on an installed optional built-in whose own dependency is missing (not "not installed")', async () => {
    await install('plugin-source-http', 'plugin-storage-disk', 'plugin-source-s3');
    const err = await startupError(options());
    expect(err.failures).toHaveLength(1);
    const [failure] = err.failures;
    expect(failure).toMatchObject({ code: 'D7Y_ERR_PLUGIN_LOAD', origin: 'builtin', specifier: '@d7y/plugin-source-s3', id: 'source/s3', from: join(installed('plugin-source-s3'), 'lib', 'index.js') });
    expect(failure.reason).toMatch(/dependency '@d7y-fixture\/missing-sdk' is missing/);
    expect(err.message).toContain(`[D7Y_ERR_PLUGIN_LOAD] source/s3 (builtin @d7y/plugin-source-s3) ${failure.from}: dependency '@d7y-fixture/missing-sdk' is missing`);
  });

  it('fails when a required built-in is not installed', async () => {
    await install('plugin-source-http');
    const err = await startupError(options());
    expect(err.failures).toEqual([
      expect.objectContaining({
        code: 'D7Y_ERR_PLUGIN_LOAD',
        specifier: '@d7y/plugin-storage-disk',
        reason: `required built-in plugin package @d7y/plugin-storage-disk is not installed (no node_modules/@d7y/plugin-storage-disk above ${root})`,
      }),
    ]);
  });

  it('fails on an installed built-in whose entry file was never built', async () => {
    await install('plugin-source-http', 'plugin-storage-disk', ['plugin-source-hdfs-unbuilt', 'plugin-source-hdfs']);
    const err = await startupError(options());
    expect(err.failures).toHaveLength(1);
    expect(err.failures[0]).toMatchObject({ code: 'D7Y_ERR_PLUGIN_LOAD', specifier: '@d7y/plugin-source-hdfs', from: installed('plugin-source-hdfs') });
    expect(err.failures[0].reason).toMatch(/entry file \S+dist\/index\.js \(from package\.json exports\) does not exist; is the package built\?/);
  });

  it('refuses a built-in whose manifest declares the wrong kind, without importing it', async () => {
    await install('plugin-source-http', ['plugin-storage-disk-wrong-kind', 'plugin-storage-disk']);
    const err = await startupError(options());
    expect(err.failures).toHaveLength(1);
    expect(err.failures[0]).toMatchObject({ code: 'D7Y_ERR_PLUGIN_INVALID', id: 'source/disk' });
    expect(err.failures[0].reason).toMatch(/d7y\.kind is 'source' but built-in @d7y\/plugin-storage-disk takes 'storage' plugins; not imported/);
    expect((globalThis as { __d7yFixtureImports?: Record<string, number> }).__d7yFixtureImports?.wrongKindBuiltin).toBeUndefined();
  });

  it('refuses a pluginDir plugin claiming a built-in scheme without overrides, naming both files', async () => {
    await install('plugin-source-http', 'plugin-storage-disk');
    const err = await startupError(options({ slots: [{ name: 'backend', dir: fixture('duplicate-scheme'), kind: 'source' }] }));
    expect(err.failures).toHaveLength(1);
    const [failure] = err.failures;
    expect(failure).toMatchObject({ code: 'D7Y_ERR_PLUGIN_DUPLICATE', id: 'source/duplicate-scheme', from: fixture('duplicate-scheme', 'duplicate-scheme.js') });
    expect(failure.reason).toBe(
      `duplicate plugin: scheme 'http' already provided by source/http (builtin ${join(installed('plugin-source-http'), 'lib', 'index.js')}); set overrides: true to replace the built-in`,
    );
    expect(err.message).toContain(fixture('duplicate-scheme', 'duplicate-scheme.js'));
    expect(err.message).toContain(join(installed('plugin-source-http'), 'lib', 'index.js'));
  });

  it('refuses two pluginDir plugins with the same (kind, name)', async () => {
    await install('plugin-source-http', 'plugin-storage-disk');
    const esm = { dir: fixture('esm'), kind: 'source' as const };
    const err = await startupError(options({ slots: [{ name: 'first', ...esm }, { name: 'second', ...esm }] }));
    expect(err.failures).toHaveLength(1);
    expect(err.failures[0]).toMatchObject({ code: 'D7Y_ERR_PLUGIN_DUPLICATE', id: 'source/esm' });
    expect(err.failures[0].reason).toMatch(/name source\/esm, scheme 'esm' already provided by source\/esm \(pluginDir \S+esm\.js\)$/);
  });

  it('lets a pluginDir plugin with overrides: true replace a built-in, logged at warn with both origins', async () => {
    await install('plugin-source-http', 'plugin-storage-disk');
    const opts = options({ slots: pluginDirSlots('dfdaemon', fixture('override')).map((s) => ({ ...s, dir: fixture('override') })) });
    const registry = await loadPlugins(opts);
    const builtinFile = join(installed('plugin-source-http'), 'lib', 'index.js');
    const overrideFile = fixture('override', 'http-override.js');
    expect(registry.list().map((p) => `${p.kind}/${p.name}`)).toEqual(['storage/disk', 'source/http-override']);
    expect(registry.list()[1].replaced).toEqual([{ id: 'source/http', from: builtinFile }]);
    expect((registry.sourceFor('http://x') as unknown as { fixture: string }).fixture).toBe('http-override');
    expect((registry.sourceFor('https://x') as unknown as { fixture: string }).fixture).toBe('http-override');
    const warns = opts.logger.records.filter((r) => r.level === 'warn');
    expect(warns).toHaveLength(1);
    expect(warns[0].fields).toMatchObject({ plugin: 'source/http-override', from: overrideFile, replaces: 'source/http', replacedFrom: builtinFile });
    expect(warns[0].message).toContain(overrideFile);
    expect(warns[0].message).toContain(builtinFile);

    const report = await inspectPlugins({ ...opts, container: undefined, logger: undefined });
    expect(formatPluginReport(report)).toContain(`overrides source/http (${builtinFile})`);
  });

  it('serves evaluators for the scheduler: built-in default plus the pluginDir evaluator', async () => {
    await install('plugin-scheduler-default');
    const registry = await loadPlugins(options({ role: 'scheduler', slots: pluginDirSlots('scheduler', fixture('evaluator'), { algorithm: 'plugin' }) }));
    expect((registry.evaluatorFor('default') as unknown as { fixture: string }).fixture).toBe('builtin-default-evaluator');
    expect((registry.evaluatorFor('plugin') as unknown as { fixture: string }).fixture).toBe('custom-evaluator');
    expect(() => registry.evaluator('ml')).toThrow(expect.objectContaining({ code: 'D7Y_ERR_NOT_FOUND' }));
  });

  it('serves database drivers and shared state for the manager; close() closes all and reports failures together', async () => {
    await install('plugin-database-sqlite', 'plugin-database-redis');
    const registry = await loadPlugins(options({ role: 'manager', pluginConfig: { database: { sqlite: { path: '/tmp/x.db' } } } }));
    expect(registry.list().map((p) => p.name)).toEqual(['sqlite', 'redis']);
    const sqlite = registry.database('sqlite') as unknown as { fixture: string; config: object };
    expect(sqlite).toMatchObject({ fixture: 'builtin-sqlite', config: { path: '/tmp/x.db' } });
    expect(registry.database('sqlite')).toBe(sqlite);
    expect((registry.sharedState('redis') as unknown as { fixture: string }).fixture).toBe('builtin-redis');
    expect(() => registry.sharedState('sqlite')).toThrow(expect.objectContaining({ code: 'D7Y_ERR_NOT_FOUND', message: expect.stringContaining('provides no d7y.plugin-api.v1.SharedStateBackend') }));
    expect(() => registry.database('postgres')).toThrow(expect.objectContaining({ code: 'D7Y_ERR_NOT_FOUND', message: "no database plugin named 'postgres' is loaded (loaded: sqlite, redis)" }));
    await expect(registry.close()).rejects.toMatchObject({ code: 'D7Y_ERR_INTERNAL', message: expect.stringContaining('redis close failed') });
  });

  it('lists the built-ins of each role', () => {
    expect(builtinPlugins('dfdaemon').map((b) => [b.specifier, b.optional])).toEqual([
      ['@d7y/plugin-source-http', false],
      ['@d7y/plugin-source-s3', true],
      ['@d7y/plugin-source-oss', true],
      ['@d7y/plugin-source-hdfs', true],
      ['@d7y/plugin-storage-disk', false],
    ]);
    expect(builtinPlugins('scheduler').map((b) => b.specifier)).toEqual(['@d7y/plugin-scheduler-default', '@d7y/plugin-scheduler-ml']);
    expect(builtinPlugins('manager').filter((b) => !b.optional).map((b) => b.specifier)).toEqual(['@d7y/plugin-database-sqlite']);
    expect(builtinPlugins('dfget')).toEqual([]);
  });

  it('finds the real workspace packages from the kernel by default (without importing them)', async () => {
    const dir = await findPackageDir('@d7y/plugin-source-http', DEFAULT_RESOLVE_FROM);
    expect(dir).toBe(fileURLToPath(new URL('../../plugins/source-http', import.meta.url)));
    expect(await findPackageDir('@d7y/plugin-does-not-exist', DEFAULT_RESOLVE_FROM)).toBeUndefined();
  });
});
