# shellcheck shell=bash
# shellcheck disable=SC2034 # ENV_FILE and SPAWNED_PID are read by the sourcing scripts
# Shared helpers for scripts/infra/up.sh and down.sh. Sourced, not executed.
#
# Layout (all git-ignored, under .cache/infra/):
#   pids/<name>.pid   "<pid> <start-time>" of every process up.sh started
#   logs/<name>.log   one log per component (plus *-fetch/-build logs)
#   kafka/ pgdata/ bin/   downloads, builds and data
#   env               endpoints for the services and tests

INFRA_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_ROOT="$(cd "$INFRA_SCRIPTS/../.." && pwd)"
INFRA_DIR="${CONVENE_INFRA_DIR:-$PROJECT_ROOT/.cache/infra}"
PID_DIR="$INFRA_DIR/pids"
LOG_DIR="$INFRA_DIR/logs"
ENV_FILE="$INFRA_DIR/env"
START_TIMEOUT="${INFRA_START_TIMEOUT:-120}" # seconds, per component
STOP_TIMEOUT="${INFRA_STOP_TIMEOUT:-30}"    # seconds before SIGKILL

ALL_COMPONENTS=(kafka postgres jaeger)

# --- output -----------------------------------------------------------------

log() { printf '[infra] %s\n' "$*" >&2; }

die() {
  printf '[infra] ERROR: %s\n' "$*" >&2
  exit 1
}

# Print the end of a log so a failure explains itself without opening files.
show_log_tail() {
  local file=$1 lines=${2:-60}
  if [[ -s $file ]]; then
    printf '[infra] ---- last %s lines of %s ----\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" >&2
    printf '[infra] ---- end of %s ----\n' "$file" >&2
  else
    printf '[infra] (log %s is empty or missing)\n' "$file" >&2
  fi
}

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }

elapsed_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# --- setup --------------------------------------------------------------------

ensure_dirs() { mkdir -p "$PID_DIR" "$LOG_DIR"; }

# up.sh and down.sh must not interleave (e.g. two test jobs calling infra:up).
take_lock() {
  ensure_dirs
  exec 9>"$INFRA_DIR/.lock"
  flock -w 600 9 || die "another infra up/down is still running (lock $INFRA_DIR/.lock)"
}

require_cmd() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but not on PATH"
  done
}

# The .mjs helpers import packages from the project's node_modules; without
# this check a missing package would look like a server that never gets ready.
require_node_package() {
  local pkg
  for pkg in "$@"; do
    (cd "$INFRA_SCRIPTS" && node -e "require.resolve(process.argv[1])" "$pkg") >/dev/null 2>&1 ||
      die "npm package '$pkg' is not installed in $PROJECT_ROOT/node_modules; run 'npm ci' first"
  done
}

is_known_component() {
  local c
  for c in "${ALL_COMPONENTS[@]}"; do [[ $c == "$1" ]] && return 0; done
  return 1
}

# sha256 of the given files, to notice when a pom/go.sum changed since the last fetch/build.
files_fingerprint() { cat "$@" | sha256sum | cut -d' ' -f1; }

# --- processes ------------------------------------------------------------------
# A pid alone can be reused by an unrelated process after a reboot or crash, so
# each pid file also stores the process start time (field 22 of /proc/PID/stat);
# we only ever signal a pid whose start time still matches.

proc_start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # Drop "pid (comm) " first: comm may contain spaces.
  stat=${stat##*) }
  # Now field 1 is the state (field 3 of the full line); start time is field 22.
  awk '{ print $20 }' <<<"$stat"
}

# kill -0 also succeeds for a zombie (dead, not yet reaped), which is dead to us.
pid_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

pid_file() { printf '%s/%s.pid' "$PID_DIR" "$1"; }

record_pid() {
  local name=$1 pid=$2 start
  start=$(proc_start_time "$pid") || die "$name (pid $pid) exited right after starting; see $LOG_DIR/$name.log"
  printf '%s %s\n' "$pid" "$start" >"$(pid_file "$name")"
}

# Prints the recorded pid if that very process is still alive; fails otherwise.
recorded_pid() {
  local file pid start current
  file=$(pid_file "$1")
  [[ -f $file ]] || return 1
  read -r pid start <"$file" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  current=$(proc_start_time "$pid") || return 1
  [[ $current == "$start" ]] && pid_alive "$pid" || return 1
  printf '%s' "$pid"
}

