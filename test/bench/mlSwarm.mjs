// The ml evaluator benchmark (issue 9): a swarm where some peers upload at a fraction of the others' rate.
// Phase A runs the default evaluator with download records on: D7Y_BENCH_ML_PREPARE record runs, then the
// measured runs. The records are exported (GET /records, as d7y records export does) and a model is trained
// (d7y train). Phase B runs the same workload with `algorithm: ml`: as many warm-up runs (so that both
// schedulers have observed the hosts equally often), then the measured runs. Rows: M1 T_last ml / default
// (same run), M2/M3 inference per decision p50/p99 in the scheduler, M4 the trainer's validation report,
// M5 how much the rate-limited peers uploaded under each evaluator.
// Options: D7Y_BENCH_ML_N (peers, 6), D7Y_BENCH_ML_SLOW (rate-limited peers, 2), D7Y_BENCH_ML_SLOW_FRACTION (0.2),
// D7Y_BENCH_ML_F_MIB (64), D7Y_BENCH_ML_PREPARE (2), D7Y_BENCH_ML_REPEAT (measured runs per phase, 2),
// D7Y_BENCH_U_MBIT, D7Y_BENCH_B0_MBIT.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { MiB, REPO, tempDir, writeRandomFile } from './lib.mjs';
import { namespacesAvailable, spawnTracked } from './netns.mjs';
import { D7Y } from './schedulerLoad.mjs';
import { d7yRun, loopbackNet, namespaceNet, startCluster, startOrigin } from './swarm.mjs';

const env = (name, fallback) => (process.env[name] === undefined || process.env[name] === '' ? fallback : process.env[name]);
const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Dragonfly's candidate_parent_limit: with this many candidates or fewer, every evaluator gives them all. */
const CANDIDATE_PARENT_LIMIT = 3;

/** Options from the environment. */
export function mlOptions() {
  const n = Number(env('D7Y_BENCH_ML_N', 6));
  const uMbit = Number(env('D7Y_BENCH_U_MBIT', 100));
  const slow = Math.min(n - 1, Number(env('D7Y_BENCH_ML_SLOW', 2)));
  const fraction = Number(env('D7Y_BENCH_ML_SLOW_FRACTION', 0.2));
  return {
    n,
    uMbit,
    b0Mbit: Number(env('D7Y_BENCH_B0_MBIT', 100)),
    slow,
    peerRates: Array.from({ length: n }, (_, i) => (i < slow ? uMbit * fraction : uMbit)),
    sizeMiB: Number(env('D7Y_BENCH_ML_F_MIB', 64)),
    repeat: Number(env('D7Y_BENCH_ML_REPEAT', 2)),
    prepare: Number(env('D7Y_BENCH_ML_PREPARE', 2)),
    retryInterval: env('D7Y_BENCH_RETRY_INTERVAL', '100ms'),
  };
}

