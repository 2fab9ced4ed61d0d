#!/usr/bin/env bash
# Start local infrastructure without Docker: Kafka (KRaft), PostgreSQL, Jaeger.
#
#   bash scripts/infra/up.sh                 # all components
#   bash scripts/infra/up.sh kafka postgres  # only these
#
# Idempotent: a component that is already running (and healthy) is left alone.
# Each started component must pass a readiness check within INFRA_START_TIMEOUT
# seconds (default 120), or the script fails with the tail of its log.
# Endpoints are written to .cache/infra/env. See scripts/infra/README.md.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$INFRA_SCRIPTS/components/kafka.sh"
source "$INFRA_SCRIPTS/components/postgres.sh"
source "$INFRA_SCRIPTS/components/jaeger.sh"

write_env_file() {
  cat >"$ENV_FILE.tmp" <<EOF
KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
DATABASE_ADMIN_URL=postgres://postgres:postgres@127.0.0.1:$PG_PORT/convene
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
JAEGER_QUERY_URL=http://127.0.0.1:16686
EOF
  mv -f "$ENV_FILE.tmp" "$ENV_FILE"
}

main() {
  local components=("$@") c
  ((${#components[@]})) || components=("${ALL_COMPONENTS[@]}")
  for c in "${components[@]}"; do
    is_known_component "$c" || die "unknown component '$c' (known: ${ALL_COMPONENTS[*]})"
  done
  require_cmd node setsid flock
  take_lock

  # Phase 1 does the slow one-time work (jar download, Jaeger build) one at a
  # time. Phase 2 launches every component without waiting for it, so Kafka's
  # JVM boots while PostgreSQL and Jaeger start. Phase 3 waits for all of them
  # in parallel, so each reported time is that component's own time to ready.
  declare -A prepare_took started_at pid state logfile
  for c in "${components[@]}"; do
    started_at[$c]=$(now)
    "${c}_prepare"
    prepare_took[$c]=$(elapsed_since "${started_at[$c]}")
  done
  for c in "${components[@]}"; do
    started_at[$c]=$(now)
    "${c}_launch"
    pid[$c]=$COMPONENT_PID
    state[$c]=$COMPONENT_STATE
    logfile[$c]=$COMPONENT_LOG
  done

  local results="$INFRA_DIR/.await" waiters=()
  rm -rf "$results" && mkdir -p "$results"
  for c in "${components[@]}"; do
    (
      COMPONENT_PID=${pid[$c]}
      if "${c}_await" >"$results/$c.out" 2>&1; then status=ok; else status=failed; fi
      printf '%s %s\n' "$status" "$(elapsed_since "${started_at[$c]}")" >"$results/$c.status"
    ) &
    waiters+=($!)
  done
  # Only the waiters: the servers launched above are background jobs too.
  wait "${waiters[@]}" || true

  local failed=() status took
  for c in "${components[@]}"; do
    read -r status took <"$results/$c.status" || status=failed
    if [[ $status == ok ]]; then
      printf '%-9s %-15s pid %-7s in %-6s (prepare %s)\n' "$c" "${state[$c]}" "${pid[$c]}" "$took" "${prepare_took[$c]}"
    else
      cat "$results/$c.out" >&2 # why it failed, incl. the log tail
      printf '%-9s FAILED          after %s (log: %s)\n' "$c" "$took" "${logfile[$c]}"
      # Do not leave a half-started server behind that this run launched.
      if [[ ${state[$c]} == started ]]; then "${c}_stop" || true; fi
      failed+=("$c")
    fi
  done
  rm -rf "$results"

  write_env_file
  ((${#failed[@]} == 0)) || die "not ready: ${failed[*]}"
  log "ready; endpoints in ${ENV_FILE#"$PROJECT_ROOT"/}"
}

main "$@"