forget_pid() { rm -f "$(pid_file "$1")"; }

# Logs are appended across restarts; keep one previous generation once large.
rotate_log() {
  local file=$1 max_bytes=$((50 * 1024 * 1024))
  if [[ -f $file ]] && (($(stat -c %s "$file") > max_bytes)); then
    mv -f "$file" "$file.1"
  fi
}

# Start a long-running process detached from this shell's session (so Ctrl-C on
# `npm run infra:up` or the end of the calling terminal does not take it down),
# with stdout/stderr appended to its log. Sets SPAWNED_PID.
spawn_detached() {
  local logfile=$1
  shift
  rotate_log "$logfile"
  printf '\n===== %s starting: %s\n' "$(date -Is)" "$*" >>"$logfile"
  # Not a process-group leader here, so setsid execs in place and $! is the real pid.
  # 9>&-: do not hand the up/down lock (fd 9) to a long-lived server.
  setsid "$@" >>"$logfile" 2>&1 </dev/null 9>&- &
  SPAWNED_PID=$!
}

# SIGTERM (or the given signal), wait up to STOP_TIMEOUT, then SIGKILL.
# Only ever called with pids we recorded.
terminate_pid() {
  local name=$1 pid=$2 signal=${3:-TERM} waited=0
  kill -"$signal" "$pid" 2>/dev/null || return 0
  while pid_alive "$pid"; do
    if ((waited >= STOP_TIMEOUT * 10)); then
      log "$name (pid $pid) still running ${STOP_TIMEOUT}s after SIG$signal; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  # Reap zombies if it was our child; harmless otherwise.
  wait "$pid" 2>/dev/null || true
}

stop_recorded() {
  local name=$1 signal=${2:-TERM} pid
  if pid=$(recorded_pid "$name"); then
    terminate_pid "$name" "$pid" "$signal"
    forget_pid "$name"
    return 0
  fi
  forget_pid "$name" # stale or absent
  return 1
}

# --- readiness ------------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fail early with a clear message instead of starting a server that cannot bind.
require_port_free() {
  local name=$1 port=$2
  if port_open "$port"; then
    die "$name: 127.0.0.1:$port is already in use by a process up.sh did not start; stop it or free the port (ss -ltnp 'sport = :$port')"
  fi
}

# Succeeds if PID itself holds the TCP listening socket on 127.0.0.1/any:PORT.
# A readiness probe alone could be answered by some other server that grabbed
# the port while ours was starting (and ours then died on "address in use").
pid_listens_on() {
  local pid=$1 port=$2 hex inodes inode fd
  hex=$(printf ':%04X' "$port")
  # /proc/net/tcp*: local_address is field 2 (hex ip:port), st 0A = LISTEN, inode field 10.
  inodes=$(awk -v p="$hex" '$2 ~ p"$" && $4 == "0A" { print $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  [[ -n $inodes ]] || return 1
  for fd in /proc/"$pid"/fd/*; do
    inode=$(readlink "$fd" 2>/dev/null) || continue
    for i in $inodes; do [[ $inode == "socket:[$i]" ]] && return 0; done
  done
  return 1
}

require_listener() {
  local name=$1 pid=$2 port=$3
  if ! pid_listens_on "$pid" "$port"; then
    log "$name: port $port answers, but not from pid $pid (another process holds it?)"
    return 1
  fi
}

# wait_until NAME PID LOGFILE CHECK...: run CHECK every second until it succeeds.
# Gives up (returns 1) when PID dies or after START_TIMEOUT seconds.
wait_until() {
  local name=$1 pid=$2 logfile=$3
  shift 3
  local deadline=$((SECONDS + START_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if [[ -n $pid ]] && ! pid_alive "$pid"; then
      log "$name: process $pid exited before it became ready"
      show_log_tail "$logfile"
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "$name: not ready after ${START_TIMEOUT}s"
      show_log_tail "$logfile"
      return 1
    fi
    sleep 1
  done
}

http_ok() { node "$INFRA_SCRIPTS/http-ok.mjs" "$@"; }
