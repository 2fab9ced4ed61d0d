#!/usr/bin/env bash
# The whole suite the README promises: unit tests, then the real Kafka broker, PostgreSQL server
# and Jaeger from `infra:up`, integration and e2e tests against them, and the infrastructure
# stopped again if this script started it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node24.sh

infra_answers() {
  node -e '
    const net = require("node:net");
    const ports = [9092, 55432, 16686];
    Promise.all(ports.map((port) => new Promise((ok) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => { socket.end(); ok(true); });
      socket.on("error", () => ok(false));
    }))).then((up) => process.exit(up.every(Boolean) ? 0 : 1));'
}

# Every log of the run is kept under test-results/logs and searched for the secrets the tests used.
export CONVENE_TEST_LOG_DIR="$PWD/test-results/logs"
rm -rf "$CONVENE_TEST_LOG_DIR" && mkdir -p "$CONVENE_TEST_LOG_DIR"

npm run --silent test:unit 2>&1 | tee "$CONVENE_TEST_LOG_DIR/jest-unit.log"

started_infra=false
if ! infra_answers; then started_infra=true; fi
bash scripts/infra/up.sh
stop_infra() { if [ "$started_infra" = true ]; then bash scripts/infra/down.sh; fi; }
trap stop_infra EXIT

npm run --silent build
npm run --silent test:integration 2>&1 | tee "$CONVENE_TEST_LOG_DIR/jest-integration.log"
npm run --silent test:e2e 2>&1 | tee "$CONVENE_TEST_LOG_DIR/jest-e2e.log"
node scripts/ci/scan-logs-for-secrets.mjs "$CONVENE_TEST_LOG_DIR"
