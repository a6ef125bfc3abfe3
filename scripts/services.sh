#!/usr/bin/env bash
# Throw-away test servers for ferry's integration tests and benchmarks.
#
#   scripts/services.sh start|stop|status|env [pg|mariadb|nats|all]   (default: all)
#
#   start   installs missing Debian packages (apt-get update once, then apt-get install -y), creates the
#           instance under $FERRY_SERVICES_DIR (default /tmp/ferry-services) on a loopback port, waits until
#           it accepts connections and records its pid and URL in $DIR/env. Already running: no-op.
#   stop    stops the instances by the pids recorded at start (the data directories stay for inspection;
#           `rm -rf $DIR` removes them).
#   status  says which instances run.
#   env     prints `export FERRY_TEST_…=…` lines for eval: eval "$(scripts/services.sh env pg)".
#   tools   installs the benchmarks' tools when missing: GNU time, sysbench, pgloader (bench/).
#
# Ports (loopback only): FERRY_PG_PORT=55432, FERRY_MYSQL_PORT=53306, FERRY_NATS_PORT=54222
# (NATS monitoring FERRY_NATS_MONITOR_PORT=58222). The env file holds:
#   FERRY_TEST_PG_URL      superuser URL (user postgres) for test setup
#   FERRY_TEST_PG_TLS_DIR  ca.crt, server and client certificates (client cert CN ferry_cert)
#   FERRY_TEST_MYSQL_URL   user ferry with all privileges (local_infile on)
#   FERRY_TEST_NATS_URL    JetStream-enabled server
# PostgreSQL runs as the `postgres` user (created when missing) because initdb refuses root; it serves TLS
# on the same port (ssl=on) with a CA generated here; the server certificate names only "localhost"
# (not 127.0.0.1), so tests can tell verify-full (host name checked) from verify-ca.
# fsync is off: these instances are disposable.
set -euo pipefail

DIR="${FERRY_SERVICES_DIR:-/tmp/ferry-services}"
PG_PORT="${FERRY_PG_PORT:-55432}"
MYSQL_PORT="${FERRY_MYSQL_PORT:-53306}"
NATS_PORT="${FERRY_NATS_PORT:-54222}"
NATS_MONITOR_PORT="${FERRY_NATS_MONITOR_PORT:-58222}"
PG_PASSWORD="${FERRY_PG_PASSWORD:-ferry}"
MYSQL_PASSWORD="${FERRY_MYSQL_PASSWORD:-ferry}"
PG_USER_OS="${FERRY_PG_OS_USER:-postgres}"

log() { echo "services: $*" >&2; }
die() {
  echo "services: error: $*" >&2
  exit 1
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "cannot install $* (no apt-get); install it yourself"
  [[ $(id -u) -eq 0 ]] || die "cannot install $* as a non-root user; run: sudo apt-get install -y $*"
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }
wait_gone() {
  local i
  for ((i = 0; i < $2; i++)); do
    alive "$1" || return 0
    sleep 0.25
  done
}
pid_of() { [[ -f "$DIR/$1.pid" ]] && cat "$DIR/$1.pid" || true; }

# Runs a command as the unprivileged owner of the PostgreSQL cluster (itself when not root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u "$PG_USER_OS" -- "$@"; else "$@"; fi
}

# Replaces the lines of one service in the env file, keeping the others.
env_set() {
  local prefix="$1"
  shift
  local tmp="$DIR/env.tmp.$$"
  { [[ -f "$DIR/env" ]] && grep -v "^${prefix}" "$DIR/env" || true; } >"$tmp"
  for line in "$@"; do echo "$line" >>"$tmp"; done
  mv "$tmp" "$DIR/env"
}

