// Swarm benchmarks (reference/performance.md, Method + appendix 6): scenario B (d7y: origin + seed peer in ns0,
// scheduler on the bridge, N dfdaemons in ns1..nsN, cold flash crowd), scenario C (aria2c + opentracker, same F, N,
// U, in the same run, see bittorrent.mjs) and scenario D (theory bound from the measured tbf rates).
// Rows: P1 (origin egress E), P2/P3 (T_last / T*), P4 (T_last d7y / T_last aria2), B* (CPU, RSS, traffic split),
// C* (aria2 reference), D1 (theory).
// Without root or network namespaces it falls back to loopback with application-level rate limits and says so.
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import { stringify } from 'yaml';

import { bittorrentRun, bittorrentAvailable, sha256File } from './bittorrent.mjs';
import { BIN, MiB, freePort, REPO, tempDir, writeRandomFile } from './lib.mjs';
import { createTopology, egressBetween, freePortOn, measureEgress, measureIngress, namespacesAvailable, spawnTracked, stopProcess, waitPort } from './netns.mjs';
import { busyOver, cpuOf, cpuSampler, resetPeak, rss } from './procstat.mjs';
import { schedulerBuilt, startScheduler, tail } from './schedulerLoad.mjs';

const env = (name, fallback) => (process.env[name] === undefined || process.env[name] === '' ? fallback : process.env[name]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes) => bytes / MiB;
const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** Options from the environment (documented in the report and printed at the start of the suite). */
export function swarmOptions() {
  return {
    n: Number(env('D7Y_BENCH_N', 8)),
    uMbit: Number(env('D7Y_BENCH_U_MBIT', 100)),
    b0Mbit: Number(env('D7Y_BENCH_B0_MBIT', 100)),
    sizesMiB: String(env('D7Y_BENCH_F_MIB', '256,64'))
      .split(',')
      .map(Number)
      .filter((x) => x > 0),
    aria2: env('D7Y_BENCH_ARIA2', '1') !== '0',
    retryInterval: env('D7Y_BENCH_RETRY_INTERVAL', '100ms'),
  };
}

/** Theory bound (appendix 5), rates in Mbit/s (goodput), F in bytes: seconds. */
export function theory({ F, n, b0Mbit, uMbits, dMbit }) {
  const B0 = (b0Mbit * 1e6) / 8;
  const sumU = uMbits.reduce((a, b) => a + (b * 1e6) / 8, 0);
  const D = Number.isFinite(dMbit) && dMbit > 0 ? (dMbit * 1e6) / 8 : Infinity;
  const terms = { origin: F / B0, download: F / D, aggregate: (n * F) / (B0 + sumU) };
  const tStar = Math.max(terms.origin, terms.download, terms.aggregate);
  const bound = Object.entries(terms).find(([, v]) => v === tStar)[0];
  return { tStar, bound, terms, tCS: Math.max((n * F) / B0, F / D) };
}

