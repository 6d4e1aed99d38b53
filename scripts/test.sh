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
# curl and jq run the README walk-through.
command -v node >/dev/null || apt_install nodejs
command -v curl >/dev/null || apt_install curl
command -v jq >/dev/null || apt_install jq
command -v dotnet >/dev/null || { log "the .NET 10 SDK is required: https://dot.net"; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log "building TaskService.sln"
dotnet build TaskService.sln -nologo -v quiet -clp:ErrorsOnly

results="$repo/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

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
  name=$(grep -o 'storage="[^"]*"' "$trx" | head -n 1 | sed 's/.*\///; s/"//')
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
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
