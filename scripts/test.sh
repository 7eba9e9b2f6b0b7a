#!/usr/bin/env bash
# Runs every test suite: builds the workspace, starts the real services the suites need (installing Debian
# packages when missing: Redis, PostgreSQL, MariaDB), runs vitest once over all packages, stops the services,
# and ends with one summary line "tests: N passed, N failed, N skipped". Extra arguments go to vitest.
set -uo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip

echo "== build (tsc -b)"
npx tsc -b || { echo "build failed"; exit 1; }

mkdir -p test/.tmp
started=()
stop_services() {
  for name in "${started[@]}"; do bash "scripts/services/$name.sh" stop >/dev/null 2>&1 || true; done
}
trap stop_services EXIT

# Each service script prints `export VAR=...` lines on success. A service that cannot start is reported loudly;
# the suites that need it are then skipped and listed as skipped in the summary.
for name in redis postgres mariadb; do
  script="scripts/services/$name.sh"
  [ -f "$script" ] || continue
  echo "== starting $name"
  if exports=$(bash "$script" start); then
    eval "$exports"
    started+=("$name")
  else
    echo "!!! $name could not be started; its suites will be SKIPPED"
  fi
done

results=test/.tmp/vitest-results.json
rm -f "$results"
echo "== vitest"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
rc=$?

node scripts/summarize-tests.mjs "$results" || rc=1
exit $rc
