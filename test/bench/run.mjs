// `npm run bench`: runs the benchmark suites and prints one table of ratios measured side by side in one run.
import { dataPathBenchmarks } from './datapath.mjs';

const sizeMiB = Number(process.env.D7Y_BENCH_MIB ?? 512);
const rows = [];
console.log(`d7y benchmarks — ${new Date().toISOString()} — node ${process.version}`);
console.log(`data path: ${sizeMiB} MiB file, loopback, unshaped`);
rows.push(...(await dataPathBenchmarks({ sizeMiB })));

const format = (value) => (value >= 100 ? value.toFixed(0) : value.toFixed(2));
console.log('');
console.log(['id'.padEnd(4), 'value'.padStart(9), 'unit'.padEnd(18), 'target'.padEnd(9), 'metric'].join('  '));
for (const row of rows.sort((a, b) => a.id.localeCompare(b.id))) {
  console.log([row.id.padEnd(4), format(row.value).padStart(9), row.unit.padEnd(18), row.target.padEnd(9), `${row.metric} (${row.detail})`].join('  '));
}