export async function swarmBenchmarks(opts = swarmOptions()) {
  const { n, uMbit, b0Mbit, sizesMiB } = opts;
  const rows = [];
  const failures = [];
  const ns = await namespacesAvailable();
  const mode = ns.ok ? 'netns' : 'loopback';
  console.log(
    `swarm: N=${n} peers, U=${uMbit} Mbit/s per peer upload, B0=${b0Mbit} Mbit/s origin-site upload, F=${sizesMiB.join(', ')} MiB, ` +
      (ns.ok ? 'network namespaces + tbf' : `FALLBACK: ${ns.reason}; loopback with application-level rate limits (upload.bandwidthLimit / aria2 --max-upload-limit), origin egress from application counters`),
  );
  const work = tempDir('swarm');
  const files = join(work, 'files');
  mkdirSync(files, { recursive: true });
  const digests = {};
  for (const size of sizesMiB) digests[size] = writeRandomFile(join(files, `swarm-${size}.bin`), size * MiB);

  const net = ns.ok ? await namespaceNet(n, uMbit, b0Mbit) : await loopbackNet(n, uMbit, b0Mbit);
  const results = { d7y: {}, aria2: {} };
  let origin;
  try {
    console.log(
      `  measured rates (${net.rateMethod}): origin-site egress ${fmt(net.b0Mbit, 1)} Mbit/s, peer egress ${fmt(Math.min(...net.uMbits), 1)}-${fmt(Math.max(...net.uMbits), 1)} Mbit/s, peer download ${Number.isFinite(net.dMbit) ? `${fmt(net.dMbit, 0)} Mbit/s (uncapped)` : 'uncapped'}`,
    );
    origin = await startOrigin(net, files);
    for (const size of sizesMiB) {
      const F = size * MiB;
      const t = theory({ F, n, b0Mbit: net.b0Mbit, uMbits: net.uMbits, dMbit: net.dMbit });
      rows.push({ id: 'D1', metric: `theory T* = max(F/B0, F/D, N*F/(B0+sum U)), F=${size} MiB, N=${n}, measured rates`, value: t.tStar, unit: 's', target: '-', detail: `bound by ${t.bound} term; client-server T_CS = ${fmt(t.tCS, 1)} s` });
    }

    // Scenario B: d7y
    let cluster;
    let clusterError;
    if (!schedulerBuilt()) clusterError = new Error('core/dist/scheduler is missing: the scheduler role is not built (run npx tsc -b)');
    else {
      try {
        cluster = await startCluster(net, work, opts);
      } catch (error) {
        clusterError = error;
      }
    }
    for (const size of [...sizesMiB].sort((a, b) => a - b)) {
      if (clusterError) {
        failures.push(`d7y swarm F=${size} MiB: ${clusterError.message}`);
        continue;
      }
      try {
        results.d7y[size] = await d7yRun(net, cluster, origin, work, size, digests[size]);
        await sleep(1000);
      } catch (error) {
        failures.push(`d7y swarm F=${size} MiB: ${error.message}`);
      }
    }
    if (cluster) await cluster.stop();

    // Scenario C: aria2 + opentracker
    if (opts.aria2) {
      const bt = await bittorrentAvailable();
      if (!bt.ok) failures.push(`aria2 reference: ${bt.reason}`);
      else {
        for (const size of [...sizesMiB].sort((a, b) => a - b)) {
          try {
            results.aria2[size] = await bittorrentRun(net, { dir: work, file: join(files, `swarm-${size}.bin`), size: size * MiB, digest: digests[size] });
            await sleep(500);
          } catch (error) {
            failures.push(`aria2 F=${size} MiB: ${error.message}`);
          }
        }
      }
    }
  } finally {
    if (origin) await origin.stop();
    await net.destroy();
    rmSync(work, { recursive: true, force: true });
  }

  for (const size of sizesMiB) {
    const F = size * MiB;
    const t = theory({ F, n, b0Mbit: net.b0Mbit, uMbits: net.uMbits, dMbit: net.dMbit });
    const d = results.d7y[size];
    const a = results.aria2[size];
    const eNote = net.mode === 'netns' ? 'tbf Sent on the origin-site veth (origin + seed peer) minus 66 B headers per packet' : 'FALLBACK: seed upload + peers back-to-source bytes from daemon metrics';
    if (d) {
      rows.push({ id: 'P1', metric: `origin egress E, cold flash crowd N=${n}, F=${size} MiB`, value: d.E, unit: 'x F', target: '<= 1.02', detail: `${eNote}; wire bytes incl. headers ${fmt(d.eWire, 3)}; daemon metrics (seed upload + back-to-source) ${fmt(d.metricsE, 3)}; origin app sent ${fmt(mib(d.originApp), 1)} MiB (to the seed over ns0 loopback); aria2 E ${a ? fmt(a.E) : 'n/a'}` });
      rows.push({
        id: F >= 256 * MiB ? 'P2' : 'P3',
        metric: `swarm completion T_last / T*, F=${size} MiB, N=${n}`,
        value: d.tLast / t.tStar,
        unit: 'x T*',
        target: F >= 256 * MiB ? '<= 1.20' : '<= 1.5',
        detail: `T_first ${fmt(d.tFirst)} s, T_p50 ${fmt(d.tP50)} s, T_last ${fmt(d.tLast)} s, T* ${fmt(t.tStar)} s; aria2 T_last/T* ${a ? fmt(a.tLast / t.tStar) : 'n/a'}; host CPU ${fmt(d.cpu.avg, 0)}% avg ${fmt(d.cpu.peak, 0)}% peak${d.cpu.avg > 70 ? ' WARNING > 70%: measures CPU, not the swarm' : ''}`,
      });
      rows.push({ id: 'B1', metric: `host CPU busy during the d7y swarm, F=${size} MiB`, value: d.cpu.avg, unit: '% (all cores)', target: '<= 70', detail: `peak 1 s ${fmt(d.cpu.peak, 0)}%; daemons + scheduler + origin used ${fmt(d.ownShare, 0)}% of the host (dfget clients not counted); ${fmt(d.background, 0)}% busy just before the run (other load on the host)` });
      rows.push({ id: 'B2', metric: `CPU-s per GB of F, F=${size} MiB (peer: mean of N daemons)`, value: d.cpuPerGB.peer, unit: 'CPU-s/GB', target: '-', detail: `seed ${fmt(d.cpuPerGB.seed)}, peer max ${fmt(d.cpuPerGB.peerMax)}, scheduler ${fmt(d.cpuPerGB.scheduler, 3)} per GB delivered to the swarm (N*F), origin ${fmt(d.cpuPerGB.origin)}; dfget clients not included` });
      rows.push({ id: 'B3', metric: `peak RSS during the run, F=${size} MiB (peer: max of N daemons)`, value: mib(d.rss.peerMax), unit: 'MiB', target: '-', detail: `seed ${fmt(mib(d.rss.seed), 0)} MiB, scheduler ${fmt(mib(d.rss.scheduler), 0)} MiB, origin ${fmt(mib(d.rss.origin), 0)} MiB (VmHWM, reset before the run)` });
      rows.push({ id: 'B4', metric: `traffic split, F=${size} MiB: share of peer bytes from remote peers`, value: d.split.remoteShare * 100, unit: '%', target: '-', detail: d.split.summary });
    } else {
      rows.push({ id: F >= 256 * MiB ? 'P2' : 'P3', metric: `swarm completion T_last / T*, F=${size} MiB, N=${n}`, value: NaN, unit: 'x T*', target: F >= 256 * MiB ? '<= 1.20' : '<= 1.5', detail: `FAILED: ${failures.find((f) => f.startsWith(`d7y swarm F=${size} `)) ?? 'not run'}` });
    }
    if (a) {
      rows.push({ id: 'C1', metric: `aria2 + opentracker T_last / T*, F=${size} MiB, N=${n}, piece ${a.pieceKiB} KiB`, value: a.tLast / t.tStar, unit: 'x T*', target: '-', detail: `T_first ${fmt(a.tFirst)} s, T_p50 ${fmt(a.tP50)} s, T_last ${fmt(a.tLast)} s; host CPU ${fmt(a.cpu.avg, 0)}% avg` });
      rows.push({ id: 'C2', metric: `aria2 origin egress E, F=${size} MiB`, value: a.E, unit: 'x F', target: '-', detail: a.eNote });
    }
    if (d && a) {
      rows.push({ id: 'P4', metric: `T_last(d7y) / T_last(aria2), F=${size} MiB, N=${n}, same run`, value: d.tLast / a.tLast, unit: 'x aria2', target: '< 1.0', detail: `d7y ${fmt(d.tLast)} s vs aria2 ${fmt(a.tLast)} s; E d7y ${fmt(d.E)} vs aria2 ${fmt(a.E)}` });
    } else if (opts.aria2) {
      rows.push({ id: 'P4', metric: `T_last(d7y) / T_last(aria2), F=${size} MiB, N=${n}, same run`, value: NaN, unit: 'x aria2', target: '< 1.0', detail: `FAILED: ${d ? '' : 'd7y run missing; '}${a ? '' : 'aria2 run missing'}` });
    }
  }
  for (const f of failures) console.error(`\n!!! SWARM BENCHMARK FAILED: ${f}\n`);
  return { rows, failures };
}

