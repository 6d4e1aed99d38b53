#!/usr/bin/env bash
# The TaskService benchmark, in one command: starts a throw-away PostgreSQL 15 (as scripts/test.sh does; fsync on), measures
# with pgbench how fast that server commits single-row inserts (1 client, then N clients), then runs bench/TaskService.Benchmarks
# (Release), which drives HTTP trigger -> workflow -> task -> outbox -> webhook against the same server and prints both.
# Results also go to bench/results/latest.json. See bench/README.md for how to read the output.
#
# Usage: scripts/bench.sh [--events N] [--concurrency C] [--warmup W] [--pgbench-seconds S] [--pgbench-clients N]
#                         [--skip-pgbench] [--no-build] [-- more arguments for the benchmark program, e.g. --keep-database]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

log() { printf '[bench.sh] %s\n' "$*"; }
usage() { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

events=5000
concurrency=32
warmup=200
pgbench_seconds=10
pgbench_clients=8
skip_pgbench=0
build_args=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events=${2:?--events needs a value}; shift 2 ;;
    --concurrency) concurrency=${2:?--concurrency needs a value}; shift 2 ;;
    --warmup) warmup=${2:?--warmup needs a value}; shift 2 ;;
    --pgbench-seconds) pgbench_seconds=${2:?--pgbench-seconds needs a value}; shift 2 ;;
    --pgbench-clients) pgbench_clients=${2:?--pgbench-clients needs a value}; shift 2 ;;
    --skip-pgbench) skip_pgbench=1; shift ;;
    --no-build) build_args=(--no-build); shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) log "unknown argument '$1'"; usage; exit 2 ;;
  esac
done

apt_install() {
  if [ "$(id -u)" -eq 0 ]; then
    log "installing $* with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    log "missing: $* (install with: sudo apt-get install $*)"
    exit 1
  fi
}

