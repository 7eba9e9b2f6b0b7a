import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TestContainerd } from '../helpers/containerd.js';
import { DaemonProcess, tempDir } from '../helpers/processes.js';
import { buildImage, TestRegistry, type BuiltImage } from '../helpers/registry.js';
import { loopbackAlias, writeServerCertificate } from '../helpers/tlsFiles.js';

const run = promisify(execFile);
const sha256File = (path: string) => `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
const alias = loopbackAlias();

describe.skipIf(alias === undefined)('HTTPS registry through the proxy as HTTP(S)_PROXY, intercepted with the generated CA', () => {
  const host = alias!;
  let registry: TestRegistry;
  let daemon: DaemonProcess;
  let image: BuiltImage;
  let proxyCa: string;
  const dir = tempDir('proxy-https');

  beforeAll(async () => {
    const tls = writeServerCertificate(dir, [host, '127.0.0.1']);
    registry = await TestRegistry.start({ tls });
    image = buildImage('1.0', 5);
    await run('skopeo', ['copy', '--insecure-policy', '--dest-tls-verify=false', `oci:${image.dir}:1.0`, `docker://${registry.host}/test/hello:1.0`]);
    daemon = await DaemonProcess.create('proxy-https', {
      proxy: { registryMirror: { cert: tls.ca } },
      plugins: { source: { http: { tls: { caCert: tls.ca } } } },
    });
    await daemon.start();
    proxyCa = join(daemon.dir, 'cache', 'proxy-ca', 'ca.crt');
  });
  afterAll(async () => {
    await daemon?.stop();
    await registry?.stop();
  });

  it('curl fetches a manifest and a blob over CONNECT, trusting only the proxy CA', async () => {
    const url = `https://${host}:${registry.port}/v2/test/hello`;
    const proxy = `http://127.0.0.1:${daemon.ports.proxy}`;
    const manifest = join(dir, 'manifest.json');
    await run('curl', ['-sSf', '--proxy', proxy, '--cacert', proxyCa, '-H', 'Accept: application/vnd.oci.image.manifest.v1+json', '-o', manifest, `${url}/manifests/1.0`]);
    expect(sha256File(manifest)).toBe(image.manifest);
    const blob = join(dir, 'layer');
    const { stdout } = await run('curl', ['-sSf', '--proxy', proxy, '--cacert', proxyCa, '-D', '-', '-o', blob, `${url}/blobs/${image.layer}`]);
    expect(sha256File(blob)).toBe(image.layer);
    expect(stdout.toLowerCase()).toContain('x-dragonfly-task-id:');
    // Without trusting the proxy CA the client refuses the intercepted connection.
    await expect(run('curl', ['-sSf', '--proxy', proxy, `${url}/manifests/1.0`])).rejects.toThrow();
  });

  it('skopeo copies the image with HTTPS_PROXY, trusting the proxy CA', async () => {
    const certs = join(dir, 'certs');
    mkdirSync(certs, { recursive: true });
    copyFileSync(proxyCa, join(certs, 'ca.crt'));
    const out = join(dir, 'skopeo-out');
    await run('skopeo', ['copy', '--insecure-policy', '--src-cert-dir', certs, `docker://${host}:${registry.port}/test/hello:1.0`, `dir:${out}`], {
      env: { ...process.env, HTTPS_PROXY: `http://127.0.0.1:${daemon.ports.proxy}`, NO_PROXY: '' },
    });
    // The cert dir holds only the proxy CA, so the copy can only succeed through the intercepting proxy.
    expect(sha256File(join(out, image.layer.slice(7)))).toBe(image.layer);
  });

  it.skipIf(process.getuid?.() !== 0)('containerd (ctr) pulls with HTTPS_PROXY, trusting only the proxy CA (needs root)', async () => {
    const ctrd = await TestContainerd.start('https-proxy');
    const viaDfdaemon = async () => Number(/^dragonfly_client_proxy_request_via_dfdaemon_total (\d+)/m.exec(await daemon.metrics())?.[1] ?? 0);
    const before = await viaDfdaemon();
    try {
      const ref = `${host}:${registry.port}/test/hello:1.0`;
      await run('ctr', ['--address', ctrd.socket, '-n', 'd7y', 'image', 'pull', '--tlscacert', proxyCa, ref], {
        env: { ...process.env, HTTPS_PROXY: `http://127.0.0.1:${daemon.ports.proxy}`, NO_PROXY: '' },
      });
      const listed = await ctrd.ctr(['image', 'ls', '-q']);
      expect(listed).toContain(ref);
      // The config and layer blobs inside the intercepted tunnel went through the task engine.
      expect((await viaDfdaemon()) - before).toBe(2);
    } finally {
      await ctrd.stop();
    }
  });
});
