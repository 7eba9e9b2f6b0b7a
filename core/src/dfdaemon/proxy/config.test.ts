import { describe, expect, it } from 'vitest';

import { parseConfig } from '../../config/index.js';

describe('proxy config', () => {
  it('binds the proxy to loopback unless configured, while other servers keep their wildcard default', () => {
    const { config } = parseConfig('dfdaemon', '', 'dfdaemon.yaml');
    expect(config.proxy.server.ip).toBe('127.0.0.1');
    expect(config.proxy.server.port).toBe(4001);
    expect(config.upload.server.ip).toBe('0.0.0.0');
    expect(parseConfig('dfdaemon', 'network:\n  enableIPv6: true\n', 'dfdaemon.yaml').config.proxy.server.ip).toBe('::1');
    expect(parseConfig('dfdaemon', 'proxy:\n  server:\n    ip: 0.0.0.0\n', 'dfdaemon.yaml').config.proxy.server.ip).toBe('0.0.0.0');
  });
});
