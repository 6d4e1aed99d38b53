# Shared by scripts/test.sh and scripts/bench.sh (sourced, not run): installing packages, and a throw-away PostgreSQL 15
# server of our own: own data directory under /tmp, a free port on 127.0.0.1, fsync on, run as the postgres user when we
# are root (the server refuses to run as root), stopped and deleted when the calling script exits.
# The caller defines log(). After start_postgres: pg_port, pg_password and pg_dir describe the server.

pg_bin=/usr/lib/postgresql/15/bin
pg_dir=""
pg_user=""
pg_port=""
pg_password=""

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

stop_postgres() {
  [ -n "$pg_dir" ] || return 0
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    log "stopping PostgreSQL"
    pg_as "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pg_dir"
  pg_dir=""
}

# Runs a PostgreSQL program as the postgres user when we are root, else as ourselves.
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

# start_postgres <name>: starts the server in /tmp/<name>.XXXXXX. Extra lines for the "not installed" message can be set in
# pg_install_hint beforehand.
start_postgres() {
  local name=$1 attempt candidate
  if [ ! -x "$pg_bin/pg_ctl" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      log "PostgreSQL 15 is not installed ($pg_bin/pg_ctl is missing) and installing it needs root:"
      log "  sudo apt-get install -y postgresql-15    (then run $(basename "$0") again)"
      [ -z "${pg_install_hint:-}" ] || log "$pg_install_hint"
      exit 1
    fi
    apt_install postgresql-15
  fi

  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || { log "the postgres user is missing (it comes with the postgresql-common package)"; exit 1; }
    pg_user=postgres
  fi

  pg_dir=$(mktemp -d "/tmp/$name.XXXXXX") # /tmp: the postgres user must reach it
  trap stop_postgres EXIT
  trap 'exit 130' INT TERM
  chmod 700 "$pg_dir"
  [ -z "$pg_user" ] || chown "$pg_user": "$pg_dir"

  pg_password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$pg_password" >"$pg_dir/pwfile"
  chmod 600 "$pg_dir/pwfile"
  [ -z "$pg_user" ] || chown "$pg_user": "$pg_dir/pwfile"
  # Local socket connections trust the OS user; TCP connections (tests, pgbench, the service) need the postgres password.
  pg_as "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --pwfile="$pg_dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log"; log "initdb failed"; exit 1; }
  rm -f "$pg_dir/pwfile"

  # A free port: a random one nothing listens on; if another process takes it before the server binds it, try another.
  pg_port=""
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
}