// ---------------------------------------------------------------- networks

/** Network namespaces + tbf; `peerRates` (Mbit/s per peer) defaults to `uMbit` for every peer. */
export async function namespaceNet(n, uMbit, b0Mbit, peerRates = Array(n).fill(uMbit)) {
  const topo = await createTopology({ nodes: n + 1, rates: [b0Mbit, ...peerRates] });
  try {
    const [b0] = await measureEgress(topo, [0], 2);
    const us = await measureEgress(topo, topo.nodes.slice(1).map((x) => x.index), 2);
    const d = await measureIngress(topo, 1, 1);
    return {
      mode: 'netns',
      rateMethod: 'iperf3 goodput over tbf, all peers at once',
      topo,
      hostIp: topo.hostIp,
      ip: (i) => topo.nodes[i].ip,
      b0Mbit: b0,
      uMbits: us,
      dMbit: d,
      ports: async (i) => ({ base: 4100 }),
      spawnIn: (i, cmd, args, options) => topo.spawnIn(i, cmd, args, options),
      originSent: () => topo.sentBytes(0),
      freePortOnHost: () => freePortOn(topo.hostIp),
      uploadLimit: () => undefined,
      destroy: () => topo.destroy(),
      nodes: n + 1,
    };
  } catch (error) {
    await topo.destroy();
    throw error;
  }
}

