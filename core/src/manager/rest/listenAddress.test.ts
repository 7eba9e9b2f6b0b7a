import { describe, expect, it } from 'vitest';

import { parseListenAddress } from './listenAddress.js';

describe('parseListenAddress', () => {
  it('reads Dragonfly-style addresses', () => {
    expect(parseListenAddress(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
  });

  it('refuses malformed addresses naming server.rest.addr', () => {
    for (const bad of ['8080', 'host:99999', 'a b:80', '']) expect(() => parseListenAddress(bad)).toThrow(/server\.rest\.addr/);
  });
});
