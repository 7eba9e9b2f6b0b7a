/**
 * @d7y/plugin-storage-disk: the `disk` storage engine. Pieces live in one sparse content file per task under
 * `storage.dir`; task records and piece journals make the metadata crash-safe (see `DiskStorageEngine`).
 * @packageDocumentation
 */
import { definePlugin, TOKENS, type StorageEngine } from '@d7y/core/plugin-api';

import { diskStorageConfigSchema, type DiskStorageConfig } from './config.js';
import { DiskStorageEngine } from './DiskStorageEngine.js';

export { DiskStorageEngine, type DiskStorageEngineOptions } from './DiskStorageEngine.js';
export {
  DEFAULT_BUFFER_SIZE,
  diskStorageConfigSchema,
  resolveDiskStorageConfig,
  type DiskStorageConfig,
  type DiskStorageConfigInput,
} from './config.js';
export { crc32 } from './crc32.js';

/** The plugin: registers a `DiskStorageEngine` under `TOKENS.StorageEngine`, built on first resolve. */
export default definePlugin<DiskStorageConfig>({
  kind: 'storage',
  name: 'disk',
  apiVersion: '1.0',
  configSchema: diskStorageConfigSchema,
  register({ container, config, logger }) {
    container.register<StorageEngine>(TOKENS.StorageEngine, {
      useFactory: () => new DiskStorageEngine({ ...config, logger: logger.child({ component: 'storage' }) }),
    });
  },
});
