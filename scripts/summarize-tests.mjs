// Prints one closing line "tests: N passed, N failed, N skipped" from vitest's JSON report, and lists every
// skipped test loudly so a suite that could not run is never mistaken for a pass.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`no test report at ${file}: ${error.message}`);
  process.exit(1);
}
let passed = 0;
let failed = 0;
const skipped = [];
for (const suite of report.testResults ?? []) {
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