/** FALLBACK without namespaces: application-level upload limits; `peerRates` as for `namespaceNet`. */
export async function loopbackNet(n, uMbit, b0Mbit, peerRates = Array(n).fill(uMbit)) {
  return {
    mode: 'loopback',
    rateMethod: 'nominal application-level limits (FALLBACK, not measured)',
    hostIp: '127.0.0.1',
    ip: () => '127.0.0.1',
    b0Mbit,
    uMbits: peerRates,
    dMbit: NaN,
    ports: async () => ({ base: undefined }),
    spawnIn: (_i, cmd, args, options) => spawnTracked(cmd, args, options),
    originSent: async () => undefined,
    freePortOnHost: () => freePort(),
    uploadLimit: (i) => Math.floor(((i === 0 ? b0Mbit : peerRates[i - 1]) * 1e6) / 8),
    destroy: async () => {},
    nodes: n + 1,
  };
}

// ---------------------------------------------------------------- origin, cluster

export async function startOrigin(net, files) {
  const port = net.mode === 'netns' ? 8080 : await freePort();
  const child = net.spawnIn(0, process.execPath, [join(REPO, 'test/bench/originServer.mjs'), files, net.ip(0), String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => (out += c) && out.includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`origin exited ${code}: ${out}`)));
  });
  const base = `http://${net.ip(0)}:${port}`;
  return {
    pid: child.pid,
    url: (name) => `${base}/${name}`,
    stats: () => httpGet(`${base}/__stats`).then(JSON.parse),
    stop: () => stopProcess(child),
  };
}

/** Scheduler + seed + N daemons; `opts.schedulerConfig` is merged into the scheduler's config (the ml suite). */
export async function startCluster(net, work, opts) {
  const schedPort = net.mode === 'netns' ? await net.freePortOnHost() : undefined;
  const extra = { ...opts.schedulerConfig, scheduler: { retryInterval: opts.retryInterval, ...opts.schedulerConfig?.scheduler } };
  const sched = await startScheduler({ ip: net.hostIp, port: schedPort, name: 'swarm-sched', extra });
  const starts = [];
  for (let i = 0; i < net.nodes; i++) starts.push(startDaemon(net, i, work, sched.addr, i === 0));
  const settled = await Promise.allSettled(starts);
  const daemons = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(daemons.map((d) => d.stop()));
    await sched.stop();
    throw failed.reason;
  }
  return {
    sched,
    seed: daemons[0],
    peers: daemons.slice(1),
    async stop() {
      await Promise.all(daemons.map((d) => d.stop()));
      await sched.stop();
    },
  };
}

