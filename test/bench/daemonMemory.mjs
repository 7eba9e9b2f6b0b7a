// P10 (daemon): peak RSS of dfdaemons while one large task (default 4 GiB) is active, loopback, unshaped. A seed
// peer (triggered by the scheduler, back-to-source from a plain Node origin) and a normal peer fetching the task
// from it P2P at the same time; VmHWM is reset after start-up, so the value is the peak during the task.
// The origin file is sparse (zeros): the data path does the same work per byte, and no 4 GiB of random data has
// to be written first.
import { closeSync, ftruncateSync, openSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { BIN, fileOrigin, MiB, run, startDaemon, tempDir } from './lib.mjs';
import { cpuOf, resetPeak, rss } from './procstat.mjs';
import { schedulerBuilt, startScheduler } from './schedulerLoad.mjs';

const GiB = 1024 * MiB;

export async function daemonMemoryBenchmarks({ sizeGiB = Number(process.env.D7Y_BENCH_TASK_GIB ?? 4) } = {}) {
  if (!schedulerBuilt()) throw new Error('core/dist/scheduler is missing: the scheduler role is not built');
  const size = Math.round(sizeGiB * GiB);
  const files = tempDir('mem-files');
  const out = tempDir('mem-out');
  const fd = openSync(join(files, 'big.bin'), 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  const origin = await fileOrigin(files, MiB);
  const sched = await startScheduler({ name: 'mem-sched' });
  const started = [];
  try {
    const seed = await startDaemon('mem-seed', { scheduler: { netAddrs: [sched.addr] }, seedPeer: { enable: true } });
    started.push(seed);
    const peer = await startDaemon('mem-peer', { scheduler: { netAddrs: [sched.addr] } });
    started.push(peer);
    await new Promise((r) => setTimeout(r, 1000));
    const idle = { seed: rss(seed.pid).rss, peer: rss(peer.pid).rss };
    resetPeak(seed.pid);
    resetPeak(peer.pid);
    const cpu0 = { seed: cpuOf(seed.pid), peer: cpuOf(peer.pid) };
    const result = await run(process.execPath, [BIN.dfget, origin.url('big.bin'), '-O', join(out, 'big.bin'), '-e', peer.socketPath, '--no-progress', '--console']);
    if (result.code !== 0) throw new Error(`dfget of the ${sizeGiB} GiB task failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const got = statSync(join(out, 'big.bin')).size;
    if (got !== size) throw new Error(`dfget wrote ${got} bytes, expected ${size}`);
    const peak = { seed: rss(seed.pid).hwm, peer: rss(peer.pid).hwm };
    const cpu = { seed: cpuOf(seed.pid) - cpu0.seed, peer: cpuOf(peer.pid) - cpu0.peer };
    const seconds = result.ms / 1000;
    const split = result.stderr.trim().split('\n').at(-1) ?? '';
    return [
      {
        id: 'P10',
        metric: `dfdaemon peak RSS growth during one active ${sizeGiB} GiB task (peer fetching P2P from a seed peer, loopback)`,
        value: (peak.peer - idle.peer) / MiB,
        unit: 'MiB over idle',
        target: '< 64 MiB',
        detail: `peer peak ${(peak.peer / MiB).toFixed(0)} MiB (idle ${(idle.peer / MiB).toFixed(0)} MiB); seed peer (back-to-source + serving) peak ${(peak.seed / MiB).toFixed(0)} MiB (idle ${(idle.seed / MiB).toFixed(0)}); ${seconds.toFixed(1)} s = ${((size / MiB) / seconds).toFixed(0)} MiB/s; CPU-s/GB peer ${(cpu.peer / (size / 1e9)).toFixed(2)}, seed ${(cpu.seed / (size / 1e9)).toFixed(2)}; sparse (zero) origin file; dfget: ${split.slice(0, 120)}`,
      },
    ];
  } finally {
    for (const d of started.reverse()) await d.stop();
    await sched.stop();
    await origin.close();
    rmSync(files, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
    for (const d of started) rmSync(d.dir, { recursive: true, force: true });
  }
}
