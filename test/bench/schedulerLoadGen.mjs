// Scheduler load generator (P9/P10), run as its own process by schedulerLoad.mjs (pinned to its own core).
// Argument: one JSON object {addr, hosts, tasks, pieces, latencyPieces, rate, registerRate, channels, schedulerPid}.
// Speaks the daemon's protocol with @d7y/proto + @grpc/grpc-js:
//   1. AnnounceHost for `hosts` simulated hosts (+ one source host per task).
//   2. Per task, a source peer registers, is sent back-to-source, reports every piece back-to-source (these become
//      the task's trusted digests) and finishes.
//   3. Every host registers one peer in a "flood" task and one in a "latency" task (paced at `registerRate`);
//      register -> first response latency is recorded. Then it prints `PHASE registered` and waits for a line on
//      stdin (the parent samples the scheduler's RSS).
//   4. Flood: every flood peer sends all its download_piece_finished_request events as fast as the stream takes
//      them, then download_peer_finished_request; the scheduler closes a stream only after it has handled every
//      earlier message of it (messages of a stream are handled strictly in order), so the last stream end marks
//      the moment all events were processed. events/s = events / (last end - first write).
//   5. Latency at a fixed offered rate (open loop): latency peer j is due at t0 + j * latencyPieces / rate; at its due
//      time it writes its latencyPieces piece events + download_peer_finished_request; its round trip is the time
//      from the due time (not the actual write, so client lag counts against us) to the stream end (= its last
//      event handled). p50/p99 over all latency peers.
// Prints one JSON line `RESULT {...}` at the end.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

import { credentials } from '@grpc/grpc-js';
import { grpcChannelOptions, loadProtos } from '@d7y/proto';

import { hostId, taskId } from '../../core/dist/common/ids.js';

const cfg = JSON.parse(process.argv[2]);
const PIECE = 4 * 1024 * 1024;
const { scheduler } = loadProtos();
const clients = Array.from(
  { length: cfg.channels },
  (_, i) => new scheduler.v2.Scheduler(cfg.addr, credentials.createInsecure(), grpcChannelOptions({ 'grpc.use_local_subchannel_pool': 1, 'd7y.loadgen.channel': i })),
);
const clientFor = (i) => clients[i % clients.length];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const cpuOf = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const hostCpu = () => {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
};
const busy = (a, b) => ((b.busy - a.busy) / (b.total - a.total)) * 100;
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const pct = (values, p) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const digestOf = (n) => `crc32:${(n * 2654435761) >>> 0}`;
const piece = (n, length, parentId, trafficType) => ({
  number: n,
  parentId,
  offset: n * PIECE,
  length,
  digest: digestOf(n),
  trafficType,
  cost: { seconds: 0, nanos: 5_000_000 },
  createdAt: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
});

function hostMessage(i) {
  const hostname = `lg-${i}`;
  const ip = '127.0.0.1';
  return {
    id: hostId(ip, hostname),
    type: 0,
    hostname,
    ip,
    port: 10000 + (i % 50000),
    downloadPort: 10001 + (i % 50000),
    os: 'linux',
    platform: 'linux',
    network: { maxTxBandwidth: 100e6, maxRxBandwidth: 100e6 },
    cpu: { logicalCount: 2, physicalCount: 2 },
  };
}

function announce(i) {
  const host = hostMessage(i);
  return new Promise((resolve, reject) =>
    clientFor(i).AnnounceHost({ host, interval: { seconds: 3600, nanos: 0 } }, { deadline: Date.now() + 30_000 }, (error) => (error ? reject(error) : resolve(host.id))),
  );
}

function makeTask(name, pieces) {
  const url = `http://127.0.0.1:1/${name}`;
  return { url, id: taskId({ url }), pieces, contentLength: pieces * PIECE };
}

