#!/usr/bin/env bash
# The TaskService benchmark, in one command: starts a throw-away PostgreSQL 15 (as scripts/test.sh does; fsync on), measures
# with pgbench how fast that server commits single-row inserts (1 client, then N clients), then runs bench/TaskService.Benchmarks
# (Release), which drives HTTP trigger -> workflow -> task -> outbox -> webhook against the same server and prints both.
# Results also go to bench/results/latest.json. See bench/README.md for how to read the output.
#
# By default: the maximum (closed loop, C clients), then open loop at half of it for S seconds, then idle single events.
#
# Usage: scripts/bench.sh [--events N] [--concurrency C] [--warmup W] [--rate R] [--seconds S] [--pgbench-seconds S]
#                         [--pgbench-clients N] [--skip-pgbench] [--no-build] [--kafka] [--sqs] [--connector-events N]
#                         [--skip-http] [--profile] [--ceiling] [-- more arguments for the benchmark program]
#   --rate R --seconds S   open loop only: R events per second for S seconds
#   --kafka, --sqs         after the HTTP path, the Kafka (librdkafka mock cluster) or SQS (local server) path, messages
#                          in -> task-created out, on the embedded store and then on PostgreSQL (--connector-events each),
#                          against the same pgbench figures; --skip-http measures only these
#   --profile              record the closed-loop phase (with --rate: the open loop) with dotnet-trace (CPU samples, allocation ticks, GC) into
#                          bench/results/profile.nettrace and print where CPU and allocations go (bench/TaskService.TraceSummary;
#                          also written to bench/results/profile-latest.txt). The profiled run's figures include the tracing's cost.
#   --ceiling              after the HTTP path, PostgreSQL alone doing the event path's writes (bench/path-writes.sql, batches
#                          of 32 events, copies of the rows the run wrote) with pgbench, 2 and 4 clients: what the database
#                          itself carries on this machine, with no silo and no load process beside it
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

log() { printf '[bench.sh] %s\n' "$*"; }
usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

events=20000
concurrency=64
warmup=200
pgbench_seconds=10
pgbench_clients=8
skip_pgbench=0
connectors=()
connector_events=""
skip_http=0
profile=0
ceiling=0
build_args=()
load_args=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events=${2:?--events needs a value}; shift 2 ;;
    --concurrency) concurrency=${2:?--concurrency needs a value}; shift 2 ;;
    --warmup) warmup=${2:?--warmup needs a value}; shift 2 ;;
    --pgbench-seconds) pgbench_seconds=${2:?--pgbench-seconds needs a value}; shift 2 ;;
    --pgbench-clients) pgbench_clients=${2:?--pgbench-clients needs a value}; shift 2 ;;
    --rate) load_args+=(--rate "${2:?--rate needs a value}"); shift 2 ;;
    --seconds) load_args+=(--seconds "${2:?--seconds needs a value}"); shift 2 ;;
    --skip-pgbench) skip_pgbench=1; shift ;;
    --kafka) connectors+=(kafka); shift ;;
    --sqs) connectors+=(sqs); shift ;;
    --connector-events) connector_events=${2:?--connector-events needs a value}; shift 2 ;;
    --skip-http) skip_http=1; shift ;;
    --profile) profile=1; shift ;;
    --ceiling) ceiling=1; shift ;;
    --no-build) build_args=(--no-build); shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) log "unknown argument '$1'"; usage; exit 2 ;;
  esac
done

# shellcheck source=lib/postgres.sh
. "$repo/scripts/lib/postgres.sh"

