#!/usr/bin/env bash
# A private MariaDB server (MySQL protocol) for the test suites.
#
#   scripts/services/mariadb.sh start    start (or find already running) and print `export D7Y_TEST_MYSQL_URL=...`
#   scripts/services/mariadb.sh stop     stop exactly the server this script started (by its recorded PID)
#   scripts/services/mariadb.sh status   print whether it runs, and its URL
#
# Installs `mariadb-server` (no recommends) when mariadbd is missing (`apt-get update` only if the install fails
# without it). The server runs with --no-defaults (nothing from /etc/mysql), data in
# $D7Y_SERVICES_DIR/mariadb (default: <repo>/test/.tmp/services/mariadb), on 127.0.0.1 only, on
# $D7Y_MARIADB_PORT (default 23306) or the next free port, utf8mb4 by default. It creates user 'd7y'@'127.0.0.1'
# (password generated once, kept in the directory, mode 0600) with all privileges on databases named `d7y%`, so
# suites can create their own, and database `d7y`.
# Only the export line goes to stdout; progress and errors go to stderr. Exits non-zero with a message on failure.
set -euo pipefail

NAME=mariadb
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIR=${D7Y_SERVICES_DIR:-$REPO/test/.tmp/services}/$NAME
DIR=$(mkdir -p "$DIR" && cd "$DIR" && pwd)
DATA=$DIR/data
SOCK=$DIR/mysqld.sock
SERVER_PIDFILE=$DIR/mariadbd.pid   # written by the server
PIDFILE=$DIR/server.pid            # the PID this script started
PORTFILE=$DIR/port
PASSFILE=$DIR/password
LOG=$DIR/error.log
PREFERRED_PORT=${D7Y_MARIADB_PORT:-23306}
DB_USER=d7y
DB_NAME=d7y
MARIADBD=/usr/sbin/mariadbd

log() { echo "mariadb.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

ensure_installed() {
  [ -x "$MARIADBD" ] && command -v mariadb-install-db >/dev/null && return 0
  log "MariaDB not found; installing mariadb-server"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends mariadb-server >&2; then
    apt-get update >&2 || die "apt-get update failed"
    apt-get install -y --no-install-recommends mariadb-server >&2 || die "apt-get install mariadb-server failed"
  fi
  [ -x "$MARIADBD" ] || die "mariadb-server installed but $MARIADBD is missing"
}

# True when $1 is a live mariadbd serving our data directory.
is_ours() {
  local pid=$1 cmd
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  [[ $cmd == *"--datadir=$DATA "* ]]
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

url() { echo "mysql://$DB_USER:$(cat "$PASSFILE")@127.0.0.1:$(cat "$PORTFILE")/$DB_NAME"; }

admin() { mariadb --no-defaults -S "$SOCK" -uroot "$@"; }

init_datadir() {
  [ -d "$DATA/mysql" ] && return 0
  rm -rf "$DATA"
  chown mysql:mysql "$DIR"
  chmod 0750 "$DIR"
  log "mariadb-install-db in $DATA"
  mariadb-install-db --no-defaults --user=mysql --datadir="$DATA" --auth-root-authentication-method=socket \
    --skip-test-db >>"$DIR/setup.log" 2>&1 || die "mariadb-install-db failed; see $DIR/setup.log"
}

# True while $1 runs (a zombie child does not count).
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]
}

# Waits until the server answers on its socket; fails early if the process exits.
wait_ready() {
  local pid=$1 i
  for i in $(seq 1 600); do
    admin -e 'SELECT 1' >/dev/null 2>&1 && return 0
    alive "$pid" || return 1
    sleep 0.05
  done
  return 1
}

start_server() {
  local port=$PREFERRED_PORT tries=0 pid
  while :; do
    tries=$((tries + 1))
    [ $tries -le 20 ] || die "no free port found from $PREFERRED_PORT"
    if port_busy "$port"; then
      log "port $port is taken; trying $((port + 1))"
      port=$((port + 1))
      continue
    fi
    log "starting on 127.0.0.1:$port"
    rm -f "$SERVER_PIDFILE"
    touch "$LOG" && chown mysql:mysql "$LOG"
    # setsid: not in the caller's process group; stdio detached so `$(mariadb.sh start)` returns.
    setsid "$MARIADBD" --no-defaults --user=mysql --datadir="$DATA" --socket="$SOCK" --pid-file="$SERVER_PIDFILE" \
      --port="$port" --bind-address=127.0.0.1 --log-error="$LOG" --skip-log-bin --skip-name-resolve \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 --max-connections=300 \
      </dev/null >>"$DIR/stdout.log" 2>&1 9>&- &
    pid=$!
    if wait_ready "$pid"; then break; fi
    if alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
    if [[ $(tail -n 30 "$LOG") == *"Address already in use"* ]]; then
      port=$((port + 1))
      continue
    fi
    die "mariadbd did not become ready; see $LOG"
  done
  is_ours "$pid" || die "started PID $pid is not a mariadbd on $DATA"
  [ "$(cat "$SERVER_PIDFILE" 2>/dev/null)" = "$pid" ] || die "server pid file does not name our PID $pid"
  listener_pid_ok "$port" "$pid" || { kill -TERM "$pid"; die "127.0.0.1:$port is not served by our PID $pid"; }
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
  admin <<SQL >&2 || die "could not create user/database"
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$pass';
ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$pass';
GRANT ALL PRIVILEGES ON \`d7y%\`.* TO '$DB_USER'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
}

cmd_start() {
  ensure_installed
  local pid
  if pid=$(running_pid); then
    log "already running (PID $pid) on 127.0.0.1:$(cat "$PORTFILE")"
  else
    init_datadir
    start_server
  fi
  setup_database
  log "ready: PID $(cat "$PIDFILE"), 127.0.0.1:$(cat "$PORTFILE"), data $DATA"
  echo "export D7Y_TEST_MYSQL_URL=$(url)"
}

cmd_stop() {
  local pid i
  if ! pid=$(running_pid); then
    log "not running"
    rm -f "$PIDFILE"
    return 0
  fi
  log "stopping PID $pid"
  kill -TERM "$pid"
  for i in $(seq 1 600); do
    alive "$pid" || { rm -f "$PIDFILE"; return 0; }
    sleep 0.05
  done
  die "PID $pid did not exit within 30 s"
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