wait_for() {
  local what="$1" tries="$2"
  shift 2
  for ((i = 0; i < tries; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  die "$what did not accept connections in time"
}

# ---------------------------------------------------------------- PostgreSQL

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$d" && -x "$d/initdb" ]] && echo "$d"
}

pg_tls() {
  local tls="$DIR/pg/tls"
  [[ -f "$tls/server.crt" ]] && return 0
  command -v openssl >/dev/null || apt_install openssl
  mkdir -p "$tls"
  (
    cd "$tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=ferry test CA" \
      -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile server.ext -out server.crt 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=ferry_cert" -keyout client.key -out client.csr 2>/dev/null
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -out client.crt 2>/dev/null
    rm -f ./*.csr server.ext
    chmod 600 ./*.key
  )
  [[ $(id -u) -eq 0 ]] && chown "$PG_USER_OS" "$tls/server.key" "$tls/server.crt" "$tls/ca.crt"
  return 0
}

pg_ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

pg_start() {
  BIN=$(pg_bindir || true)
  if [[ -z "$BIN" ]]; then
    apt_install postgresql postgresql-contrib
    BIN=$(pg_bindir) || die "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin after install"
  fi
  if [[ $(id -u) -eq 0 ]] && ! id "$PG_USER_OS" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER_OS"
  fi
  local pid
  pid=$(pid_of pg)
  if alive "$pid" && pg_ready; then
    log "PostgreSQL already running (pid $pid, port $PG_PORT)"
    return 0
  fi
  local data="$DIR/pg/data"
  mkdir -p "$DIR/pg/sock" "$DIR/pg/log"
  chmod 755 "$DIR" "$DIR/pg"
  [[ $(id -u) -eq 0 ]] && chown "$PG_USER_OS" "$DIR/pg/sock" "$DIR/pg/log"
  pg_tls
  if [[ ! -f "$data/PG_VERSION" ]]; then
    rm -rf "$data"
    mkdir -p "$data"
    echo "$PG_PASSWORD" >"$DIR/pg/pwfile"
    [[ $(id -u) -eq 0 ]] && chown -R "$PG_USER_OS" "$data" "$DIR/pg/pwfile"
    log "initdb $data ($("$BIN/postgres" --version))"
    as_pg "$BIN/initdb" -D "$data" -U postgres --pwfile="$DIR/pg/pwfile" -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$DIR/pg/initdb.log" 2>&1 ||
      die "initdb failed, see $DIR/pg/initdb.log"
    rm -f "$DIR/pg/pwfile"
    {
      echo "hostssl all ferry_cert 127.0.0.1/32 cert"
      echo "hostssl all ferry_cert ::1/128 cert"
      echo "host all all 127.0.0.1/32 scram-sha-256"
      echo "host all all ::1/128 scram-sha-256"
      echo "local all all trust"
    } >"$data/pg_hba.conf"
    cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$DIR/pg/sock'
max_connections = 200
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
ssl = on
ssl_cert_file = '$DIR/pg/tls/server.crt'
ssl_key_file = '$DIR/pg/tls/server.key'
ssl_ca_file = '$DIR/pg/tls/ca.crt'
log_min_messages = warning
EOF
  fi
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
  as_pg "$BIN/pg_ctl" -D "$data" -l "$DIR/pg/log/server.log" -w -t 60 start >/dev/null 9>&- ||
    die "PostgreSQL did not start, see $DIR/pg/log/server.log"
  head -n 1 "$data/postmaster.pid" >"$DIR/pg.pid"
  wait_for PostgreSQL 240 pg_ready
  as_pg "$BIN/psql" -qAt -h "$DIR/pg/sock" -p "$PG_PORT" -U postgres -d postgres -c \
    "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ferry_cert') THEN CREATE ROLE ferry_cert LOGIN; END IF; END\$\$" \
    >/dev/null
  env_set FERRY_TEST_PG_ \
    "FERRY_TEST_PG_URL=postgres://postgres:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/postgres" \
    "FERRY_TEST_PG_TLS_DIR=$DIR/pg/tls" \
    "FERRY_TEST_PG_BIN=$BIN"
}

pg_stop() {
  local pid
  pid=$(pid_of pg)
  if alive "$pid"; then
    log "stopping PostgreSQL (pid $pid)"
    kill -INT "$pid" 2>/dev/null || true
    wait_gone "$pid" 120
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/pg.pid"
  [[ -f "$DIR/env" ]] && env_set FERRY_TEST_PG_
  return 0
}

# ---------------------------------------------------------------- MariaDB

mysql_ready() { mariadb-admin --no-defaults --socket="$DIR/mariadb/mysqld.sock" -uroot ping; }

mariadb_start() {
  command -v mariadbd >/dev/null || [[ -x /usr/sbin/mariadbd ]] || apt_install mariadb-server mariadb-client
  export PATH="$PATH:/usr/sbin"
  local pid
  pid=$(pid_of mariadb)
  if alive "$pid" && mysql_ready >/dev/null 2>&1; then
    log "MariaDB already running (pid $pid, port $MYSQL_PORT)"
    return 0
  fi
  local data="$DIR/mariadb/data"
  mkdir -p "$DIR/mariadb"
  if [[ ! -d "$data/mysql" ]]; then
    rm -rf "$data"
    log "mariadb-install-db $data"
    mariadb-install-db --no-defaults --datadir="$data" --user="$(id -un)" --auth-root-authentication-method=socket \
      --skip-test-db >"$DIR/mariadb/install.log" 2>&1 || die "mariadb-install-db failed, see $DIR/mariadb/install.log"
  fi
  log "starting MariaDB on 127.0.0.1:$MYSQL_PORT"
  nohup mariadbd --no-defaults --datadir="$data" --user="$(id -un)" --bind-address=127.0.0.1 \
    --port="$MYSQL_PORT" --socket="$DIR/mariadb/mysqld.sock" --pid-file="$DIR/mariadb/mysqld.pid" \
    --log-error="$DIR/mariadb/server.log" --skip-name-resolve --local-infile=1 \
    --innodb-flush-log-at-trx-commit=2 --innodb-buffer-pool-size=256M --max-connections=200 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_bin >/dev/null 2>&1 9>&- &
  echo $! >"$DIR/mariadb.pid"
  wait_for MariaDB 240 mysql_ready
  mariadb --no-defaults --socket="$DIR/mariadb/mysqld.sock" -uroot <<EOF
CREATE USER IF NOT EXISTS 'ferry'@'%' IDENTIFIED BY '${MYSQL_PASSWORD}';
CREATE USER IF NOT EXISTS 'ferry'@'127.0.0.1' IDENTIFIED BY '${MYSQL_PASSWORD}';
GRANT ALL PRIVILEGES ON *.* TO 'ferry'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'ferry'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS ferry;
FLUSH PRIVILEGES;
EOF
  env_set FERRY_TEST_MYSQL_ "FERRY_TEST_MYSQL_URL=mysql://ferry:${MYSQL_PASSWORD}@127.0.0.1:${MYSQL_PORT}/ferry"
}

mariadb_stop() {
  local pid
  pid=$(pid_of mariadb)
  if alive "$pid"; then
    log "stopping MariaDB (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 240
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/mariadb.pid"
  [[ -f "$DIR/env" ]] && env_set FERRY_TEST_MYSQL_
  return 0
}

# ---------------------------------------------------------------- NATS

nats_ready() { exec 3<>"/dev/tcp/127.0.0.1/$NATS_PORT" && head -c 4 <&3 | grep -q INFO; }

nats_start() {
  command -v nats-server >/dev/null || apt_install nats-server
  local pid
  pid=$(pid_of nats)
  if alive "$pid" && (nats_ready) >/dev/null 2>&1; then
    log "NATS already running (pid $pid, port $NATS_PORT)"
    return 0
  fi
  mkdir -p "$DIR/nats/store"
  log "starting nats-server on 127.0.0.1:$NATS_PORT"
  nohup nats-server -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" -js -sd "$DIR/nats/store" \
    -l "$DIR/nats/server.log" >/dev/null 2>&1 9>&- &
  echo $! >"$DIR/nats.pid"
  wait_for NATS 120 bash -c "$(declare -f nats_ready); NATS_PORT=$NATS_PORT nats_ready"
  env_set FERRY_TEST_NATS_ \
    "FERRY_TEST_NATS_URL=nats://127.0.0.1:${NATS_PORT}" \
    "FERRY_TEST_NATS_MONITOR_URL=http://127.0.0.1:${NATS_MONITOR_PORT}"
}

nats_stop() {
  local pid
  pid=$(pid_of nats)
  if alive "$pid"; then
    log "stopping NATS (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 80
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/nats.pid"
  [[ -f "$DIR/env" ]] && env_set FERRY_TEST_NATS_
  return 0
}

# ---------------------------------------------------------------- main

cmd="${1:-}"
what="${2:-all}"
if [[ $cmd == tools ]]; then
  # The benchmarks' baselines and data generators (bench/pg-to-pg.ts, bench/mysql-to-pg.ts), not the services'.
  mkdir -p "$DIR"
  exec 9>"$DIR/lock"
  flock 9
  missing=()
  [[ -x /usr/bin/time ]] || missing+=(time)
  command -v sysbench >/dev/null || missing+=(sysbench)
  command -v pgloader >/dev/null || missing+=(pgloader)
  if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
  exit 0
fi
case "$what" in
pg | postgres) services=(pg) ;;
mariadb | mysql) services=(mariadb) ;;
nats) services=(nats) ;;
all) services=(pg mariadb nats) ;;
*) die "unknown service '$what' (pg, mariadb, nats or all)" ;;
esac
prefix_of() { case "$1" in pg) echo FERRY_TEST_PG_ ;; mariadb) echo FERRY_TEST_MYSQL_ ;; nats) echo FERRY_TEST_NATS_ ;; esac }

mkdir -p "$DIR"
case "$cmd" in
start | stop)
  # Concurrent test files may start the services at the same time: one at a time. Daemons get `9>&-` so
  # they do not inherit (and hold) the lock.
  exec 9>"$DIR/lock"
  flock 9
  for s in "${services[@]}"; do "${s}_${cmd}"; done
  if [[ $cmd == start ]]; then log "env file: $DIR/env"; fi
  ;;
status)
  for s in "${services[@]}"; do
    pid=$(pid_of "$s")
    if alive "$pid"; then echo "$s: running (pid $pid)"; else echo "$s: stopped"; fi
  done
  ;;
env)
  [[ -f "$DIR/env" ]] || die "no env file at $DIR/env; run: $0 start $what"
  for s in "${services[@]}"; do
    grep "^$(prefix_of "$s")" "$DIR/env" | sed 's/^/export /' || true
  done
  ;;
*)
  echo "usage: $0 start|stop|status|env [pg|mariadb|nats|all] | tools" >&2
  exit 2
  ;;
esac
