// `npm run bench`: runs the benchmark suites and prints one table of ratios measured side by side in one run.
// D7Y_BENCH_ONLY=datapath,swarm,ml,scheduler,memory,image selects suites (default: all). A failing suite is reported
// loudly, gets a FAILED row, and makes the run exit non-zero; the other suites still run.
import { daemonMemoryBenchmarks } from './daemonMemory.mjs';
import { dataPathBenchmarks } from './datapath.mjs';
import { imagePullBenchmarks } from './imagePull.mjs';
import { mlBenchmarks } from './mlSwarm.mjs';
import { schedulerLoadBenchmarks } from './schedulerLoad.mjs';
import { swarmBenchmarks } from './swarm.mjs';

const sizeMiB = Number(process.env.D7Y_BENCH_MIB ?? 512);
const only = (process.env.D7Y_BENCH_ONLY ?? '').split(',').filter(Boolean);
const rows = [];
const failed = [];
const benchStarted = performance.now();

async function suite(name, fn) {
  if (only.length > 0 && !only.includes(name)) return;
  const started = performance.now();
  try {
    const result = await fn();
    rows.push(...(Array.isArray(result) ? result : result.rows));
    if (!Array.isArray(result) && result.failures.length > 0) failed.push(`${name} (${result.failures.length} part(s))`);
  } catch (error) {
    failed.push(name);
    console.error(`\n!!! ${name} suite FAILED: ${error?.stack ?? error}\n`);
    rows.push({ id: '!!', metric: `${name} suite`, value: NaN, unit: '-', target: '-', detail: `FAILED: ${String(error?.message ?? error).split('\n')[0]}` });
  }
  console.log(`  (${name} suite: ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

console.log(`d7y benchmarks — ${new Date().toISOString()} — node ${process.version}`);
await suite('datapath', () => {
  console.log(`data path: ${sizeMiB} MiB file, loopback, unshaped`);
  return dataPathBenchmarks({ sizeMiB });
});
await suite('swarm', () => swarmBenchmarks());
await suite('ml', () => mlBenchmarks());
await suite('scheduler', () => {
  console.log('scheduler load: loopback, K simulated hosts over gRPC (P9, P10)');
  return schedulerLoadBenchmarks();
});
await suite('image', () => {
  console.log('image pull: skopeo through the dfdaemon proxy (registries.conf mirror) vs straight from the registry');
  return imagePullBenchmarks();
});
await suite('memory', () => {
  console.log('daemon memory: one large task, loopback (P10)');
  return daemonMemoryBenchmarks();
});

const format = (value) => (!Number.isFinite(value) ? 'FAILED' : value >= 100 ? value.toFixed(0) : value.toFixed(2));
console.log('');
console.log(['id'.padEnd(4), 'value'.padStart(9), 'unit'.padEnd(18), 'target'.padEnd(9), 'metric'].join('  '));
for (const row of rows.sort((a, b) => a.id.localeCompare(b.id))) {
  console.log([row.id.padEnd(4), format(row.value).padStart(9), row.unit.padEnd(18), row.target.padEnd(9), `${row.metric} (${row.detail})`].join('  '));
}
console.log(`\nwhole bench: ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
if (failed.length > 0) {
  console.error(`\n!!! FAILED: ${failed.join(', ')} — see the messages above\n`);
  process.exitCode = 1;
}