command -v dotnet >/dev/null || { log "the .NET 10 SDK is required: https://dot.net"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# PostgreSQL: the same throw-away server scripts/test.sh starts (own data directory under a temp dir, a free port on
# 127.0.0.1, fsync on), stopped when this script exits. These lines duplicate scripts/test.sh on purpose: there is no shared
# scripts/lib/postgres.sh yet; when there is one, source it instead.
pg_bin=/usr/lib/postgresql/15/bin
pg_dir=""
pg_user=""
pg_port=""
pg_password=""

stop_postgres() {
  [ -n "$pg_dir" ] || return 0
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    log "stopping PostgreSQL"
    pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pg_dir"
  pg_dir=""
}

# Runs a PostgreSQL program as the postgres user when we are root (the server refuses to run as root), else as ourselves.
pg_as() {
  if [ -n "$pg_user" ]; then
    runuser -u "$pg_user" -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_postgres() {
  local attempt candidate
  if [ ! -x "$pg_bin/pg_ctl" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      log "PostgreSQL 15 is not installed ($pg_bin/pg_ctl is missing) and installing it needs root:"
      log "  sudo apt-get install -y postgresql-15 postgresql-contrib    (then run scripts/bench.sh again)"
      exit 1
    fi
    apt_install postgresql-15
  fi

  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { log "the postgres user is missing (it comes with the postgresql-common package)"; exit 1; }
    pg_user=postgres
  fi

  pg_dir=$(mktemp -d /tmp/taskservice-bench-pg.XXXXXX) # /tmp: the postgres user must reach it
  trap stop_postgres EXIT
  trap 'exit 130' INT TERM
  chmod 700 "$pg_dir"
  [ -z "$pg_user" ] || chown "$pg_user": "$pg_dir"

  pg_password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$pg_password" >"$pg_dir/pwfile"
  chmod 600 "$pg_dir/pwfile"
  [ -z "$pg_user" ] || chown "$pg_user": "$pg_dir/pwfile"
  # Local socket connections trust the OS user; TCP connections (pgbench and the benchmark) need the postgres password.
  pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --pwfile="$pg_dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log"; log "initdb failed"; exit 1; }
  rm -f "$pg_dir/pwfile"

  # A free port: a random one nothing listens on; if another process takes it before the server binds it, try another.
  for attempt in 1 2 3 4 5 6 7 8; do
    candidate=$((20000 + RANDOM % 30000))
    port_in_use "$candidate" && continue
    if pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
      -o "-c port=$candidate -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg_dir -c fsync=on -c max_connections=200" \
      start >/dev/null; then
      pg_port=$candidate
      break
    fi
  done
  [ -n "$pg_port" ] || { cat "$pg_dir/server.log" 2>/dev/null; log "PostgreSQL did not start"; exit 1; }

  local deadline=$((SECONDS + 60))
  until "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; do
    [ "$SECONDS" -lt "$deadline" ] || { cat "$pg_dir/server.log"; log "PostgreSQL did not accept connections within 60 s"; exit 1; }
    sleep 0.2
  done
  log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$pg_port (data in $pg_dir/data, fsync on)"
}

# One pgbench run: a custom script that inserts one row per transaction into a scratch table, over TCP like the service.
# Prints the tps (excluding connection set-up).
run_pgbench() {
  local clients=$1 threads output tps
  threads=$(( clients < $(nproc) ? clients : $(nproc) ))
  output=$(PGPASSWORD="$pg_password" "$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -n \
    -f "$pg_dir/insert.sql" -c "$clients" -j "$threads" -T "$pgbench_seconds" bench_pgbench 2>&1) \
    || { printf '%s\n' "$output" >&2; log "pgbench failed"; exit 1; }
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$output")
  tps=${tps%%$'\n'*}
  [ -n "$tps" ] || { printf '%s\n' "$output" >&2; log "no tps in pgbench's output"; exit 1; }
  printf '%s' "$tps"
}

start_postgres

pgbench_args=()
if [ "$skip_pgbench" -eq 0 ]; then
  pg_as "$pg_bin/createdb" -h "$pg_dir" -p "$pg_port" -U postgres bench_pgbench
  pg_as "$pg_bin/psql" -q -h "$pg_dir" -p "$pg_port" -U postgres -d bench_pgbench -v ON_ERROR_STOP=1 \
    -c "CREATE TABLE scratch (id bigserial PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
  printf '%s\n' "INSERT INTO scratch (payload) VALUES ('benchmark row');" >"$pg_dir/insert.sql"
  chmod 644 "$pg_dir/insert.sql"

  log "pgbench: single-row INSERT commits, 1 client, ${pgbench_seconds} s"
  tps1=$(run_pgbench 1)
  log "pgbench: 1 client: $tps1 tps"
  log "pgbench: single-row INSERT commits, $pgbench_clients clients, ${pgbench_seconds} s"
  tpsn=$(run_pgbench "$pgbench_clients")
  log "pgbench: $pgbench_clients clients: $tpsn tps"
  pg_as "$pg_bin/dropdb" -h "$pg_dir" -p "$pg_port" -U postgres bench_pgbench
  pgbench_args=(--pgbench-tps-1 "$tps1" --pgbench-tps-n "$tpsn" --pgbench-clients "$pgbench_clients" --pgbench-seconds "$pgbench_seconds")
fi

log "building and running bench/TaskService.Benchmarks (Release): $events events, $concurrency concurrent clients, $warmup warm-up"
status=0
TASKSERVICE_BENCH_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$pg_password;Database=postgres" \
  dotnet run -c Release "${build_args[@]}" --project bench/TaskService.Benchmarks -- \
  --events "$events" --concurrency "$concurrency" --warmup "$warmup" \
  --output "$repo/bench/results/latest.json" "${pgbench_args[@]}" "${extra[@]}" || status=$?

[ "$status" -eq 0 ] && log "done" || log "FAILED (exit $status)"
exit "$status"