/** Opens an AnnouncePeer stream for (host i, task) and registers; resolves {call, first response, ms}. */
function register(i, hid, task, tag) {
  const call = clientFor(i).AnnouncePeer();
  const peerId = `${hid}-${tag}-${task.id.slice(0, 8)}`;
  const ids = { hostId: hid, taskId: task.id, peerId };
  const ended = new Promise((resolve) => {
    call.on('end', () => resolve({ ok: true, at: performance.now() }));
    call.on('error', (error) => resolve({ ok: false, error: error.details ?? error.message, at: performance.now() }));
  });
  call.on('data', () => {}); // keep the stream flowing after the first response
  const started = performance.now();
  const first = new Promise((resolve, reject) => {
    call.once('data', (response) => resolve(response));
    call.once('error', reject);
  });
  call.write({
    ...ids,
    registerPeerRequest: {
      download: {
        url: task.url,
        type: 'STANDARD',
        priority: 'LEVEL6',
        concurrentPieceCount: 8,
        actualContentLength: task.contentLength,
        actualPieceLength: PIECE,
        actualPieceCount: task.pieces,
      },
    },
  });
  return first.then((response) => ({ call, ids, response, ms: performance.now() - started, ended }));
}

async function paced(count, perSecond, fn) {
  const results = new Array(count);
  const t0 = performance.now();
  const pending = [];
  for (let i = 0; i < count; i++) {
    const due = t0 + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(fn(i).then((r) => (results[i] = r)));
  }
  await Promise.all(pending);
  return { results, seconds: (performance.now() - t0) / 1000 };
}

/** Writes with backpressure: resolves when the stream accepted the message into its buffer. */
function write(call, message) {
  if (call.write(message)) return undefined;
  return new Promise((resolve) => call.once('drain', resolve));
}

