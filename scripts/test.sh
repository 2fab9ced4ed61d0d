#!/usr/bin/env bash
# The whole suite the README promises: unit tests, then the real Kafka broker, PostgreSQL server
# and Jaeger from `infra:up`, integration and e2e tests against them, and the infrastructure
# stopped again if this script started it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node24.sh

npm run --silent test:unit

started_infra=false
if ! bash scripts/infra/up.sh --check >/dev/null 2>&1; then
  bash scripts/infra/up.sh
  started_infra=true
fi
stop_infra() { if [ "$started_infra" = true ]; then bash scripts/infra/down.sh; fi; }
trap stop_infra EXIT

npm run --silent build
npm run --silent test:integration
npm run --silent test:e2e
