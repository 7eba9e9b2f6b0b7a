#!/usr/bin/env bash
# Runs every test suite: builds the workspace, starts the real services the suites need (installing Debian
# packages when missing: Redis, PostgreSQL, MariaDB), runs the unit and integration suites in one vitest run and
# each end-to-end file in its own, all under time limits, stops the services, and ends with one summary line
# "tests: N passed, N failed, N skipped". Extra arguments go to vitest.
set -uo pipefail
cd "$(dirname "$0")/.."
export ONNXRUNTIME_NODE_INSTALL=skip

echo "== build (tsc -b)"
npx tsc -b || { echo "build failed"; exit 1; }
echo "== build console (vite)"
npm run --silent build -w @d7y/console || { echo "console build failed (npm run build -w @d7y/console)"; exit 1; }

mkdir -p test/.tmp
# Suites make their temporary files under TMPDIR: a directory of this run's own, removed at the end, so that
# repeated runs do not fill the disk (one full run writes several GiB: swarm outputs, registries, caches).
# Open to every user like /tmp itself (sticky): the MariaDB installer runs as mysql, a dfget suite as nobody.
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/d7y-test-XXXXXX") || { echo "cannot create a temporary directory"; exit 1; }
chmod 1777 "$TMPDIR"
export TMPDIR
started=()
stop_services() {
  for name in "${started[@]}"; do bash "scripts/services/$name.sh" stop >/dev/null 2>&1 || true; done
  rm -rf "$TMPDIR"
}
trap stop_services EXIT

# Each service script prints `export VAR=...` lines on success. A service that cannot start is reported loudly;
# the suites that need it are then skipped and listed as skipped in the summary.
for name in redis postgres mariadb; do
  script="scripts/services/$name.sh"
  [ -f "$script" ] || continue
  echo "== starting $name"
  if exports=$(timeout -k 30 600 bash "$script" start); then
    eval "$exports"
    started+=("$name")
  else
    echo "!!! $name could not be started; its suites will be SKIPPED"
  fi
done

# Tools that suites start themselves (the Docker distribution registry, skopeo, containerd; Chromium) are
# installed here, once and with a time limit, rather than from inside a test where a stuck install would block.
for name in registry chromium; do
  echo "== installing $name tools when missing"
  timeout -k 30 900 bash "scripts/services/$name.sh" install >/dev/null \
    || echo "!!! $name tools could not be installed; the suites that need them will FAIL"
done

# Unit and integration suites run in parallel; end-to-end suites (many real processes, fault timing) run one
# file per vitest process so that 2 cores do not turn their timing into noise, and so that one file that hangs
# is killed after its own time limit and reported as failed instead of stalling the whole run.
# Everything after the build ends by DEADLINE seconds into this script (CI allows 90 minutes, npm ci included),
# whatever the installs above took: each limit below is cut to what is left.
DEADLINE="${D7Y_TEST_DEADLINE_SECONDS:-4500}"
left() { local rest=$((DEADLINE - SECONDS)); [ "$rest" -lt "$1" ] && echo $((rest > 60 ? rest : 60)) || echo "$1"; }
UNIT_TIMEOUT=$(left "${D7Y_UNIT_TIMEOUT_SECONDS:-1500}")
E2E_FILE_TIMEOUT="${D7Y_E2E_FILE_TIMEOUT_SECONDS:-420}"
E2E_BUDGET="${D7Y_E2E_BUDGET_SECONDS:-2700}"
rc=0
reports=test/.tmp/reports
rm -rf "$reports" && mkdir -p "$reports"
failures="$reports/not-finished.txt"
: >"$failures"
if [ "$#" -gt 0 ]; then
  echo "== vitest $*"
  timeout -k 30 "$UNIT_TIMEOUT" npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/args.json" "$@" || rc=1
else
  echo "== vitest: unit and integration suites (limit ${UNIT_TIMEOUT}s)"
  timeout -k 30 "$UNIT_TIMEOUT" npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/unit.json" \
    --exclude 'test/e2e/**'
  code=$?
  if [ "$code" -ne 0 ]; then rc=1; fi
  if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
    echo "!!! unit and integration suites TIMED OUT after ${UNIT_TIMEOUT}s" | tee -a "$failures"
  fi
  echo "== vitest: end-to-end suites (one file at a time, ${E2E_FILE_TIMEOUT}s each, ${E2E_BUDGET}s in all)"
  e2e_start=$SECONDS
  for file in test/e2e/*.test.ts; do
    name=$(basename "$file" .test.ts)
    if [ $((SECONDS - e2e_start)) -ge "$E2E_BUDGET" ] || [ $((DEADLINE - SECONDS)) -lt 60 ]; then
      echo "!!! $file NOT RUN: the end-to-end budget (${E2E_BUDGET}s, deadline ${DEADLINE}s) is spent" | tee -a "$failures"
      rc=1
      continue
    fi
    echo "-- $file"
    file_timeout=$(left "$E2E_FILE_TIMEOUT")
    timeout -k 30 "$file_timeout" npx vitest run --reporter=default --reporter=json \
      --outputFile.json="$reports/e2e-$name.json" "$file"
    code=$?
    if [ "$code" -ne 0 ]; then rc=1; fi
    if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
      echo "!!! $file TIMED OUT after ${file_timeout}s and was killed" | tee -a "$failures"
      rm -f "$reports/e2e-$name.json"
    fi
  done
fi

node scripts/summarize-tests.mjs "$failures" "$reports"/*.json || rc=1
exit $rc
