import { TOKENS, type Logger, type PluginContainer, type Provider, type StorageEngine } from '@d7y/core/plugin-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { taskId, tempDir } from '../test/helpers.js';
import { DEFAULT_BUFFER_SIZE, diskStorageConfigSchema, resolveDiskStorageConfig } from './config.js';
import plugin, { DiskStorageEngine } from './index.js';

const logger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => logger };

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => cleanup());

describe('plugin', () => {
  it('is a branded storage plugin matching its package manifest', async () => {
    const manifest = (await import('../package.json', { with: { type: 'json' } })).default as { d7y: Record<string, string> };
    expect(plugin).toMatchObject({ $$type: '@d7y/Plugin', version: 'v1', kind: 'storage', name: 'disk', apiVersion: '1.0' });
    expect(manifest.d7y).toMatchObject({ kind: plugin.kind, name: plugin.name, apiVersion: plugin.apiVersion });
  });

  it('registers a factory that builds an engine from the config', async () => {
    const providers = new Map<unknown, Provider<unknown>>();
    const container: PluginContainer = {
      register: (token, provider) => void providers.set(token, provider as Provider<unknown>),
      resolve: () => {
        throw new Error('unused');
      },
      isRegistered: (token) => providers.has(token),
    };
    const parsed = plugin.configSchema!.safeParse({ dir, keep: true });
    expect(parsed.success).toBe(true);
    await plugin.register({ container, config: parsed.success ? parsed.data : (undefined as never), logger, egress: {} as never, role: 'dfdaemon' });
    const provider = providers.get(TOKENS.StorageEngine) as { useFactory: (c: PluginContainer) => StorageEngine };
    const engine = provider.useFactory(container);
    expect(engine).toBeInstanceOf(DiskStorageEngine);
    await engine.open();
    const id = taskId('plugin');
    await engine.putTask({ id, url: 'u', pieceLength: 4, contentLength: 4, pieceCount: 1 });
    await engine.writePiece(id, { number: 0, offset: 0, length: 4 }, Buffer.from('abcd'));
    expect((await engine.finishTask(id)).finishedPieceCount).toBe(1);
    await engine.close();
  });
});

describe('config', () => {
  it('fills defaults and makes dir absolute', () => {
    expect(resolveDiskStorageConfig({ dir: 'relative/data' })).toEqual({
      dir: `${process.cwd()}/relative/data`,
      keep: false,
      writeBufferSize: DEFAULT_BUFFER_SIZE,
      readBufferSize: DEFAULT_BUFFER_SIZE,
    });
  });

  it('reports every problem with its path', () => {
    const result = diskStorageConfigSchema.safeParse({ keep: 'yes', writeBufferSize: 1, readBufferSize: 2 ** 40, dri: '/x' });
    expect(result.success).toBe(false);
    const paths = result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
    expect(paths.sort()).toEqual(['dir', 'dri', 'keep', 'readBufferSize', 'writeBufferSize']);
    expect(diskStorageConfigSchema.safeParse(undefined).success).toBe(false);
    expect(() => resolveDiskStorageConfig({ dir: '' })).toThrow(expect.objectContaining({ code: 'D7Y_ERR_INVALID_CONFIG' }));
  });
});
