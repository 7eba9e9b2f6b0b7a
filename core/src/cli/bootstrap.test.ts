import { describe, expect, it } from 'vitest';

import { parseConfig } from '../config/index.js';
import { rolePluginConfig } from './bootstrap.js';

describe('rolePluginConfig', () => {
  it("fills the disk storage plugin from dfdaemon.yaml's storage keys; an explicit plugin section wins", () => {
    const { config } = parseConfig('dfdaemon', 'storage:\n  dir: /data/d7y\n  keep: true\n  readBufferSize: 1MiB\n  writeBufferSize: 256KiB\n', 'dfdaemon.yaml');
    expect(rolePluginConfig('dfdaemon', config).storage?.disk).toEqual({ dir: '/data/d7y', keep: true, readBufferSize: 1024 * 1024, writeBufferSize: 256 * 1024 });
    const { config: explicit } = parseConfig('dfdaemon', 'storage:\n  readBufferSize: 1MiB\nplugins:\n  storage:\n    disk:\n      readBufferSize: 65536\n', 'dfdaemon.yaml');
    expect(rolePluginConfig('dfdaemon', explicit).storage?.disk).toMatchObject({ readBufferSize: 65536 });
  });
});
