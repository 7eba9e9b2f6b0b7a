// P9 / P10 (scheduler): piece-event throughput of one scheduler pinned to one core, round-trip latency at a fixed
// offered rate, and RSS per registered peer. The load generator (schedulerLoadGen.mjs) runs as its own process on
// the other core. Loopback, unshaped.
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { stringify } from 'yaml';

import { freePort, REPO, tempDir } from './lib.mjs';
import { spawnTracked, stopProcess, waitPort } from './netns.mjs';
import { busyOver, cpuSampler, rss } from './procstat.mjs';

export const D7Y = join(REPO, 'core/dist/cli/d7y.js');
const LOADGEN = join(REPO, 'test/bench/schedulerLoadGen.mjs');
const KiB = 1024;

/** Writes a scheduler.yaml and starts `d7y scheduler`; resolves {child, addr, pid, dir, stop}. */
export async function startScheduler({ ip = '127.0.0.1', port, name = 'bench-sched', extra = {}, pin, spawnIn } = {}) {
  const dir = tempDir(name);
  port ??= await freePort();
  const metricsPort = await freePort();
  const { scheduler: schedulerExtra, ...otherExtra } = extra;
  const config = {
    ...otherExtra,
    server: { listenIP: ip, advertiseIP: ip, port, host: name, pluginDir: join(dir, 'plugins'), workHome: dir, cacheDir: join(dir, 'cache'), logDir: join(dir, 'log'), dataDir: join(dir, 'data') },
    scheduler: { retryInterval: '100ms', ...schedulerExtra },
    metrics: { enable: true, addr: `127.0.0.1:${metricsPort}` },
    verbose: false,
  };
  mkdirSync(join(dir, 'plugins'), { recursive: true });
  writeFileSync(join(dir, 'scheduler.yaml'), stringify(config));
  const log = openSync(join(dir, 'scheduler.log'), 'w');
  const args = [D7Y, 'scheduler', '--config', join(dir, 'scheduler.yaml')];
  const cmd = pin !== undefined ? ['taskset', ['-c', String(pin), process.execPath, ...args]] : [process.execPath, args];
  const child = spawnIn ? spawnIn(cmd[0], cmd[1], { stdio: ['ignore', log, log], cwd: REPO }) : spawnTracked(cmd[0], cmd[1], { stdio: ['ignore', log, log], cwd: REPO });
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`scheduler exited with ${code}; log: ${join(dir, 'scheduler.log')}\n${tail(join(dir, 'scheduler.log'))}`))));
  exited.catch(() => {});
  await Promise.race([waitPort(ip, port, 30_000), exited]);
  return { child, pid: child.pid, addr: `${ip}:${port}`, metricsAddr: `127.0.0.1:${metricsPort}`, dir, log: join(dir, 'scheduler.log'), stop: () => stopProcess(child) };
}

