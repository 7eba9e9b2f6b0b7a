#!/usr/bin/env bash
# Runs every test suite: builds the workspace, starts the real services the suites need (installing Debian
# packages when missing: Redis, PostgreSQL, MariaDB), runs vitest once over all packages, stops the services,
# and ends with one summary line "tests: N passed, N failed, N skipped". Extra arguments go to vitest.
set -uo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip

echo "== build (tsc -b)"
npx tsc -b || { echo "build failed"; exit 1; }
echo "== build console (vite)"
npm run --silent build -w @d7y/console || { echo "console build failed (npm run build -w @d7y/console)"; exit 1; }

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

# Unit and integration suites run in parallel; end-to-end suites (many real processes, fault timing) run one
# file at a time so that 2 cores do not turn their timing into noise.
rc=0
unit=test/.tmp/vitest-unit.json
e2e=test/.tmp/vitest-e2e.json
rm -f "$unit" "$e2e"
if [ "$#" -gt 0 ]; then
  echo "== vitest $*"
  npx vitest run --reporter=default --reporter=json --outputFile.json="$unit" "$@" || rc=1
else
  echo "== vitest: unit and integration suites"
  npx vitest run --reporter=default --reporter=json --outputFile.json="$unit" --exclude 'test/e2e/**' || rc=1
  echo "== vitest: end-to-end suites (one file at a time)"
  npx vitest run --reporter=default --reporter=json --outputFile.json="$e2e" --no-file-parallelism test/e2e || rc=1
fi

node scripts/summarize-tests.mjs "$unit" "$e2e" || rc=1
exit $rc
