#!/usr/bin/env bash
# Private Redis for the test suites (toolchain.md section 2 recipe).
#
#   eval "$(bash scripts/services/redis.sh start)"   # prints: export D7Y_TEST_REDIS_URL=redis://127.0.0.1:<port>
#   bash scripts/services/redis.sh stop               # stops exactly the redis-server this script started
#   bash scripts/services/redis.sh status
#
# start installs redis-server from Debian when missing, picks a free loopback port from 26390 up (override
# the first candidate with D7Y_REDIS_PORT), runs redis-server daemonized with its data, pid file and log under
# test/.tmp/services/redis, waits for PONG and checks that the listening process is the one it started.
# Idempotent: start while running prints the export again; stop while stopped succeeds. Progress goes to
# stderr, so stdout carries only the export line. Exit status is non-zero, with a message, on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="$ROOT/test/.tmp/services/redis"
PIDFILE="$DIR/redis.pid"      # written by redis-server itself
STATE="$DIR/state"            # "<pid> <port>" of the server this script started
LOG="$DIR/redis.log"
FIRST_PORT="${D7Y_REDIS_PORT:-26390}"
[[ "$FIRST_PORT" =~ ^[0-9]+$ ]] && [ "$FIRST_PORT" -ge 1024 ] && [ "$FIRST_PORT" -le 65000 ] || { echo "redis.sh: error: D7Y_REDIS_PORT must be a port in 1024..65000" >&2; exit 1; }
TRIES=20

say() { echo "redis.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

port_in_use() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
listening_pid() { ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2; }
is_our_redis() { # pid port
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q "redis-server .*:$2\b"
}
pong() { [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = "PONG" ]; }

read_state() {
  pid="" port=""
  if [ -f "$STATE" ]; then read -r pid port <"$STATE" || true; fi
}

ensure_installed() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return
  [ "$(id -u)" = 0 ] || die "redis-server is not installed and installing needs root: apt-get install -y --no-install-recommends redis-server"
  say "installing redis-server (Debian package)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >&2; then
    apt-get update >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server >&2 || die "apt-get install redis-server failed"
  fi
  command -v redis-server >/dev/null || die "redis-server still missing after installation"
}

print_export() { echo "export D7Y_TEST_REDIS_URL=redis://127.0.0.1:$1"; }

start() {
  read_state
  if is_our_redis "$pid" "$port" && pong "$port"; then
    say "already running (pid $pid, port $port)"
    print_export "$port"
    return
  fi
  rm -f "$STATE"
  ensure_installed
  command -v ss >/dev/null || die "ss (iproute2) is needed to check ports"
  mkdir -p "$DIR"
  local candidate=$FIRST_PORT attempt
  for ((attempt = 0; attempt < TRIES; attempt++, candidate++)); do
    if port_in_use "$candidate"; then say "port $candidate is taken, trying $((candidate + 1))"; continue; fi
    rm -f "$PIDFILE"
    # The port in --bind/--port shows in /proc/<pid>/cmdline as 127.0.0.1:<port>, which is_our_redis checks.
    if ! redis-server --bind 127.0.0.1 --port "$candidate" --dir "$DIR" --daemonize yes --pidfile "$PIDFILE" \
      --logfile "$LOG" --save "" --appendonly no --protected-mode yes >&2; then
      die "redis-server failed to start (see $LOG)"
    fi
    local waited=0
    until pong "$candidate"; do
      sleep 0.05
      waited=$((waited + 1))
      if [ "$waited" -ge 200 ] || { [ -f "$PIDFILE" ] && ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }; then break; fi
    done
    local started_pid=""
    [ -f "$PIDFILE" ] && started_pid="$(cat "$PIDFILE")"
    if pong "$candidate" && [ -n "$started_pid" ] && [ "$(listening_pid "$candidate")" = "$started_pid" ]; then
      echo "$started_pid $candidate" >"$STATE"
      say "started redis-server (pid $started_pid, port $candidate, dir $DIR)"
      print_export "$candidate"
      return
    fi
    # Lost a race for the port, or it did not come up: stop what we started (if anything) and try the next.
    if [ -n "$started_pid" ] && is_our_redis "$started_pid" "$candidate"; then kill "$started_pid" 2>/dev/null || true; fi
    say "redis-server did not come up on port $candidate (log: $LOG); trying the next port"
  done
  die "no free port for redis in $FIRST_PORT..$((FIRST_PORT + TRIES - 1)) (log: $LOG)"
}

stop() {
  read_state
  if [ -z "$pid" ]; then say "not running (no state file)"; return; fi
  if ! is_our_redis "$pid" "$port"; then
    say "pid $pid is no longer our redis-server on port $port; nothing to stop"
    rm -f "$STATE"
    return
  fi
  redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.05
    waited=$((waited + 1))
    if [ "$waited" -eq 100 ]; then say "pid $pid ignored shutdown; sending SIGKILL"; kill -9 "$pid" 2>/dev/null || true; fi
    [ "$waited" -ge 200 ] && die "pid $pid did not exit"
  done
  rm -f "$STATE" "$PIDFILE"
  say "stopped redis-server (pid $pid, port $port)"
}

status() {
  read_state
  if is_our_redis "$pid" "$port" && pong "$port"; then say "running (pid $pid, port $port)"; print_export "$port"; else say "not running"; exit 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
