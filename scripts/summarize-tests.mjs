// Prints one closing line "tests: N passed, N failed, N skipped" from vitest's JSON reports, lists every skipped
// test loudly so a suite that could not run is never mistaken for a pass, and counts every suite that timed out
// or was not run (one line each in the first argument's file) as a failure.
//
//   node scripts/summarize-tests.mjs <not-finished.txt> <report.json>...
import { existsSync, readFileSync } from 'node:fs';

const [notFinishedFile, ...reportFiles] = process.argv.slice(2);
const notFinished = existsSync(notFinishedFile)
  ? readFileSync(notFinishedFile, 'utf8').split('\n').filter((line) => line.trim() !== '')
  : [];

const reports = [];
let unreadable = 0;
for (const file of reportFiles) {
  if (!existsSync(file)) continue; // the shell passes the glob itself when no report was written
  try {
    reports.push(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    console.error(`unreadable test report ${file}: ${error.message}`);
    unreadable++;
  }
}
let passed = 0;
let failed = unreadable + notFinished.length;
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
if (notFinished.length > 0) {
  console.log('');
  console.log(`!!! ${notFinished.length} SUITE(S) DID NOT FINISH (each counted as one failure):`);
  for (const line of notFinished) console.log(line);
}
console.log('');
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);
if (passed === 0) {
  console.error('no test passed: treating the run as failed');
  process.exit(1);
}
if (failed > 0) process.exit(1);
