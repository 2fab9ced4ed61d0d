#!/usr/bin/env bash
# Stop what scripts/infra/up.sh started.
#
#   bash scripts/infra/down.sh                  # stop all, keep data
#   bash scripts/infra/down.sh --purge          # stop all, delete Kafka/PostgreSQL data
#   bash scripts/infra/down.sh [--purge] kafka  # only these components
#
# Only processes whose pid up.sh recorded (and PostgreSQL on our own data dir,
# via pg_ctl) are signalled: SIGTERM, up to INFRA_STOP_TIMEOUT s, then SIGKILL.
# Downloaded jars and the built Jaeger binary are kept either way (caches).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$INFRA_SCRIPTS/components/kafka.sh"
source "$INFRA_SCRIPTS/components/postgres.sh"
source "$INFRA_SCRIPTS/components/jaeger.sh"

main() {
  local purge=false components=() c arg
  for arg in "$@"; do
    case $arg in
      --purge) purge=true ;;
      -h | --help)
        sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        return 0
        ;;
      *)
        is_known_component "$arg" || die "unknown component '$arg' (known: ${ALL_COMPONENTS[*]})"
        components+=("$arg")
        ;;
    esac
  done
  ((${#components[@]})) || components=("${ALL_COMPONENTS[@]}")
  [[ -d $INFRA_DIR ]] || {
    log "nothing to stop ($INFRA_DIR does not exist)"
    return 0
  }
  take_lock

  # Reverse order of start-up: producers of traces/events go first.
  local i started_at
  for ((i = ${#components[@]} - 1; i >= 0; i--)); do
    c=${components[i]}
    started_at=$(now)
    if "${c}_stop"; then
      printf '%-9s stopped         in %s\n' "$c" "$(elapsed_since "$started_at")"
    else
      printf '%-9s not running\n' "$c"
    fi
    if $purge; then
      "${c}_purge"
      printf '%-9s data purged\n' "$c"
    fi
  done
}

main "$@"
