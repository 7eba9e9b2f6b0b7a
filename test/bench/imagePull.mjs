// Image-pull benchmark (issue 7): a one-layer image of D7Y_BENCH_IMAGE_MIB (default 512) MiB in the real Docker
// distribution registry, copied with skopeo to a dir: straight from the registry (baseline), through node A's
// proxy as a registries.conf mirror with a cold cluster (seed peer fetches from the registry, A from the seed), and
// through node B's proxy warm (B gets the layer from A and the seed). Rows: time ratios against the baseline and
// the registry's egress over both proxied pulls, in copies of the image (from its access log).
import { execFileSync, spawn } from 'node:child_process';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';

import { MiB, REPO, freePort, run, startDaemon, tempDir } from './lib.mjs';
import { startScheduler } from './schedulerLoad.mjs';

const fmt = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function registryUp(port) {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path: '/v2/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on('error', () => resolve(false));
  });
}

async function startRegistry() {
  const dir = tempDir('registry');
  const port = await freePort();
  const config = join(dir, 'registry.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\nhealth:\n  storagedriver:\n    enabled: false\n`);
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { port, log: '', stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
  child.stdout.on('data', (c) => (state.log += c));
  child.stderr.on('data', (c) => (state.log += c));
  for (let i = 0; i < 200 && !(await registryUp(port)); i++) await new Promise((r) => setTimeout(r, 50));
  return state;
}

/** Bytes the registry sent for 2xx GETs of blobs, from its access log. */
const blobBytes = (log) => [...log.matchAll(/"GET \/v2\/[^ ]*\/blobs\/sha256:[0-9a-f]{64}[^ ]* HTTP\/1\.1" 2\d\d (\d+) /g)].reduce((sum, m) => sum + Number(m[1]), 0);

function registriesConf(dir, proxyPort) {
  const path = join(dir, `registries-${proxyPort}.conf`);
  writeFileSync(path, `unqualified-search-registries = []\n\n[[registry]]\nprefix = "bench.example.test"\nlocation = "bench.example.test"\n\n[[registry.mirror]]\nlocation = "127.0.0.1:${proxyPort}"\ninsecure = true\n`);
  return path;
}

async function skopeo(args) {
  const result = await run('skopeo', args);
  if (result.code !== 0) throw new Error(`skopeo ${args.join(' ')} failed: ${result.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  return result.ms;
}

/** Runs the image-pull benchmark; returns table rows. */
export async function imagePullBenchmarks({ sizeMiB = Number(process.env.D7Y_BENCH_IMAGE_MIB ?? 512) } = {}) {
  const work = tempDir('image');
  const imageDir = join(work, 'img');
  const built = execFileSync('bash', [join(REPO, 'test/fixtures/oci/build-oci.sh'), imageDir, '1.0', String(sizeMiB)]).toString();
  const layerBytes = Number(/\((\d+) bytes\)/.exec(built)[1]);
  const registry = await startRegistry();
  const started = [registry];
  try {
    execFileSync('skopeo', ['copy', '--insecure-policy', '--dest-tls-verify=false', `oci:${imageDir}:1.0`, `docker://127.0.0.1:${registry.port}/bench/image:1.0`], { stdio: 'pipe' });
    const imageBytes = layerBytes;
    const source = `docker://127.0.0.1:${registry.port}/bench/image:1.0`;
    const out = (name) => {
      const path = join(work, name);
      rmSync(path, { recursive: true, force: true });
      return `dir:${path}`;
    };
    const direct = await skopeo(['copy', '--insecure-policy', '--src-tls-verify=false', source, out('direct')]);

    const sched = await startScheduler({ name: 'image-sched' });
    started.push(sched);
    // startDaemon merges sections shallowly: the proxy section names its own port.
    const proxy = async (extra = {}) => {
      const port = await freePort();
      return {
        scheduler: { netAddrs: [sched.addr], announceInterval: '1s' },
        proxy: {
          server: { ip: '127.0.0.1', port },
          registryMirror: { addr: `http://127.0.0.1:${registry.port}` },
          rules: [{ regex: 'blobs/sha256.*', schedulingPolicy: 'always' }],
        },
        ...extra,
      };
    };
    const seed = await startDaemon('image-seed', await proxy({ seedPeer: { enable: true } }));
    started.push(seed);
    const configA = await proxy();
    const a = await startDaemon('image-a', configA);
    started.push(a);
    const configB = await proxy();
    const b = await startDaemon('image-b', configB);
    started.push(b);
    const before = blobBytes(registry.log);
    const mirrored = (config) => ['--registries-conf', registriesConf(work, config.proxy.server.port), 'copy', '--insecure-policy', 'docker://bench.example.test/bench/image:1.0'];
    const cold = await skopeo([...mirrored(configA), out('cold')]);
    const warm = await skopeo([...mirrored(configB), out('warm')]);
    await new Promise((r) => setTimeout(r, 300));
    const egress = (blobBytes(registry.log) - before) / imageBytes;
    const pulled = statSync(join(work, 'warm', built.match(/layer sha256:([0-9a-f]{64})/)[1])).size;
    if (pulled !== layerBytes) throw new Error(`warm pull wrote ${pulled} bytes, expected ${layerBytes}`);
    const detail = `${sizeMiB} MiB layer; direct ${fmt(direct / 1000)} s, cold ${fmt(cold / 1000)} s, warm ${fmt(warm / 1000)} s (skopeo copy to dir, loopback)`;
    return [
      { id: 'I1', metric: 'image pull through the proxy, cold via seed / straight from the registry', value: cold / direct, unit: 'x time', target: '<= 1.10', detail },
      { id: 'I2', metric: 'image pull through the proxy, warm from a neighbour / straight from the registry', value: warm / direct, unit: 'x time', target: '<= 1.0', detail },
      { id: 'I3', metric: 'registry egress over the cold and the warm pull', value: egress, unit: 'copies of image', target: '<= 1.02', detail: 'blob bytes in the registry access log / layer size' },
    ];
  } finally {
    for (const service of started.reverse()) await service.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
