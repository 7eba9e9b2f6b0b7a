#!/usr/bin/env bash
# Private Docker distribution registry for the test suites and for trying the proxy by hand (toolchain.md
# section 3 recipe), plus the OCI toolchain the proxy e2e suites drive (skopeo, containerd, runc, busybox-static).
#
#   eval "$(bash scripts/services/registry.sh start)"   # prints: export D7Y_TEST_REGISTRY=127.0.0.1:<port>
#                                                       #         export D7Y_TEST_REGISTRY_LOG=<access log path>
#   bash scripts/services/registry.sh stop               # stops exactly the registry this script started
#   bash scripts/services/registry.sh status
#   bash scripts/services/registry.sh install            # only installs the Debian packages when missing
#
# start installs the packages when missing, picks a free loopback port from 25000 up (override the first
# candidate with D7Y_REGISTRY_PORT), writes a no-auth config (Debian's default one listens on :5000 with htpasswd)
# with storage, pid and log under test/.tmp/services/registry, and waits until GET /v2/ answers 200. The access log
# (one line per request, with status and bytes sent) goes to registry.log, so tests can count blob fetches.
# Idempotent: start while running prints the exports again; stop while stopped succeeds. Progress goes to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="$ROOT/test/.tmp/services/registry"
STATE="$DIR/state"            # "<pid> <port>" of the registry this script started
LOG="$DIR/registry.log"
CONFIG="$DIR/registry.yml"
FIRST_PORT="${D7Y_REGISTRY_PORT:-25000}"
[[ "$FIRST_PORT" =~ ^[0-9]+$ ]] && [ "$FIRST_PORT" -ge 1024 ] && [ "$FIRST_PORT" -le 65000 ] || { echo "registry.sh: error: D7Y_REGISTRY_PORT must be a port in 1024..65000" >&2; exit 1; }
TRIES=20
PACKAGES=(docker-registry skopeo containerd runc busybox-static curl)
BINARIES=(docker-registry skopeo containerd ctr runc busybox curl)

say() { echo "registry.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

port_in_use() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
listening_pid() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2; }
is_our_registry() { # pid
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q "docker-registry serve $CONFIG"
}
answers() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/v2/" 2>/dev/null)" = "200" ]; }

read_state() {
  pid="" port=""
  if [ -f "$STATE" ]; then read -r pid port <"$STATE" || true; fi
}

ensure_installed() {
  local missing=() bin
  for bin in "${BINARIES[@]}"; do command -v "$bin" >/dev/null || missing+=("$bin"); done
  [ "${#missing[@]}" -eq 0 ] && return
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}; installing needs root: apt-get install -y --no-install-recommends ${PACKAGES[*]}"
  say "installing ${PACKAGES[*]} (Debian packages; missing: ${missing[*]})"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PACKAGES[@]}" >&2; then
    apt-get update >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PACKAGES[@]}" >&2 || die "apt-get install failed"
  fi
  for bin in "${BINARIES[@]}"; do command -v "$bin" >/dev/null || die "$bin still missing after installation"; done
}

print_exports() {
  echo "export D7Y_TEST_REGISTRY=127.0.0.1:$1"
  echo "export D7Y_TEST_REGISTRY_LOG=$LOG"
}

write_config() { # port
  cat >"$CONFIG" <<YAML
version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$1
health:
  storagedriver:
    enabled: false
YAML
}

start() {
  read_state
  if is_our_registry "$pid" && answers "$port"; then
    say "already running (pid $pid, port $port)"
    print_exports "$port"
    return
  fi
  rm -f "$STATE"
  ensure_installed
  command -v ss >/dev/null || die "ss (iproute2) is needed to check ports"
  mkdir -p "$DIR/data"
  local candidate=$FIRST_PORT attempt
  for ((attempt = 0; attempt < TRIES; attempt++, candidate++)); do
    if port_in_use "$candidate"; then say "port $candidate is taken, trying $((candidate + 1))"; continue; fi
    write_config "$candidate"
    setsid docker-registry serve "$CONFIG" >>"$LOG" 2>&1 </dev/null &
    local started_pid=$! waited=0
    until answers "$candidate"; do
      sleep 0.05
      waited=$((waited + 1))
      if [ "$waited" -ge 200 ] || ! kill -0 "$started_pid" 2>/dev/null; then break; fi
    done
    if answers "$candidate" && [ "$(listening_pid "$candidate")" = "$started_pid" ]; then
      echo "$started_pid $candidate" >"$STATE"
      say "started docker-registry (pid $started_pid, port $candidate, dir $DIR)"
      print_exports "$candidate"
      return
    fi
    kill "$started_pid" 2>/dev/null || true
    say "docker-registry did not come up on port $candidate (log: $LOG); trying the next port"
  done
  die "no free port for the registry in $FIRST_PORT..$((FIRST_PORT + TRIES - 1)) (log: $LOG)"
}

stop() {
  read_state
  if [ -z "$pid" ]; then say "not running (no state file)"; return; fi
  if ! is_our_registry "$pid"; then
    say "pid $pid is no longer our docker-registry; nothing to stop"
    rm -f "$STATE"
    return
  fi
  kill "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.05
    waited=$((waited + 1))
    if [ "$waited" -eq 100 ]; then say "pid $pid ignored SIGTERM; sending SIGKILL"; kill -9 "$pid" 2>/dev/null || true; fi
    [ "$waited" -ge 200 ] && die "pid $pid did not exit"
  done
  rm -f "$STATE"
  say "stopped docker-registry (pid $pid, port $port)"
}

status() {
  read_state
  if is_our_registry "$pid" && answers "$port"; then say "running (pid $pid, port $port)"; print_exports "$port"; else say "not running"; exit 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  install) ensure_installed ;;
  *) die "usage: $0 start|stop|status|install" ;;
esac
