# shellcheck shell=bash
# shellcheck disable=SC2034 # COMPONENT_PID/STATE/LOG are read by up.sh
# Jaeger v2 all-in-one (in-memory storage), built from source with Go.
# Sourced by up.sh/down.sh after lib.sh.

JAEGER_MODULE="$INFRA_SCRIPTS/jaeger" # tools module pinning the Jaeger version
JAEGER_BIN="$INFRA_DIR/bin/jaeger"
JAEGER_LOG="$LOG_DIR/jaeger.log"
JAEGER_PKG="github.com/jaegertracing/jaeger/cmd/jaeger"
# OTLP gRPC/HTTP, query UI/API + gRPC, health (v2 + v1), sampling HTTP/gRPC,
# Jaeger gRPC/Thrift-HTTP, Zipkin, own metrics, expvar, zpages.
JAEGER_TCP_PORTS=(4317 4318 16686 16685 13133 13132 5778 5779 14250 14268 9411 8888 27777 27778)

jaeger_ready() {
  http_ok "http://127.0.0.1:16686/api/services" "http://127.0.0.1:13133/status"
}

# Build once; rebuild only when go.mod/go.sum (i.e. the pinned version) change.
jaeger_build() {
  local stamp="$JAEGER_BIN.go-sum-sha256" want
  want=$(files_fingerprint "$JAEGER_MODULE/go.mod" "$JAEGER_MODULE/go.sum")
  if [[ -x $JAEGER_BIN && -f $stamp && $(<"$stamp") == "$want" ]]; then
    return 0
  fi
  require_cmd go
  log "jaeger: building $JAEGER_PKG (first run only, several minutes on 2 cores; log: $LOG_DIR/jaeger-build.log)"
  mkdir -p "$(dirname "$JAEGER_BIN")"
  # -mod=readonly: go.mod/go.sum are committed and must already be complete.
  # -s -w: no symbol/debug tables (about a third smaller; nobody debugs it here).
  if ! (cd "$JAEGER_MODULE" && GOFLAGS="${GOFLAGS:-} -mod=readonly" \
    go build -trimpath -ldflags='-s -w' -o "$JAEGER_BIN.tmp" "$JAEGER_PKG") >"$LOG_DIR/jaeger-build.log" 2>&1; then
    show_log_tail "$LOG_DIR/jaeger-build.log"
    die "jaeger: go build failed"
  fi
  mv -f "$JAEGER_BIN.tmp" "$JAEGER_BIN"
  printf '%s\n' "$want" >"$stamp"
}

# The build; skipped while running.
jaeger_prepare() {
  recorded_pid jaeger >/dev/null && return 0
  jaeger_build
}

# Sets COMPONENT_PID / COMPONENT_STATE / COMPONENT_LOG for up.sh.
jaeger_launch() {
  COMPONENT_LOG=$JAEGER_LOG
  if COMPONENT_PID=$(recorded_pid jaeger); then
    COMPONENT_STATE="already running"
    return 0
  fi
  forget_pid jaeger
  # Every TCP port of the all-in-one config: it exits if any one is taken.
  local port
  for port in "${JAEGER_TCP_PORTS[@]}"; do require_port_free jaeger "$port"; done
  # No --config: the embedded all-in-one config (memory storage, OTLP receivers,
  # query UI/API). JAEGER_LISTEN_HOST pins its receivers to IPv4 loopback.
  spawn_detached "$JAEGER_LOG" env JAEGER_LISTEN_HOST=127.0.0.1 "$JAEGER_BIN"
  COMPONENT_PID=$SPAWNED_PID
  record_pid jaeger "$COMPONENT_PID"
  COMPONENT_STATE="started"
}

jaeger_await() {
  wait_until jaeger "$COMPONENT_PID" "$JAEGER_LOG" jaeger_ready &&
    require_listener jaeger "$COMPONENT_PID" 16686 &&
    require_listener jaeger "$COMPONENT_PID" 4318
}

jaeger_stop() { stop_recorded jaeger; }

jaeger_purge() { :; } # in-memory storage: nothing on disk but the binary (a cache)
