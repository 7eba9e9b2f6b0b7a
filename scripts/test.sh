#!/usr/bin/env bash
# Runs every test suite: builds the workspace, starts the real services the suites need (installing Debian
# packages when missing), runs vitest once over all packages, and ends with one summary line
# "tests: N passed, N failed, N skipped". Extra arguments go to vitest (e.g. a path filter).
set -uo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip

echo "== build (tsc -b)"
npx tsc -b || { echo "build failed"; exit 1; }

mkdir -p test/.tmp
results=test/.tmp/vitest-results.json
rm -f "$results"

echo "== vitest"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
rc=$?

node scripts/summarize-tests.mjs "$results" || rc=1
exit $rc
