#!/bin/sh
# Chooses what this container runs: the first argument, else CONVENE_SERVICE.
#   gateway | analysis | scheduling | notification | audit   one service, distributed mode
#   embedded                                                  all five in one process
#   migrate <service>...                                      apply migrations, then exit
# Anything else is executed as given (e.g. `sh`), which keeps the image debuggable.
set -eu

# V8 flags for a Convene process. A young generation of 8 MB (Node 24 reserves 64 MB by default)
# keeps an idle service under 150 MB of RSS with no throughput cost measured, and the all-in-one
# process under 300 MB at its peak for a few per cent of its throughput (bench/README.md,
# "Footprint"). CONVENE_NODE_FLAGS overrides it; set it empty for V8's defaults.
node_flags="${CONVENE_NODE_FLAGS---max-semi-space-size=8}"

target="${1:-${CONVENE_SERVICE:-gateway}}"
[ "$#" -gt 0 ] && shift

case "$target" in
  gateway | analysis | scheduling | notification | audit)
    # shellcheck disable=SC2086 # the flags are a list of words
    exec node $node_flags "dist/apps/$target/src/main.js" "$@"
    ;;
  embedded | all-in-one)
    CONVENE_MODE=embedded
    export CONVENE_MODE
    # shellcheck disable=SC2086 # the flags are a list of words
    exec node $node_flags dist/embedded/src/main.js "$@"
    ;;
  migrate)
    if [ "$#" -eq 0 ]; then
      echo "convene-entrypoint: migrate needs one or more of: gateway analysis scheduling notification audit" >&2
      exit 64
    fi
    # Each service migrates its own schema as its own role: DATABASE_URL_<SERVICE> when set,
    # otherwise DATABASE_URL. One at a time, stopping at the first failure.
    for service in "$@"; do
      case "$service" in
        gateway | analysis | scheduling | notification | audit) ;;
        *)
          echo "convene-entrypoint: unknown service '$service'" >&2
          exit 64
          ;;
      esac
      url_var="DATABASE_URL_$(printf '%s' "$service" | tr '[:lower:]' '[:upper:]')"
      service_url=''
      eval "service_url=\${$url_var:-\${DATABASE_URL:-}}"
      echo "convene-entrypoint: applying $service migrations" >&2
      DATABASE_URL="$service_url" node "dist/apps/$service/src/main.js" migrate
    done
    ;;
  *)
    exec "$target" "$@"
    ;;
esac
