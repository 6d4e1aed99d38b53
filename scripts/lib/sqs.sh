# Sourced by scripts/test.sh (not run): a throw-away SQS-protocol server for the SQS connector tests, fauxqs (npm, pinned in
# tests/sqs/package.json and package-lock.json, installed into tests/sqs/node_modules, which git ignores). It speaks the AWS JSON
# protocol that AWSSDK.SQS 4 uses (X-Amz-Target: AmazonSQS.*), FIFO queues included, keeps its queues in memory, listens on a
# free port of 127.0.0.1, and is stopped when the calling script exits. The caller defines log(). After start_sqs: sqs_url.

sqs_pid=""
sqs_url=""
sqs_log=""

stop_sqs() {
  [ -n "$sqs_pid" ] || return 0
  log "stopping the SQS server"
  kill "$sqs_pid" 2>/dev/null || true
  wait "$sqs_pid" 2>/dev/null || true
  sqs_pid=""
  rm -f "$sqs_log"
}

start_sqs() {
  local dir="$repo/tests/sqs" deadline port=""
  if [ ! -d "$dir/node_modules/fauxqs" ]; then
    command -v npm >/dev/null || apt_install npm
    log "installing the SQS test server (npm ci in tests/sqs)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  sqs_log=$(mktemp /tmp/taskservice-sqs.XXXXXX)
  FAUXQS_PORT=0 node "$dir/server.mjs" >"$sqs_log" 2>&1 &
  sqs_pid=$!
  deadline=$((SECONDS + 30))
  until port=$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$sqs_log") && [ -n "$port" ]; do
    kill -0 "$sqs_pid" 2>/dev/null || { cat "$sqs_log"; sqs_pid=""; log "the SQS server did not start"; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { cat "$sqs_log"; log "the SQS server did not listen within 30 s"; exit 1; }
    sleep 0.1
  done
  sqs_url="http://127.0.0.1:$port"
}
