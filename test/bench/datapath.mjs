// Data-path benchmarks (reference/performance.md): P5 per-task latency, P6 single transfer from a peer vs a
// plain Node HTTP file server, P7 cold dfget vs curl of the same origin, P8 daemon CPU seconds per GB.
import { Agent } from 'node:http';
import { join } from 'node:path';

import { taskId } from '../../core/dist/common/ids.js';
import { BIN, MiB, cpuSeconds, drain, fileOrigin, median, percentile, run, startDaemon, tempDir, writeRandomFile } from './lib.mjs';

export async function dataPathBenchmarks({ sizeMiB = 512, latencyRuns = 20 } = {}) {
  const rows = [];
  const files = tempDir('files');
  const out = tempDir('out');
  const size = sizeMiB * MiB;
  const digest = writeRandomFile(join(files, 'big.bin'), size);
  writeRandomFile(join(files, 'one.bin'), 1);
  const origin = await fileOrigin(files);
  const daemon = await startDaemon('bench-a');
  try {
    // P7 + P8: cold download through the daemon (back-to-source) vs curl of the same origin, same file.
    const curlTimes = [];
    const coldTimes = [];
    let cpuPerGb = 0;
    for (let round = 0; round < 2; round++) {
      const curl = await run('curl', ['-s', '-o', join(out, `curl-${round}`), origin.url('big.bin')]);
      if (curl.code !== 0) throw new Error(`curl failed: ${curl.stderr}`);
      curlTimes.push(curl.ms);
      const url = `${origin.url('big.bin')}?round=${round}`;
      const cpuBefore = cpuSeconds(daemon.pid);
      const cold = await run(process.execPath, [BIN.dfget, url, '-O', join(out, `cold-${round}`), '-e', daemon.socketPath, '--no-progress', '--digest', `sha256:${digest}`]);
      if (cold.code !== 0) throw new Error(`dfget failed: ${cold.stderr}`);
      coldTimes.push(cold.ms);
      cpuPerGb = (cpuSeconds(daemon.pid) - cpuBefore) / (size / 1e9);
    }
    const curlMs = Math.min(...curlTimes);
    const coldMs = Math.min(...coldTimes);
    rows.push({ id: 'P7', metric: `cold dfget (back-to-source, --digest) vs curl, ${sizeMiB} MiB`, value: curlMs / coldMs, unit: 'x curl throughput', target: '>= 0.95', detail: `dfget ${coldMs.toFixed(0)} ms, curl ${curlMs.toFixed(0)} ms` });
    rows.push({ id: 'P8', metric: 'daemon CPU per GB received + sha256 pieces + whole-file sha256 + stored', value: cpuPerGb, unit: 'CPU-s/GB', target: '<= 1.0', detail: 'includes the --digest whole-file check' });

    // P6: one transfer of the cached file from the daemon's piece server vs a plain Node HTTP file server.
    const id = taskId({ url: `${origin.url('big.bin')}?round=0` });
    const pieces = Math.ceil(size / (4 * MiB));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ours = [];
    const plain = [];
    for (let round = 0; round < 3; round++) {
      let started = performance.now();
      let bytes = 0;
      for (let n = 0; n < pieces; n++) bytes += await drain(`http://127.0.0.1:${daemon.ports.piece}/v1/tasks/${id}/pieces/${n}`, agent);
      if (bytes !== size) throw new Error(`piece server sent ${bytes} of ${size}`);
      ours.push(size / ((performance.now() - started) / 1000));
      started = performance.now();
      await drain(origin.url('big.bin'), agent);
      plain.push(size / ((performance.now() - started) / 1000));
    }
    agent.destroy();
    const oursBest = Math.max(...ours);
    const plainBest = Math.max(...plain);
    rows.push({ id: 'P6', metric: `single transfer from a peer (piece server, sequential pieces) vs plain Node HTTP file server`, value: oursBest / plainBest, unit: 'x plain', target: '>= 0.8', detail: `${(oursBest / 2 ** 30).toFixed(2)} GiB/s vs ${(plainBest / 2 ** 30).toFixed(2)} GiB/s` });

    // P5: fixed per-task latency of a 1-byte file, warm daemon, dfget end to end (process start included).
    const cold = [];
    const cached = [];
    for (let i = 0; i < latencyRuns; i++) {
      const url = `${origin.url('one.bin')}?i=${i}`;
      const first = await run(process.execPath, [BIN.dfget, url, '-O', join(out, `one-${i}`), '-e', daemon.socketPath, '--no-progress']);
      if (first.code !== 0) throw new Error(`dfget 1 B failed: ${first.stderr}`);
      cold.push(first.ms);
      const again = await run(process.execPath, [BIN.dfget, url, '-O', join(out, `one-${i}-b`), '-e', daemon.socketPath, '--no-progress']);
      cached.push(again.ms);
    }
    const nodeStart = [];
    for (let i = 0; i < 5; i++) nodeStart.push((await run(process.execPath, ['-e', '0'])).ms);
    rows.push({ id: 'P5', metric: '1-byte file, warm daemon, dfget end to end (new task each time)', value: median(cold), unit: 'ms p50', target: '<= 50', detail: `p99 ${percentile(cold, 99).toFixed(0)} ms; cached p50 ${median(cached).toFixed(0)} ms; bare node start p50 ${median(nodeStart).toFixed(0)} ms` });
  } finally {
    await daemon.stop();
    await origin.close();
  }
  return rows;
}
