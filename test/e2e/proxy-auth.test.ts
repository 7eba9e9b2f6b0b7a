import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { send } from '../helpers/http.js';
import { DaemonProcess, tempDir } from '../helpers/processes.js';
import { buildImage, TestRegistry, type BuiltImage } from '../helpers/registry.js';

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const BASIC = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;

describe('a registry that requires credentials, behind the proxy', () => {
  let registry: TestRegistry;
  let daemon: DaemonProcess;
  let image: BuiltImage;

  beforeAll(async () => {
    registry = await TestRegistry.start({ htpasswd: { username: 'alice', password: 's3cret' } });
    image = buildImage('1.0', 5);
    await registry.push(image, 'private/app', 'alice:s3cret');
    daemon = await DaemonProcess.create('proxy-auth', { proxy: { registryMirror: { addr: registry.url } } });
    await daemon.start();
  });
  afterAll(async () => {
    await daemon?.stop();
    await registry?.stop();
  });

  it('passes the 401 challenge through unchanged, for pass-through and for P2P blobs alike', async () => {
    const ping = await send(daemon.ports.proxy, '/v2/');
    expect(ping.status).toBe(401);
    expect(ping.headers['www-authenticate']).toBe('Basic realm="d7y-test"');
    const blob = await send(daemon.ports.proxy, `/v2/private/app/blobs/${image.layer}`);
    expect(blob.status).toBe(401);
    expect(blob.headers['www-authenticate']).toBe('Basic realm="d7y-test"');
    expect(blob.headers['x-dragonfly-error-type']).toBe('backend');
  });

  it('forwards the client\'s Authorization: manifests and blobs come through', async () => {
    const manifest = await send(daemon.ports.proxy, '/v2/private/app/manifests/1.0', { headers: ['Authorization', BASIC, 'Accept', 'application/vnd.oci.image.manifest.v1+json'] });
    expect(manifest.status).toBe(200);
    expect(sha256(manifest.body)).toBe(image.manifest);
    const blob = await send(daemon.ports.proxy, `/v2/private/app/blobs/${image.layer}`, { headers: ['Authorization', BASIC] });
    expect(blob.status).toBe(200);
    expect(sha256(blob.body)).toBe(image.layer);
  });

  it('skopeo copies through the mirror with credentials for the mirror location from its auth file', () => {
    // containers/image never sends --src-creds to a mirror; it looks up auth.json under the mirror's location.
    const dir = tempDir('skopeo-auth');
    const conf = join(dir, 'registries.conf');
    const mirror = `127.0.0.1:${daemon.ports.proxy}`;
    writeFileSync(conf, `[[registry]]\nprefix = "private.example.test"\nlocation = "private.example.test"\n\n[[registry.mirror]]\nlocation = "${mirror}"\ninsecure = true\n`);
    const authfile = join(dir, 'auth.json');
    writeFileSync(authfile, JSON.stringify({ auths: { [mirror]: { auth: Buffer.from('alice:s3cret').toString('base64') } } }));
    execFileSync('skopeo', ['--registries-conf', conf, 'copy', '--insecure-policy', '--authfile', authfile, 'docker://private.example.test/private/app:1.0', `dir:${join(dir, 'out')}`], { stdio: 'pipe', timeout: 180_000 });
    expect(sha256(readFileSync(join(dir, 'out', image.config.slice(7))))).toBe(image.config);
  });
  it('by default a cached blob is served to a client without credentials (as Dragonfly); verifyBlobAccess asks the registry first', async () => {
    // Cached by the test above with Alice's credentials.
    const open = await send(daemon.ports.proxy, `/v2/private/app/blobs/${image.layer}`);
    expect(open.status).toBe(200);
    const verifying = await DaemonProcess.create('proxy-auth-verify', { proxy: { registryMirror: { addr: registry.url, verifyBlobAccess: true } } });
    await verifying.start();
    try {
      const path = `/v2/private/app/blobs/${image.layer}`;
      const warm = await send(verifying.ports.proxy, path, { headers: ['Authorization', BASIC] });
      expect(warm.status).toBe(200);
      expect(sha256(warm.body)).toBe(image.layer);
      const anonymous = await send(verifying.ports.proxy, path);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Basic realm="d7y-test"');
      expect(anonymous.headers['x-dragonfly-error-type']).toBe('backend');
      expect(anonymous.body.length).toBe(0);
      const wrong = await send(verifying.ports.proxy, path, { headers: ['Authorization', `Basic ${Buffer.from('alice:wrong').toString('base64')}`] });
      expect(wrong.status).toBe(401);
      const again = await send(verifying.ports.proxy, path, { headers: ['Authorization', BASIC] });
      expect(again.status).toBe(200);
      expect(again.headers['x-dragonfly-task-download-finished']).toBe('true'); // from the cache, after the check
      await registry.stop();
      const down = await send(verifying.ports.proxy, path, { headers: ['Authorization', BASIC] });
      expect(down.status).toBe(502); // cannot ask the registry: fails closed
      expect(down.headers['x-dragonfly-error-type']).toBe('proxy');
    } finally {
      await verifying.stop();
    }
  });
});