function httpGet(url) {
  return new Promise((resolve, reject) => {
    request(url, { timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`))));
    })
      .on('error', reject)
      .end();
  });
}

function runD7y(args) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(process.execPath, [D7Y, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`d7y ${args[0]} exited ${code}: ${out}`))));
  });
}

/** The `ml evaluator closed` stats line the scheduler logs when it stops. */
function inferenceStatsFromLog(path) {
  const line = readFileSync(path, 'utf8').split('\n').reverse().find((l) => l.includes('ml evaluator closed'));
  return line ? JSON.parse(line) : undefined;
}

/** One phase: a cluster with `schedulerConfig`, `warm` unmeasured runs, then `repeat` measured runs. */
async function phase(label, net, origin, work, opts, digest, schedulerConfig, runs) {
  const cluster = await startCluster(net, work, { retryInterval: opts.retryInterval, schedulerConfig });
  const measured = [];
  /** Per measured run: share of all uploaded bytes that came from the rate-limited peers. */
  const slowShares = [];
  let records;
  try {
    for (const [i, run] of runs.entries()) {
      const result = await d7yRun(net, cluster, origin, work, opts.sizeMiB, digest, { run: `${label}-${run}` });
      if (run.startsWith('measure')) {
        measured.push(result.tLast);
        const uploads = result.perPeer.map((p) => p.uploaded);
        const total = uploads.reduce((a, b) => a + b, 0) + result.seedUpload;
        slowShares.push(total > 0 ? uploads.slice(0, opts.slow).reduce((a, b) => a + b, 0) / total : NaN);
      }
      console.log(`  ${label} ${run}: T_last ${fmt(result.tLast)} s (T_first ${fmt(result.tFirst)} s)`);
      if (i < runs.length - 1) await sleep(500);
    }
    records = await httpGet(`http://${cluster.sched.metricsAddr}/records`);
  } finally {
    await cluster.stop();
  }
  return { measured, slowShares, records, log: cluster.sched.log };
}

/** Replays recorded decisions through the trained model in this process: ms per decision, p50/p99. */
async function offlineInference(modelPath, recordsText) {
  const { MlEvaluator } = await import(pathToFileURL(join(REPO, 'plugins/scheduler-ml/dist/index.js')).href);
  const evaluator = new MlEvaluator({ modelPath, reloadIntervalMs: 0 });
  await evaluator.open();
  const decisions = recordsText.split('\n').filter((l) => l.includes('"type":"decision"')).map((l) => JSON.parse(l));
  const times = [];
  for (let round = 0; round < 5; round++) {
    for (const d of decisions) {
      const t = performance.now();
      await evaluator.evaluateParents(d.candidates, d.child, d.totalPieceCount);
      times.push(performance.now() - t);
    }
  }
  await evaluator.close();
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
  const candidates = decisions.map((d) => d.candidates.length);
  return { overLimit: candidates.filter((c) => c > CANDIDATE_PARENT_LIMIT).length, decisions: decisions.length, samples: times.length, p50: q(0.5), p99: q(0.99), meanCandidates: candidates.length ? mean(candidates) : NaN, maxCandidates: Math.max(0, ...candidates) };
}

export async function mlBenchmarks(opts = mlOptions()) {
  const rows = [];
  const failures = [];
  const ns = await namespacesAvailable();
  console.log(
    `ml evaluator: N=${opts.n} peers, ${opts.slow} of them rate-limited to ${fmt(opts.peerRates[0], 0)} Mbit/s upload, the others ${opts.uMbit} Mbit/s, B0=${opts.b0Mbit} Mbit/s, ` +
      `F=${opts.sizeMiB} MiB, ${opts.repeat} measured run(s) per evaluator; ` +
      (ns.ok ? 'network namespaces + tbf' : `FALLBACK: ${ns.reason}; loopback with application-level upload limits`),
  );
  const work = tempDir('ml');
  const files = join(work, 'files');
  mkdirSync(files, { recursive: true });
  const digest = writeRandomFile(join(files, `swarm-${opts.sizeMiB}.bin`), opts.sizeMiB * MiB);
  const net = ns.ok ? await namespaceNet(opts.n, opts.uMbit, opts.b0Mbit, opts.peerRates) : await loopbackNet(opts.n, opts.uMbit, opts.b0Mbit, opts.peerRates);
  let origin;
  try {
    origin = await startOrigin(net, files);
    const runs = [...Array.from({ length: opts.prepare }, (_, i) => `prepare-${i + 1}`), ...Array.from({ length: opts.repeat }, (_, i) => `measure-${i + 1}`)];
    const records = { enable: true, pieceCapacity: 100_000, decisionCapacity: 5000 };
    const base = await phase('default', net, origin, work, opts, digest, { scheduler: { algorithm: 'default', records } }, runs);
    const recordsPath = join(work, 'records.ndjson');
    writeFileSync(recordsPath, base.records);
    const modelPath = join(work, 'model.onnx');
    const trainOut = await runD7y(['train', '--records', recordsPath, '--out', modelPath]);
    console.log(trainOut.trim().split('\n').map((l) => `  ${l}`).join('\n'));
    const ml = await phase('ml', net, origin, work, opts, digest, { scheduler: { algorithm: 'ml', records }, plugins: { evaluator: { ml: { model: modelPath, reloadInterval: 0 } } } }, runs);

    const ratio = mean(ml.measured) / mean(base.measured);
    rows.push({
      id: 'M1',
      metric: `T_last(ml) / T_last(default), N=${opts.n} with ${opts.slow} peers at ${fmt(opts.peerRates[0], 0)} Mbit/s, F=${opts.sizeMiB} MiB, same run`,
      value: ratio,
      unit: 'x default',
      target: '< 1.0',
      detail: `mean of ${opts.repeat}: ml ${ml.measured.map((t) => fmt(t)).join(', ')} s vs default ${base.measured.map((t) => fmt(t)).join(', ')} s`,
    });
    const live = inferenceStatsFromLog(ml.log);
    const offline = await offlineInference(modelPath, base.records);
    rows.push({
      id: 'M5',
      metric: `share of uploaded bytes served by the ${opts.slow} rate-limited peers, ml vs default (measured runs)`,
      value: mean(ml.slowShares) * 100,
      unit: '% (ml)',
      target: '-',
      detail: `default ${fmt(mean(base.slowShares) * 100, 1)}%; per run ml ${ml.slowShares.map((x) => fmt(x * 100, 1)).join(', ')}%, default ${base.slowShares.map((x) => fmt(x * 100, 1)).join(', ')}%; ` +
        `recorded decisions with more candidates than candidate_parent_limit ${CANDIDATE_PARENT_LIMIT} (the only ones where the ranking changes the parents given): ${offline.overLimit} of ${offline.decisions}`,
    });
    const detail = `offline replay of ${offline.decisions} recorded decisions x5 (mean ${fmt(offline.meanCandidates, 1)}, max ${offline.maxCandidates} candidates): p50 ${fmt(offline.p50, 3)} ms, p99 ${fmt(offline.p99, 3)} ms; budget: retryInterval ${opts.retryInterval}`;
    rows.push({ id: 'M2', metric: 'ml inference per scheduling decision, p50 (in the scheduler)', value: live?.p50Ms ?? NaN, unit: 'ms', target: '<< 100', detail: `${live?.decisions ?? 0} decisions, ${live?.rows ?? 0} candidates scored; ${detail}` });
    rows.push({ id: 'M3', metric: 'ml inference per scheduling decision, p99 (in the scheduler)', value: live?.p99Ms ?? NaN, unit: 'ms', target: '<< 100', detail });
    const report = /validation RMSE ([\d.]+) \(predicting the mean: ([\d.]+)\)/.exec(trainOut);
    const ranking = /(\d+) held-out decisions, (\d+) parent pairs: model orders ([\d.na/]+)% like the observed throughput, default evaluator ([\d.na/]+)%/.exec(trainOut);
    rows.push({
      id: 'M4',
      metric: 'trained model: held-out RMSE of log1p(bytes/ms)',
      value: report ? Number(report[1]) : NaN,
      unit: 'log units',
      target: '-',
      detail: `predicting the mean ${report?.[2] ?? 'n/a'}; pair order on ${ranking?.[1] ?? '?'} held-out decisions (${ranking?.[2] ?? '?'} pairs): model ${ranking?.[3] ?? '?'}%, default ${ranking?.[4] ?? '?'}%`,
    });
  } catch (error) {
    failures.push(error.message);
    console.error(`\n!!! ML BENCHMARK FAILED: ${error.stack ?? error}\n`);
    rows.push({ id: 'M1', metric: 'T_last(ml) / T_last(default)', value: NaN, unit: 'x default', target: '< 1.0', detail: `FAILED: ${String(error.message).split('\n')[0]}` });
  } finally {
    if (origin) await origin.stop();
    await net.destroy();
    rmSync(work, { recursive: true, force: true });
  }
  return { rows, failures };
}
