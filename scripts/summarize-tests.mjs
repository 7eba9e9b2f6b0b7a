// Prints one closing line "tests: N passed, N failed, N skipped" from vitest's JSON report, and lists every
// skipped test loudly so a suite that could not run is never mistaken for a pass.
import { readFileSync } from 'node:fs';

const reports = [];
let missing = 0;
for (const file of process.argv.slice(2)) {
  try {
    reports.push(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    if (error.code === 'ENOENT' && reports.length + missing > 0) continue; // an optional second run that did not happen
    console.error(`no test report at ${file}: ${error.message}`);
    missing++;
  }
}
if (reports.length === 0) process.exit(1);
let passed = 0;
let failed = missing;
const skipped = [];
for (const suite of reports.flatMap((report) => report.testResults ?? [])) {
  for (const test of suite.assertionResults ?? []) {
    if (test.status === 'passed') passed++;
    else if (test.status === 'failed') failed++;
    else skipped.push(`${suite.name.replace(process.cwd() + '/', '')} > ${test.fullName}`);
  }
  if ((suite.assertionResults ?? []).length === 0 && suite.status === 'failed') failed++;
}
if (skipped.length > 0) {
  console.log('');
  console.log(`!!! ${skipped.length} TEST(S) SKIPPED — these did not run:`);
  for (const name of skipped) console.log(`!!!   ${name}`);
}
console.log('');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);
if (passed === 0) {
  console.error('no test passed: treating the run as failed');
  process.exit(1);
}