export function tail(path, lines = 15) {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** True when `d7y scheduler` exists in the built dist. */
export function schedulerBuilt() {
  try {
    readFileSync(join(REPO, 'core/dist/scheduler/Scheduler.js'));
    return true;
  } catch {
    return false;
  }
}

export async function schedulerLoadBenchmarks({
  hosts = Number(process.env.D7Y_BENCH_SCHED_HOSTS ?? 1000),
  tasks = 4,
  pieces = Number(process.env.D7Y_BENCH_SCHED_PIECES ?? 128),
  latencyPieces = 16,
  rate = Number(process.env.D7Y_BENCH_SCHED_RATE ?? 10_000),
} = {}) {
  const pinned = availableParallelism() >= 2;
  const sched = await startScheduler({ name: 'p9-sched', pin: pinned ? 0 : undefined });
  const rows = [];
  try {
    const background = await busyOver(1000);
    const idle = rss(sched.pid);
    const loadArgs = JSON.stringify({ addr: sched.addr, hosts, tasks, pieces, latencyPieces, rate, registerRate: 2000, channels: Number(process.env.D7Y_BENCH_SCHED_CHANNELS ?? 16), floodBatch: Number(process.env.D7Y_BENCH_SCHED_BATCH ?? 4), schedulerPid: sched.pid });
    const gen = spawnTracked(pinned ? 'taskset' : process.execPath, pinned ? ['-c', '1', process.execPath, LOADGEN, loadArgs] : [LOADGEN, loadArgs], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    gen.stderr.on('data', (c) => (stderr += c));
    const samples = {};
    let result;
    const lines = createInterface({ input: gen.stdout });
    for await (const line of lines) {
      if (line === 'PHASE registered') {
        await new Promise((r) => setTimeout(r, 1000));
        samples.registered = rss(sched.pid);
        gen.stdin.write('go\n');
      } else if (line === 'PHASE flooded') {
        await new Promise((r) => setTimeout(r, 500));
        samples.flooded = rss(sched.pid);
        gen.stdin.write('go\n');
      } else if (line.startsWith('RESULT ')) {
        result = JSON.parse(line.slice(7));
        await new Promise((r) => setTimeout(r, 500));
        samples.closed = rss(sched.pid);
      }
    }
    const code = await new Promise((r) => (gen.exitCode !== null ? r(gen.exitCode) : gen.once('exit', r)));
    if (code !== 0 || !result) throw new Error(`scheduler load generator failed (${code}): ${stderr.trim().split('\n').slice(-5).join(' | ')}\nscheduler log tail:\n${tail(sched.log, 5)}`);
    const peers = result.registered + 2 * tasks;
    const perPeer = (samples.registered.rss - idle.rss) / peers;
    const perPeerAfter = (samples.flooded.rss - idle.rss) / peers;
    const pinNote = pinned ? 'scheduler pinned to cpu 0 (taskset), load generator to cpu 1' : 'NOT pinned (one cpu)';
    rows.push({
      id: 'P9',
      metric: `scheduler download_piece_finished events/s, flood from ${result.hosts} hosts / ${result.registered / 2} streams over ${result.channels} connections`,
      value: result.flood.eventsPerSecond,
      unit: 'events/s',
      target: '>= 10000',
      detail: `${result.flood.events} events in ${result.flood.seconds.toFixed(2)} s; scheduler used ${result.flood.schedulerCpuPercent.toFixed(0)}% of one core = ${result.flood.eventsPerSchedulerCpuSecond.toFixed(0)} events per scheduler CPU-second; load generator ${result.flood.loadgenCpuPercent.toFixed(0)}% cpu; host busy ${result.flood.hostBusyPercent.toFixed(0)}% (${background.toFixed(0)}% before start)${result.flood.hostBusyPercent > 70 ? ' WARNING: host > 70% busy' : ''}; ${pinNote}`,
    });
    rows.push({
      id: 'P9',
      metric: `scheduler round trip p99 at ${rate} events/s offered (open loop; batch of ${latencyPieces} piece events + peer-finished, until the scheduler ends the stream)`,
      value: result.latency.p99,
      unit: 'ms p99',
      target: '< 20',
      detail: `p50 ${result.latency.p50.toFixed(1)} ms, max ${result.latency.max.toFixed(1)} ms, ${result.latency.over20ms}/${result.latency.samples} round trips > 20 ms, client send lag p99 ${result.latency.sendLagP99.toFixed(1)} ms (counted in the round trip), achieved ${result.latency.achievedPerSecond.toFixed(0)} events/s, scheduler ${result.latency.schedulerCpuPercent.toFixed(0)}% cpu, host busy ${result.latency.hostBusyPercent.toFixed(0)}%; register->response p50 ${result.registerMs.p50.toFixed(1)} ms p99 ${result.registerMs.p99.toFixed(1)} ms (includes the designed 15-135 ms register delay) at ${result.registerPerSecond.toFixed(0)} registrations/s offered 2000/s, scheduler ${result.registerSchedulerCpuPercent.toFixed(0)}% cpu`,
    });
    rows.push({
      id: 'P10',
      metric: `scheduler RSS per registered peer ((RSS with ${peers} peers on ${result.hosts + 2 * tasks} hosts - idle RSS) / peers)`,
      value: perPeer / KiB,
      unit: 'KiB/peer',
      target: '< 10 KB',
      detail: `idle ${(idle.rss / 2 ** 20).toFixed(1)} MiB, registered ${(samples.registered.rss / 2 ** 20).toFixed(1)} MiB, after ${result.flood.events} piece events ${(perPeerAfter / KiB).toFixed(1)} KiB/peer, after every stream ended (peers stay registered) ${((samples.closed.rss - idle.rss) / peers / KiB).toFixed(1)} KiB/peer; includes each peer's open AnnouncePeer stream and a share of its host; RSS, so V8 heap headroom counts`,
    });
    console.log(`  P9 register responses: ${JSON.stringify(result.registerResponses)}`);
  } finally {
    await sched.stop();
  }
  return rows;
}
