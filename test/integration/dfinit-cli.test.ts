import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BIN, runNode, tempDir } from '../helpers/processes.js';

const init = (args: string[]) => runNode(BIN.d7y, ['init', ...args]);

describe('d7y init', () => {
  it('containerd: --dry-run prints the diff and writes nothing; a real run writes; a rerun changes nothing', async () => {
    const dir = tempDir('init-ctrd');
    const config = join(dir, 'config.toml');
    writeFileSync(config, 'version = 2\n');
    const args = ['containerd', '--config', config, '--hosts-dir', join(dir, 'certs.d'), '--registry', 'https://ghcr.io', '--proxy', 'http://127.0.0.1:4101'];
    const dry = await init([...args, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`+[plugins."io.containerd.grpc.v1.cri".registry]`);
    expect(dry.stdout).toContain('+  X-Dragonfly-Registry = "https://ghcr.io"');
    expect(dry.stdout).toContain(`would create: ${join(dir, 'certs.d', 'ghcr.io', 'hosts.toml')}`);
    expect(existsSync(join(dir, 'certs.d'))).toBe(false);
    expect(readFileSync(config, 'utf8')).toBe('version = 2\n');

    const real = await init(args);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain(`updated: ${config}`);
    expect(real.stdout).toContain('next: restart containerd');
    expect(readFileSync(join(dir, 'certs.d', 'ghcr.io', 'hosts.toml'), 'utf8')).toContain('[host."http://127.0.0.1:4101"]');

    const again = await init(args);
    expect(again.stdout).toBe(`unchanged: ${config}\nunchanged: ${join(dir, 'certs.d', 'ghcr.io', 'hosts.toml')}\n`);
  });

  it('podman and docker write their files; docker needs the proxy CA; unknown runtimes are usage errors', async () => {
    const dir = tempDir('init-other');
    const conf = join(dir, 'registries.conf');
    const podman = await init(['podman', '--registries-conf', conf]);
    expect(podman.code).toBe(0);
    expect(readFileSync(conf, 'utf8')).toContain('prefix = "docker.io"');

    const dropin = join(dir, 'docker.service.d', 'd7y-proxy.conf');
    const trust = join(dir, 'ca-certificates', 'd7y-proxy-ca.crt');
    const missing = await init(['docker', '--dropin', dropin, '--trust-file', trust, '--ca-cert', join(dir, 'nope.crt')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('start dfdaemon once');
    writeFileSync(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const docker = await init(['docker', '--dropin', dropin, '--trust-file', trust, '--ca-cert', join(dir, 'ca.crt')]);
    expect(docker.code).toBe(0);
    expect(readFileSync(dropin, 'utf8')).toContain('Environment="HTTPS_PROXY=http://127.0.0.1:4001"');
    expect(readFileSync(trust, 'utf8')).toContain('BEGIN CERTIFICATE');

    const unknown = await init(['rkt']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown runtime');
  });
});
