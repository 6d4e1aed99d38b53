#!/usr/bin/env bash
# Runs every test of TaskService: builds the solution, brings up what the tests need, runs all test projects, tears down.
# Usage: scripts/test.sh [extra dotnet test arguments, e.g. --filter "FullyQualifiedName~Webhooks"]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

log() { printf '[test.sh] %s\n' "$*"; }

# shellcheck source=lib/postgres.sh
. "$repo/scripts/lib/postgres.sh"
# shellcheck source=lib/sqs.sh
. "$repo/scripts/lib/sqs.sh"

# Tools the tests call: Node.js runs the webhook receiver that validates signatures as the original's sample does;
# curl and jq run the README walk-through; kcat produces Kafka test input.
command -v node >/dev/null || apt_install nodejs
command -v npm >/dev/null || apt_install npm
command -v curl >/dev/null || apt_install curl
command -v jq >/dev/null || apt_install jq
# kcat (Debian's package) is the independent Kafka client the Kafka tests produce with; the brokers themselves are librdkafka's
# mock cluster, which the tests start in-process.
command -v kcat >/dev/null || apt_install kcat
# Debian's Chromium is the browser the web UI's Playwright tests drive (Playwright downloads no browser of its own here).
[ -x /usr/bin/chromium ] || apt_install chromium
export TASKSERVICE_TEST_CHROMIUM="${TASKSERVICE_TEST_CHROMIUM:-/usr/bin/chromium}" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
command -v dotnet >/dev/null || { log "the .NET 10 SDK is required: https://dot.net"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The Node peers' own packages (the Standard Webhooks reference library the webhook receiver verifies with), pinned by
# tests/node/package-lock.json.
if [ ! -d tests/node/node_modules/standardwebhooks ]; then
  log "installing the Node test peers' packages (tests/node)"
  npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
fi

log "building TaskService.sln"
dotnet build TaskService.sln -nologo -v quiet -clp:ErrorsOnly

results="$repo/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

# PostgreSQL: a throw-away server of our own (scripts/lib/postgres.sh), stopped when this script exits. The tests find it
# through TASKSERVICE_TEST_POSTGRES; when that is set already, they use that server and none is started.
pg_install_hint="or point the tests at a server of yours: TASKSERVICE_TEST_POSTGRES=\"Host=...;Port=...;Username=...;Password=...;Database=postgres\""

if [ -n "${TASKSERVICE_TEST_POSTGRES:-}" ]; then
  log "using the PostgreSQL server of TASKSERVICE_TEST_POSTGRES"
else
  started_ns=$(date +%s%N)
  start_postgres taskservice-pg
  export TASKSERVICE_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$pg_password;Database=postgres"
  log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$pg_port in $(( ($(date +%s%N) - started_ns) / 1000000 )) ms (data in $pg_dir/data)"
fi

# SQS: fauxqs (scripts/lib/sqs.sh), an SQS-protocol server on loopback, stopped when this script exits. The SQS tests find it
# through TASKSERVICE_TEST_SQS; when that is set already, they use that server and none is started.
if [ -n "${TASKSERVICE_TEST_SQS:-}" ]; then
  log "using the SQS server of TASKSERVICE_TEST_SQS"
else
  start_sqs
  trap 'stop_sqs; stop_postgres' EXIT
  export TASKSERVICE_TEST_SQS="$sqs_url"
  log "SQS server (fauxqs) ready on $sqs_url"
fi

log "running every test project"
# The console output is also kept in a file: the failure summary below shows each failure's message as the console had it,
# which holds also when a result file lacks the message.
set +e
dotnet test TaskService.sln --no-build -nologo \
  --logger "console;verbosity=normal" \
  --logger "trx" \
  --results-directory "$results" \
  --blame-hang-timeout 5m \
  "$@" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}
set -e

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
  # The failed tests by name, last, so that a log read from its end shows which ones and why.
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    # Each failed test's name and the first lines of its message (the assertion), with XML's escapes undone.
    awk '
      /<UnitTestResult / {
        failed = ($0 ~ /outcome="Failed"/)
        if (failed && match($0, /testName="[^"]*"/)) print "  failed: " substr($0, RSTART + 10, RLENGTH - 11)
      }
      failed && /<Message>/ { message = 1; lines = 0 }
      message {
        line = $0
        sub(/^[ \t]*<Message>/, "", line)
        sub(/<\/Message>.*$/, "", line)
        gsub(/&lt;/, "<", line); gsub(/&gt;/, ">", line); gsub(/&quot;/, "\"", line); gsub(/&apos;/, "\047", line); gsub(/&amp;/, "\\&", line)
        if (lines++ < 12) print "    " substr(line, 1, 300)
        if ($0 ~ /<\/Message>/) message = 0
      }
      /<\/UnitTestResult>/ { failed = 0; message = 0 }
    ' "$trx" || true
  done
  # The console's account of each failure ("Failed <name>", then "Error Message:"), first lines only.
  log "failure messages as the console showed them:"
  awk '
    /^  Failed .+ \[[^]]+\]$/ { print "  " substr($0, 3); block = 1; lines = 0; next }
    block && /^  (Stack Trace|Standard Output Messages|Standard Error Messages):/ { block = 0 }
    block && lines++ < 14 { print "    " substr($0, 1, 300) }
    /^  (Passed|Skipped) / { block = 0 }
  ' "$results/console.log" || true
  log "FAILED (exit $status)"
else
  log "all tests passed"
fi
exit "$status"