async function startDaemon(net, i, work, schedAddr, seed) {
  const dir = join(work, `daemon-${i}`);
  mkdirSync(join(dir, 'plugins'), { recursive: true });
  const ip = net.ip(i);
  const port = async (k) => (net.mode === 'netns' ? 4100 + k : await freePort());
  const ports = { upload: await port(0), piece: await port(1), metrics: await port(2), health: await port(3), stats: await port(4), proxy: await port(5) };
  const limit = net.uploadLimit(i);
  const config = {
    host: { hostname: seed ? 'seed' : `peer-${i}`, ip },
    server: { pluginDir: join(dir, 'plugins'), cacheDir: join(dir, 'cache') },
    download: { server: { socketPath: join(dir, 'dfdaemon.sock') } },
    upload: { server: { ip, port: ports.upload }, ...(limit ? { bandwidthLimit: limit } : {}) },
    storage: { dir: join(dir, 'storage'), server: { ip, tcpPort: ports.piece } },
    metrics: { server: { ip, port: ports.metrics } },
    health: { server: { ip, port: ports.health } },
    stats: { server: { ip, port: ports.stats } },
    proxy: { server: { ip, port: ports.proxy } },
    log: { level: 'warn' },
    scheduler: { netAddrs: [schedAddr] },
    ...(seed ? { seedPeer: { enable: true } } : {}),
  };
  writeFileSync(join(dir, 'dfdaemon.yaml'), stringify(config));
  const log = openSync(join(dir, 'dfdaemon.log'), 'w');
  // D7Y_BENCH_DAEMON_NODE_ARGS: extra node flags for the daemons, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const nodeArgs = String(env('D7Y_BENCH_DAEMON_NODE_ARGS', '')).split(/\s+/).filter(Boolean);
  const child = net.spawnIn(i, process.execPath, [...nodeArgs, BIN.dfdaemon, '--config', join(dir, 'dfdaemon.yaml')], { stdio: ['ignore', log, log], cwd: REPO });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dfdaemon ${i} exited ${child.exitCode}: ${tail(join(dir, 'dfdaemon.log'), 5)}`);
    if ((await httpStatus(`http://${ip}:${ports.health}/healthy`)) === 200) break;
    if (Date.now() > deadline) throw new Error(`dfdaemon ${i} not healthy in 30 s: ${tail(join(dir, 'dfdaemon.log'), 5)}`);
    await sleep(100);
  }
  return {
    i,
    pid: child.pid,
    dir,
    socket: join(dir, 'dfdaemon.sock'),
    log: join(dir, 'dfdaemon.log'),
    metrics: () => httpGet(`http://${ip}:${ports.metrics}/metrics`),
    stop: () => stopProcess(child),
  };
}

// ---------------------------------------------------------------- one d7y run

