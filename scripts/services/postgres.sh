#!/usr/bin/env bash
# A private PostgreSQL server for the test suites.
#
#   scripts/services/postgres.sh start    start (or find already running) and print `export D7Y_TEST_POSTGRES_URL=...`
#   scripts/services/postgres.sh stop     stop exactly the server this script started (by its recorded PID)
#   scripts/services/postgres.sh status   print whether it runs, and its URL
#
# Installs the Debian package when no PostgreSQL binaries are found (`apt-get update` only if the install fails
# without it). The cluster lives in $D7Y_SERVICES_DIR/postgres (default: <repo>/test/.tmp/services/postgres),
# listens on 127.0.0.1 only, on $D7Y_POSTGRES_PORT (default 25432) or the next free port, with its unix socket in
# the same directory. It creates role `d7y` (password generated once, kept in the directory, mode 0600, allowed to
# CREATE DATABASE so suites can isolate themselves) and database `d7y`.
# Only the export line goes to stdout; progress and errors go to stderr. Exits non-zero with a message on failure.
set -euo pipefail

NAME=postgres
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${D7Y_SERVICES_DIR:-$REPO/test/.tmp/services}/$NAME
DIR=$(mkdir -p "$DIR" && cd "$DIR" && pwd)
DATA=$DIR/data
PIDFILE=$DIR/server.pid      # PID of the postmaster we started (checked against data/postmaster.pid)
PORTFILE=$DIR/port
PASSFILE=$DIR/password
LOG=$DIR/server.log          # written by the postgres user
SETUP_LOG=$DIR/setup.log
PREFERRED_PORT=${D7Y_POSTGRES_PORT:-25432}
DB_USER=d7y
DB_NAME=d7y

log() { echo "postgres.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

ensure_installed() {
  [ -n "$(pg_bin)" ] && return 0
  log "PostgreSQL not found; installing the Debian package"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends postgresql >&2; then
    apt-get update >&2 || die "apt-get update failed"
    apt-get install -y --no-install-recommends postgresql >&2 || die "apt-get install postgresql failed"
  fi
  [ -n "$(pg_bin)" ] || die "postgresql installed but no /usr/lib/postgresql/*/bin/pg_ctl found"
}

# True when $1 is a live postmaster serving our data directory.
is_ours() {
  local pid=$1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  local cmd
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  [[ $cmd == *"$DATA"* ]] || return 1
  [ -f "$DATA/postmaster.pid" ] && [ "$(head -n 1 "$DATA/postmaster.pid")" = "$pid" ]
}

running_pid() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  is_ours "$pid" && echo "$pid"
}

port_busy() { [ -n "$(ss -ltnH "( sport = :$1 )" 2>/dev/null)" ]; }

listener_pid_ok() {
  local lines
  lines=$(ss -ltnpH "( sport = :$1 )" 2>/dev/null)
  [[ $lines == *"pid=$2,"* ]]
}

url() { echo "postgres://$DB_USER:$(cat "$PASSFILE")@127.0.0.1:$(cat "$PORTFILE")/$DB_NAME"; }

as_pg() { runuser -u postgres -- "$@"; }

psql_admin() { as_pg "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$(cat "$PORTFILE")" -U postgres -d postgres "$@"; }

init_cluster() {
  [ -f "$DATA/PG_VERSION" ] && return 0
  id postgres >/dev/null 2>&1 || die "user 'postgres' does not exist (is the postgresql package installed?)"
  rm -rf "$DATA"
  chown postgres:postgres "$DIR"
  chmod 0700 "$DIR"
  as_pg test -w "$DIR" || die "user postgres cannot write $DIR (every parent directory must be traversable)"
  log "initdb in $DATA"
  as_pg "$BIN/initdb" -D "$DATA" -U postgres -E UTF8 --no-sync --auth-local=trust --auth-host=scram-sha-256 >>"$SETUP_LOG" 2>&1 ||
    die "initdb failed; see $SETUP_LOG"
}

start_server() {
  local port=$PREFERRED_PORT tries=0
  while :; do
    tries=$((tries + 1))
    [ $tries -le 20 ] || die "no free port found from $PREFERRED_PORT"
    if port_busy "$port"; then
      log "port $port is taken; trying $((port + 1))"
      port=$((port + 1))
      continue
    fi
    log "starting on 127.0.0.1:$port"
    touch "$LOG" && chown postgres:postgres "$LOG"
    if as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start </dev/null >&2 9>&-; then
      break
    fi
    # Lost a race for the port, or a real failure: only retry the former.
    if [[ $(tail -n 20 "$LOG") == *"Address already in use"* ]]; then
      port=$((port + 1))
      continue
    fi
    die "pg_ctl start failed; see $LOG"
  done
  local pid
  pid=$(head -n 1 "$DATA/postmaster.pid")
  is_ours "$pid" || die "server started but postmaster.pid ($pid) is not our process"
  listener_pid_ok "$port" "$pid" || { as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2 || true; die "127.0.0.1:$port is not served by our PID $pid"; }
  echo "$pid" >"$PIDFILE"
  echo "$port" >"$PORTFILE"
}

setup_database() {
  if [ ! -s "$PASSFILE" ]; then
    (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$PASSFILE")
  fi
  chmod 0600 "$PASSFILE"
  local pass
  pass=$(cat "$PASSFILE")
  psql_admin <<SQL >&2 || die "could not create role/database; see $LOG"
SELECT 'CREATE ROLE $DB_USER LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$DB_USER') \gexec
ALTER ROLE $DB_USER WITH LOGIN CREATEDB PASSWORD '$pass';
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_USER' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DB_NAME') \gexec
SQL
}

cmd_start() {
  ensure_installed
  BIN=$(pg_bin)
  local pid
  if pid=$(running_pid); then
    log "already running (PID $pid) on 127.0.0.1:$(cat "$PORTFILE")"
  else
    [ -f "$DATA/postmaster.pid" ] && ! is_ours "$(head -n 1 "$DATA/postmaster.pid")" && rm -f "$DATA/postmaster.pid"
    init_cluster
    start_server
  fi
  setup_database
  log "ready: PID $(cat "$PIDFILE"), 127.0.0.1:$(cat "$PORTFILE"), data $DATA"
  echo "export D7Y_TEST_POSTGRES_URL=$(url)"
}

cmd_stop() {
  local pid
  if ! pid=$(running_pid); then
    log "not running"
    rm -f "$PIDFILE"
    return 0
  fi
  BIN=$(pg_bin)
  log "stopping PID $pid"
  # pg_ctl signals the PID in $DATA/postmaster.pid, which is_ours() has just matched against our recorded PID.
  as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >&2 || die "pg_ctl stop failed for PID $pid"
  rm -f "$PIDFILE"
}

cmd_status() {
  local pid
  if pid=$(running_pid); then
    echo "running: PID $pid, $(url | sed 's#//\([^:]*\):[^@]*@#//\1:***@#')"
  else
    echo "not running"
    return 1
  fi
}

# Serialise start/stop of this directory's server between concurrent callers.
lock() {
  exec 9>"$DIR/.lock"
  flock -w 300 9 || die "another start/stop of $DIR is still running after 300 s"
}

case "${1:-}" in
  start) lock; cmd_start ;;
  stop) lock; cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
