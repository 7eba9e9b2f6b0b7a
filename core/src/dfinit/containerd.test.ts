import { describe, expect, it } from 'vitest';

import { configuredHostsDir, containerdPlan, hostsToml, withConfigPath } from './containerd.js';
import { parseProxyUrl, parseRegistryTarget } from './registry.js';

const proxy = parseProxyUrl('http://127.0.0.1:4001');

describe('d7y init containerd', () => {
  it('writes the hosts.toml of Dragonfly\'s dfinit, or a _default one without server and header', () => {
    expect(hostsToml(proxy, parseRegistryTarget('docker.io'))).toBe(
      [
        '# Written by d7y init containerd: pull through the local dfdaemon proxy.',
        'server = "https://index.docker.io"',
        '',
        '[host."http://127.0.0.1:4001"]',
        '  capabilities = ["pull", "resolve"]',
        '',
        '[host."http://127.0.0.1:4001".header]',
        '  X-Dragonfly-Registry = "https://index.docker.io"',
        '',
      ].join('\n'),
    );
    const all = hostsToml(proxy, undefined);
    expect(all).not.toMatch(/server|X-Dragonfly/);
  });

  it('sets config_path in the CRI section of config v2 and v3, inserting into an existing section, once', () => {
    expect(withConfigPath('', '/h')).toBe('version = 2\n\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/h"\n');
    expect(withConfigPath('version = 3\n', '/h')).toContain('[plugins."io.containerd.cri.v1.images".registry]\n  config_path = "/h"');
    const existing = 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  foo = 1\n';
    expect(withConfigPath(existing, '/h')).toBe('version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/h"\n  foo = 1\n');
    const set = withConfigPath(existing, '/h');
    expect(withConfigPath(set, '/other')).toBe(set);
    expect(configuredHostsDir(set)).toBe('/h');
    expect(() => withConfigPath('[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]\n', '/h')).toThrow(/registry.mirrors/);
  });

  it('writes hosts files into the config_path that config.toml already names, and refuses a conflicting --hosts-dir', () => {
    const current = '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
    const files = containerdPlan({ proxy, registries: [parseRegistryTarget('http://127.0.0.1:5000')], all: false, configPath: '/c.toml', currentConfig: current });
    expect(files.map((file) => file.path)).toEqual(['/c.toml', '/etc/containerd/certs.d/127.0.0.1:5000/hosts.toml']);
    expect(files[0]!.content).toBe(current);
    expect(() => containerdPlan({ proxy, registries: [], all: true, configPath: '/c.toml', currentConfig: current, hostsDir: '/x' })).toThrow(/already sets config_path/);
  });

  it('parses registries and the proxy address strictly', () => {
    expect(parseRegistryTarget('registry-1.docker.io')).toEqual({ name: 'docker.io', server: 'https://index.docker.io' });
    expect(parseRegistryTarget('https://ghcr.io')).toEqual({ name: 'ghcr.io', server: 'https://ghcr.io' });
    expect(() => parseRegistryTarget('https://u:p@ghcr.io')).toThrow(/without path or credentials/);
    expect(() => parseRegistryTarget('https://ghcr.io/v2')).toThrow();
    expect(() => parseProxyUrl('https://127.0.0.1:4001')).toThrow(/http:\/\/host:port/);
  });
});