/** One cold flash crowd of `size` MiB; `run` makes it a new task (`?run=` on the URL) when a file is reused. */
export async function d7yRun(net, cluster, origin, work, size, digest, { run } = {}) {
  const F = size * MiB;
  const name = `swarm-${size}.bin`;
  const url = run ? `${origin.url(name)}?run=${run}` : origin.url(name);
  const out = join(work, `out-${size}`);
  mkdirSync(out, { recursive: true });
  const roles = { seed: cluster.seed.pid, scheduler: cluster.sched.pid, origin: origin.pid, peers: cluster.peers.map((p) => p.pid) };
  const allPids = [roles.seed, roles.scheduler, roles.origin, ...roles.peers];
  for (const pid of allPids) resetPeak(pid);
  const trafficBefore = await Promise.all([cluster.seed, ...cluster.peers].map((d) => d.metrics().then(parseTraffic)));
  const cpuBefore = new Map(allPids.map((pid) => [pid, cpuOf(pid)]));
  const background = await busyOver(500);
  const sentBefore = await net.originSent();
  const sampler = cpuSampler(1000);
  const t0 = performance.now();
  const timeoutMs = Math.max(180_000, 8 * ((F * 8) / (net.b0Mbit * 1e6)) * 1000);
  const runs = cluster.peers.map((peer, k) => {
    const child = net.spawnIn(peer.i, process.execPath, [BIN.dfget, url, '-O', join(out, `peer-${k + 1}`), '-e', peer.socket, '--no-progress', '--console'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.stdout.resume();
    const timer = setTimeout(() => stopProcess(child, 500), timeoutMs);
    return new Promise((resolve) =>
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, seconds: (performance.now() - t0) / 1000, stderr: stderr.trim() });
      }),
    );
  });
  const done = await Promise.all(runs);
  const sentAfter = await net.originSent();
  const cpu = sampler.stop();
  const cpuAfter = new Map(allPids.map((pid) => [pid, cpuOf(pid)]));
  const peaks = new Map(allPids.map((pid) => [pid, rss(pid).hwm]));
  const failed = done.map((r, k) => ({ ...r, k: k + 1 })).filter((r) => r.code !== 0);
  if (failed.length) {
    throw new Error(`${failed.length}/${done.length} dfget failed, e.g. peer ${failed[0].k} exit ${failed[0].code}: ${failed[0].stderr.split('\n').slice(-3).join(' | ')}; scheduler log: ${tail(cluster.sched.log, 3)}`);
  }
  const trafficAfter = await Promise.all([cluster.seed, ...cluster.peers].map((d) => d.metrics().then(parseTraffic)));
  const originStats = await origin.stats().catch(() => ({ sent: {} }));
  // correctness, outside the timing
  for (let k = 1; k <= cluster.peers.length; k++) {
    const got = await sha256File(join(out, `peer-${k}`));
    if (got !== digest) throw new Error(`peer ${k} output differs from the origin file (sha256 ${got})`);
  }
  rmSync(out, { recursive: true, force: true });

  const times = done.map((r) => r.seconds).sort((a, b) => a - b);
  const delta = (i, type) => (trafficAfter[i][type] ?? 0) - (trafficBefore[i][type] ?? 0);
  const perPeer = cluster.peers.map((_, k) => ({
    peer: k + 1,
    remote: delta(k + 1, 'REMOTE_PEER'),
    source: delta(k + 1, 'BACK_TO_SOURCE'),
    local: delta(k + 1, 'LOCAL_PEER'),
    uploaded: delta(k + 1, 'upload'),
  }));
  const seedUpload = delta(0, 'upload');
  const peerBytes = perPeer.reduce((a, p) => a + p.remote + p.source + p.local, 0);
  const remoteBytes = perPeer.reduce((a, p) => a + p.remote, 0);
  const metricsE = (seedUpload + perPeer.reduce((a, p) => a + p.source, 0)) / F;
  const egress = egressBetween(sentBefore, sentAfter);
  const E = net.mode === 'netns' ? egress.payload / F : metricsE;
  const eWire = egress.wire / F;
  console.log(`  d7y F=${size} MiB: T_first ${fmt(times[0])} s, T_last ${fmt(times.at(-1))} s, E ${fmt(E, 3)} (wire incl. headers ${fmt(eWire, 3)}; daemon metrics ${fmt(metricsE, 3)}), seed uploaded ${fmt(mib(seedUpload), 1)} MiB`);
  for (const p of perPeer) {
    console.log(`    peer ${p.peer}: remote_peer ${fmt(mib(p.remote), 1)} MiB, back_to_source ${fmt(mib(p.source), 1)} MiB, local_peer ${fmt(mib(p.local), 1)} MiB, uploaded ${fmt(mib(p.uploaded), 1)} MiB; ${done[p.peer - 1].seconds.toFixed(2)} s`);
  }
  const cpuDelta = (pid) => cpuAfter.get(pid) - cpuBefore.get(pid);
  const GB = F / 1e9;
  const ownShare = (allPids.reduce((a, pid) => a + cpuDelta(pid), 0) / (times.at(-1) * availableParallelism())) * 100;
  const peerCpu = roles.peers.map((pid) => cpuDelta(pid) / GB);
  return {
    F,
    times,
    tFirst: times[0],
    tP50: times[Math.floor((times.length - 1) / 2)],
    tLast: times.at(-1),
    E,
    eWire,
    metricsE,
    originApp: originStats.sent[`/${name}`] ?? NaN,
    cpu,
    ownShare,
    background,
    cpuPerGB: {
      peer: peerCpu.reduce((a, b) => a + b, 0) / peerCpu.length,
      peerMax: Math.max(...peerCpu),
      seed: cpuDelta(roles.seed) / GB,
      scheduler: cpuDelta(roles.scheduler) / (GB * roles.peers.length),
      origin: cpuDelta(roles.origin) / GB,
    },
    rss: { peerMax: Math.max(...roles.peers.map((pid) => peaks.get(pid))), seed: peaks.get(roles.seed), scheduler: peaks.get(roles.scheduler), origin: peaks.get(roles.origin) },
    perPeer,
    seedUpload,
    split: {
      remoteShare: peerBytes ? remoteBytes / peerBytes : NaN,
      summary: `per peer remote/source MiB: ${perPeer.map((p) => `${fmt(mib(p.remote), 0)}/${fmt(mib(p.source), 0)}`).join(' ')}; seed uploaded ${fmt(mib(seedUpload), 0)} MiB (dragonfly_client_download_traffic / _upload_traffic)`,
    },
  };
}

/** {REMOTE_PEER, BACK_TO_SOURCE, LOCAL_PEER, upload} byte counters from a dfdaemon /metrics page. */
function parseTraffic(text) {
  const out = {};
  for (const m of text.matchAll(/^dragonfly_client_download_traffic\{([^}]*)\} ([0-9.e+]+)/gm)) {
    const type = /type="([^"]+)"/.exec(m[1])?.[1]?.toUpperCase();
    if (type) out[type] = (out[type] ?? 0) + Number(m[2]);
  }
  for (const m of text.matchAll(/^dragonfly_client_upload_traffic(?:\{[^}]*\})? ([0-9.e+]+)/gm)) out.upload = (out.upload ?? 0) + Number(m[1]);
  return out;
}

function httpGet(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}