async function main() {
  const out = { hosts: cfg.hosts, tasks: cfg.tasks, pieces: cfg.pieces, latencyPieces: cfg.latencyPieces, rate: cfg.rate, channels: cfg.channels };
  // 1. hosts (peers' hosts 0..K-1, source hosts K..K+2T-1)
  const totalHosts = cfg.hosts + 2 * cfg.tasks;
  const announced = await paced(totalHosts, cfg.registerRate, (i) => announce(i));
  const hostIds = announced.results;
  out.announceHostsPerSecond = totalHosts / announced.seconds;

  // 2. source peers: back-to-source, trusted pieces, finished
  const floodTasks = Array.from({ length: cfg.tasks }, (_, t) => makeTask(`flood-${process.pid}-${t}`, cfg.pieces));
  const latencyTasks = Array.from({ length: cfg.tasks }, (_, t) => makeTask(`latency-${process.pid}-${t}`, cfg.latencyPieces));
  const sources = [];
  for (const [t, task] of [...floodTasks, ...latencyTasks].entries()) {
    const i = cfg.hosts + t;
    const reg = await register(i, hostIds[i], task, 'source');
    if (reg.response.response !== 'needBackToSourceResponse') throw new Error(`source peer got ${reg.response.response}, expected needBackToSourceResponse`);
    reg.call.write({ ...reg.ids, downloadPeerBackToSourceStartedRequest: {} });
    for (let n = 0; n < task.pieces; n++) reg.call.write({ ...reg.ids, downloadPieceBackToSourceFinishedRequest: { piece: piece(n, PIECE, undefined, 'BACK_TO_SOURCE') } });
    reg.call.write({ ...reg.ids, downloadPeerBackToSourceFinishedRequest: {} });
    reg.call.end();
    sources.push(reg);
  }
  for (const s of sources) {
    const end = await s.ended;
    if (!end.ok) throw new Error(`source peer stream failed: ${end.error}`);
  }

  // 3. register K flood peers and K latency peers (interleaved), paced
  const kinds = [];
  const regCpu0 = cfg.schedulerPid ? cpuOf(cfg.schedulerPid) : 0;
  const reg = await paced(2 * cfg.hosts, cfg.registerRate, async (k) => {
    const i = k >> 1;
    const flood = (k & 1) === 0;
    const task = (flood ? floodTasks : latencyTasks)[i % cfg.tasks];
    const r = await register(i, hostIds[i], task, flood ? 'flood' : 'lat');
    kinds[k] = r.response.response;
    if (r.response.response === 'normalTaskResponse') r.parent = r.response.normalTaskResponse.candidateParents[0]?.id;
    r.call.write({ ...r.ids, downloadPeerStartedRequest: {} });
    return r;
  });
  const floodPeers = reg.results.filter((_, k) => (k & 1) === 0);
  const latencyPeers = reg.results.filter((_, k) => (k & 1) === 1);
  const registerMs = reg.results.map((r) => r.ms);
  out.registered = reg.results.length;
  out.registerPerSecond = reg.results.length / reg.seconds;
  out.registerMs = { p50: pct(registerMs, 50), p99: pct(registerMs, 99), max: Math.max(...registerMs) };
  out.registerSchedulerCpuPercent = cfg.schedulerPid ? ((cpuOf(cfg.schedulerPid) - regCpu0) / reg.seconds) * 100 : NaN;
  out.registerResponses = kinds.reduce((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});
  await sleep(300);
  process.stdout.write('PHASE registered\n');
  await nextLine();

  // 4. flood
  const cpu0 = cfg.schedulerPid ? cpuOf(cfg.schedulerPid) : 0;
  const host0 = hostCpu();
  const self0 = selfCpu();
  const t0 = performance.now();
  await Promise.all(
    floodPeers.map(async (p) => {
      for (let n = 0; n < cfg.pieces; n++) {
        const pending = write(p.call, { ...p.ids, downloadPieceFinishedRequest: { piece: piece(n, PIECE, p.parent, 'REMOTE_PEER') } });
        if (pending) await pending;
        else if ((n + 1) % (cfg.floodBatch ?? 16) === 0) await new Promise(setImmediate); // interleave the streams
      }
      p.call.write({ ...p.ids, downloadPeerFinishedRequest: {} });
    }),
  );
  const floodEnds = await Promise.all(floodPeers.map((p) => p.ended));
  const t1 = Math.max(...floodEnds.map((e) => e.at));
  const failedFlood = floodEnds.filter((e) => !e.ok);
  if (failedFlood.length) throw new Error(`${failedFlood.length} flood streams failed, e.g. ${failedFlood[0].error}`);
  const floodEvents = floodPeers.length * cfg.pieces;
  const schedCpu = cfg.schedulerPid ? cpuOf(cfg.schedulerPid) - cpu0 : NaN;
  out.flood = {
    events: floodEvents,
    seconds: (t1 - t0) / 1000,
    eventsPerSecond: floodEvents / ((t1 - t0) / 1000),
    eventsPerSchedulerCpuSecond: floodEvents / schedCpu,
    schedulerCpuPercent: (schedCpu / ((t1 - t0) / 1000)) * 100,
    loadgenCpuPercent: ((selfCpu() - self0) / ((t1 - t0) / 1000)) * 100,
    hostBusyPercent: busy(host0, hostCpu()),
  };
  process.stdout.write('PHASE flooded\n');
  await nextLine();

  // 5. open-loop latency at `rate` events/s
  const interval = (cfg.latencyPieces * 1000) / cfg.rate; // ms between peers
  const cpu1 = cfg.schedulerPid ? cpuOf(cfg.schedulerPid) : 0;
  const host1 = hostCpu();
  const l0 = performance.now() + 20;
  const lat = [];
  const lag = [];
  const sends = [];
  for (const [j, p] of latencyPeers.entries()) {
    const due = l0 + j * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    lag.push(performance.now() - due);
    for (let n = 0; n < cfg.latencyPieces; n++) p.call.write({ ...p.ids, downloadPieceFinishedRequest: { piece: piece(n, PIECE, p.parent, 'REMOTE_PEER') } });
    p.call.write({ ...p.ids, downloadPeerFinishedRequest: {} });
    sends.push(
      p.ended.then((e) => {
        if (!e.ok) throw new Error(`latency stream failed: ${e.error}`);
        lat.push(e.at - due);
        return e.at;
      }),
    );
  }
  const ends = await Promise.all(sends);
  const l1 = Math.max(...ends);
  const latEvents = latencyPeers.length * cfg.latencyPieces;
  out.latency = {
    offeredPerSecond: cfg.rate,
    events: latEvents,
    achievedPerSecond: latEvents / ((l1 - l0) / 1000),
    batch: cfg.latencyPieces,
    p50: pct(lat, 50),
    p99: pct(lat, 99),
    max: Math.max(...lat),
    over20ms: lat.filter((x) => x > 20).length,
    samples: lat.length,
    sendLagP99: pct(lag, 99),
    schedulerCpuPercent: cfg.schedulerPid ? ((cpuOf(cfg.schedulerPid) - cpu1) / ((l1 - l0) / 1000)) * 100 : NaN,
    hostBusyPercent: busy(host1, hostCpu()),
  };
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
  for (const c of clients) c.close();
}

const lines = createInterface({ input: process.stdin });
const waiting = [];
lines.on('line', () => waiting.shift()?.());
function nextLine() {
  return new Promise((resolve) => waiting.push(resolve));
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`loadgen: ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
