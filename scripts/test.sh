#!/usr/bin/env bash
# Runs every test of TaskService: builds the solution, brings up what the tests need, runs all test projects, tears down.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter "FullyQualifiedName~Webhooks"]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

log() { printf '[test.sh] %s\n' "$*"; }

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

# Tools the tests call: Node.js runs the webhook receiver that validates signatures as the original's sample does;
# curl and jq run the README walk-through; kcat produces Kafka test input.
command -v node >/dev/null || apt_install nodejs
command -v curl >/dev/null || apt_install curl
command -v jq >/dev/null || apt_install jq
# kcat (Debian's package) is the independent Kafka client the Kafka tests produce with; the brokers themselves are librdkafka's
# mock cluster, which the tests start in-process.
command -v kcat >/dev/null || apt_install kcat
command -v dotnet >/dev/null || { log "the .NET 10 SDK is required: https://dot.net"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log "building TaskService.sln"
dotnet build TaskService.sln -nologo -v quiet -clp:ErrorsOnly

results="$repo/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

# PostgreSQL: a throw-away server of our own (own data directory under a temp dir, a free port on 127.0.0.1, fsync on),
# started here and stopped when this script exits. The tests find it through TASKSERVICE_TEST_POSTGRES; when that is set
# already, they use that server and none is started.
pg_bin=/usr/lib/postgresql/15/bin
pg_dir=""
pg_user=""

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
  local started_ns password port attempt candidate
  started_ns=$(date +%s%N)
  if [ ! -x "$pg_bin/pg_ctl" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      log "PostgreSQL 15 is not installed ($pg_bin/pg_ctl is missing) and installing it needs root:"
      log "  sudo apt-get install -y postgresql-15    (then run scripts/test.sh again)"
      log "or point the tests at a server of yours: TASKSERVICE_TEST_POSTGRES=\"Host=...;Port=...;Username=...;Password=...;Database=postgres\""
      exit 1
    fi
    apt_install postgresql-15
  fi

  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { log "the postgres user is missing (it comes with the postgresql-common package)"; exit 1; }
    pg_user=postgres
  fi

  pg_dir=$(mktemp -d /tmp/taskservice-pg.XXXXXX) # /tmp: the postgres user must reach it
  trap stop_postgres EXIT
  trap 'exit 130' INT TERM
  chmod 700 "$pg_dir"
  [ -z "$pg_user" ] || chown "$pg_user": "$pg_dir"

  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" >"$pg_dir/pwfile"
  chmod 600 "$pg_dir/pwfile"
  [ -z "$pg_user" ] || chown "$pg_user": "$pg_dir/pwfile"
  # Local socket connections trust the OS user; TCP connections (the tests) need the postgres password.
  pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --pwfile="$pg_dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log"; log "initdb failed"; exit 1; }
  rm -f "$pg_dir/pwfile"

  # A free port: a random one nothing listens on; if another process takes it before the server binds it, try another.
  port=""
  for attempt in 1 2 3 4 5 6 7 8; do
    candidate=$((20000 + RANDOM % 30000))
    port_in_use "$candidate" && continue
    if pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
      -o "-c port=$candidate -c listen_addresses=127.0.0.1 -c unix_socket_directories=$pg_dir -c fsync=on -c max_connections=200" \
      start >/dev/null; then
      port=$candidate
      break
    fi
  done
  [ -n "$port" ] || { cat "$pg_dir/server.log" 2>/dev/null; log "PostgreSQL did not start"; exit 1; }

  local deadline=$((SECONDS + 60))
  until "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port"; do
    [ "$SECONDS" -lt "$deadline" ] || { cat "$pg_dir/server.log"; log "PostgreSQL did not accept connections within 60 s"; exit 1; }
    sleep 0.2
  done

  export TASKSERVICE_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=postgres"
  log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$port in $(( ($(date +%s%N) - started_ns) / 1000000 )) ms (data in $pg_dir/data)"
}

if [ -n "${TASKSERVICE_TEST_POSTGRES:-}" ]; then
  log "using the PostgreSQL server of TASKSERVICE_TEST_POSTGRES"
else
  start_postgres
fi

log "running every test project"
status=0
dotnet test TaskService.sln --no-build -nologo \
  --logger "console;verbosity=normal" \
  --logger "trx" \
  --results-directory "$results" \
  --blame-hang-timeout 5m \
  "$@" || status=$?

log "summary (per test project):"
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  # No pipes into head here: with pipefail, grep killed by SIGPIPE would end the script. A project none of whose tests
  # matched a --filter has no storage attribute; it is listed as "(no test matched)".
  name=$(grep -o -m 1 'storage="[^"]*"' "$trx" || true)
  name=${name%%$'\n'*}
  name=${name##*/}
  name=${name%\"}
  name=${name:-(no test matched)}
  counters=$(grep -o -m 1 '<Counters [^>]*>' "$trx" || true)
  total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  printf '  %-45s total %5s  passed %5s  failed %5s\n' "$name" "$total" "$passed" "$failed"
done

if [ "$status" -ne 0 ]; then
  log "FAILED (exit $status)"
else
  log "all tests passed"
fi
exit "$status"