command -v dotnet >/dev/null || { log "the .NET 10 SDK is required: https://dot.net"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# PostgreSQL: the same throw-away server scripts/test.sh starts (scripts/lib/postgres.sh), stopped when this script exits.

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

start_postgres taskservice-bench-pg
log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$pg_port (data in $pg_dir/data, fsync on)"

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
  pgbench_args=(--pgbench-tps-1 "$tps1" --pgbench-tps-n "$tpsn" --pgbench-clients "$pgbench_clients" --pgbench-seconds "$pgbench_seconds")
fi

# pgbench's 1-client rate again once the HTTP path was measured: on a shared host the commit rate can halve from one minute
# to the next, and a ratio to a rate the host no longer had means little. Says so when the two differ by more than a quarter.
recheck_pgbench() {
  [ "$skip_pgbench" -eq 0 ] || return 0
  local after
  log "pgbench: single-row INSERT commits, 1 client, ${pgbench_seconds} s, after the run"
  after=$(run_pgbench 1)
  log "pgbench: 1 client after the run: $after tps ($tps1 before)"
  if awk -v a="$after" -v b="$tps1" 'BEGIN { exit !(a > 1.25 * b || a < 0.8 * b) }'; then
    log "WARNING: the server's 1-client commit rate changed by more than a quarter during the run; the ratios to pgbench are not reliable, run again"
  fi
  pg_as "$pg_bin/dropdb" -h "$pg_dir" -p "$pg_port" -U postgres bench_pgbench
}

connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$pg_password;Database=postgres"

# One connector's path, on the embedded store and on this PostgreSQL; results in bench/results/latest-<connector>-<store>.json.
run_connector() {
  local connector=$1 store count per_second
  for store in embedded postgresql; do
    local args=("connector=$connector" "output=$repo/bench/results/latest-$connector-$store.json")
    if [ "$store" = postgresql ]; then
      count=${connector_events:-5000}
      args+=("postgres=$connection")
    else
      # Kafka's embedded path runs at about 10,000/s: 60,000 events measure seconds of steady state, not the burst's start.
      if [ "$connector" = kafka ]; then count=${connector_events:-60000}; else count=${connector_events:-20000}; fi
    fi
    log "$connector path, $store store: $count events"
    dotnet run -c Release --no-build --project bench/TaskService.ConnectorBenchmarks -- "events=$count" "${args[@]}" "${extra[@]}"
    per_second=$(sed -n 's/.*"eventsPerSecond": \([0-9.]*\).*/\1/p' "$repo/bench/results/latest-$connector-$store.json")
    if [ "$store" = postgresql ] && [ "$skip_pgbench" -eq 0 ]; then
      log "$connector path on PostgreSQL: $per_second events/s = $(awk -v a="$per_second" -v b="$tps1" 'BEGIN { printf "%.3f", a / b }')x pgbench 1 client, $(awk -v a="$per_second" -v b="$tpsn" 'BEGIN { printf "%.3f", a / b }')x pgbench $pgbench_clients clients"
    else
      log "$connector path, $store store: $per_second events/s"
    fi
  done
}

run_connectors() {
  [ "${#connectors[@]}" -gt 0 ] || return 0
  if [ "${#build_args[@]}" -eq 0 ]; then
    log "building bench/TaskService.ConnectorBenchmarks (Release)"
    dotnet build -c Release -nologo -v quiet -clp:ErrorsOnly bench/TaskService.ConnectorBenchmarks
  fi
  for connector in "${connectors[@]}"; do
    if [ "$connector" = sqs ]; then
      # shellcheck source=lib/sqs.sh
      . "$repo/scripts/lib/sqs.sh"
      start_sqs
      trap 'stop_sqs; stop_postgres' EXIT
      export TASKSERVICE_BENCH_SQS="$sqs_url"
      log "SQS server (fauxqs) ready on $sqs_url"
    fi
    run_connector "$connector"
  done
}

if [ "$skip_http" -eq 1 ]; then
  run_connectors
  log "done"
  exit 0
fi

profile_args=()
if [ "$profile" -eq 1 ]; then
  dotnet_trace=$(command -v dotnet-trace || true)
  [ -n "$dotnet_trace" ] || [ ! -x "$HOME/.dotnet/tools/dotnet-trace" ] || dotnet_trace="$HOME/.dotnet/tools/dotnet-trace"
  [ -n "$dotnet_trace" ] || { log "--profile needs dotnet-trace: dotnet tool install --global dotnet-trace"; exit 1; }
  profile_args=(--profile "$repo/bench/results/profile.nettrace" --dotnet-trace "$dotnet_trace")
  rm -f "$repo/bench/results/profile.nettrace"
  if [ "${#build_args[@]}" -eq 0 ]; then
    dotnet build -c Release -nologo -v quiet -clp:ErrorsOnly bench/TaskService.TraceSummary
  fi
fi

# The database's own ceiling for the event path's writes: pgbench runs bench/path-writes.sql against the database the
# benchmark filled (kept for it), with one row of each table copied as the template of the rows it writes.
ceiling_args=()
[ "$ceiling" -eq 0 ] || ceiling_args=(--keep-database)
run_ceiling() {
  [ "$ceiling" -eq 1 ] || return 0
  local db batch=32 clients tps
  db=$(PGPASSWORD="$pg_password" "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -Atc \
    "SELECT datname FROM pg_database WHERE datname LIKE 'taskservice_bench_%' ORDER BY datname DESC LIMIT 1")
  [ -n "$db" ] || { log "--ceiling: the benchmark left no database to copy rows from"; return 1; }
  PGPASSWORD="$pg_password" "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d "$db" -v ON_ERROR_STOP=1 -c "
    CREATE TABLE ceiling_events AS SELECT * FROM main.events LIMIT 1;
    CREATE TABLE ceiling_instances AS SELECT * FROM main.workflow_instances LIMIT 1;
    CREATE TABLE ceiling_tasks AS SELECT * FROM main.tasks LIMIT 1;
    CREATE TABLE ceiling_history AS SELECT * FROM main.task_history LIMIT 1;
    CREATE TABLE ceiling_outbox AS SELECT * FROM main.outbox LIMIT 1;
    CREATE TABLE ceiling_deliveries AS SELECT * FROM main.webhook_deliveries LIMIT 1;
    -- Without statistics the planner takes each one-row table for thousands of rows, prices the statements above
    -- jit_above_cost and compiles them on every run (about 30 ms each): the ceiling would measure the JIT.
    ANALYZE ceiling_events, ceiling_instances, ceiling_tasks, ceiling_history, ceiling_outbox, ceiling_deliveries;" >/dev/null
  for clients in 2 4; do
    log "ceiling: the event path's writes alone, batches of $batch events, $clients clients, ${pgbench_seconds} s"
    tps=$(PGPASSWORD="$pg_password" "$pg_bin/pgbench" -h 127.0.0.1 -p "$pg_port" -U postgres -n -M prepared -D "batch=$batch" \
      -f "$repo/bench/path-writes.sql" -c "$clients" -j "$clients" -T "$pgbench_seconds" "$db" 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    [ -n "$tps" ] || { log "--ceiling: pgbench gave no rate"; return 1; }
    log "ceiling: $(awk -v t="$tps" -v b="$batch" 'BEGIN { printf "%.0f", t * b }') events/s with $clients clients$([ "$skip_pgbench" -eq 1 ] || awk -v t="$tps" -v b="$batch" -v p="$tps1" 'BEGIN { printf " = %.3fx pgbench 1 client", t * b / p }')"
  done
  PGPASSWORD="$pg_password" "$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "DROP DATABASE \"$db\"" >/dev/null
}

log "building and running bench/TaskService.Benchmarks (Release): $events events, $concurrency concurrent clients, $warmup warm-up"
status=0
TASKSERVICE_BENCH_POSTGRES="$connection" \
  dotnet run -c Release "${build_args[@]}" --project bench/TaskService.Benchmarks -- \
  --events "$events" --concurrency "$concurrency" --warmup "$warmup" \
  --output "$repo/bench/results/latest.json" --server-pid "$(head -n 1 "$pg_dir/data/postmaster.pid")" \
  "${load_args[@]}" "${pgbench_args[@]}" "${profile_args[@]}" "${ceiling_args[@]}" "${extra[@]}" || status=$?

if [ "$profile" -eq 1 ] && [ -s "$repo/bench/results/profile.nettrace" ]; then
  log "profile of the closed-loop phase (bench/results/profile.nettrace):"
  dotnet run -c Release --no-build --project bench/TaskService.TraceSummary -- "$repo/bench/results/profile.nettrace" \
    --events "$events" | tee "$repo/bench/results/profile-latest.txt" || log "the trace could not be summarized"
fi

if [ "$status" -eq 0 ]; then
  recheck_pgbench
  run_ceiling
  run_connectors
  log "done"
else
  log "FAILED (exit $status)"
fi
exit "$status"
