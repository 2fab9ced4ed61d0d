#!/usr/bin/env bash
# `npm run bench`: build, fetch the Kafka jars once, then every bench in one Jest run on a private
# Kafka broker and PostgreSQL server (bench/global-setup.ts), writing bench/results.md at the end.
# Arguments go to Jest, e.g. `npm run bench -- bench/ingest.bench.ts`. About 6 minutes on two cores.
# BENCH_KEEP_RESULTS=1 keeps the figures of benches this run does not repeat (results.md says when each was taken).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node24.sh

npm run --silent build
# Only the download step of infra:up: the broker itself is started privately, on free ports.
bash -c 'source scripts/infra/lib.sh && source scripts/infra/components/kafka.sh && ensure_dirs && kafka_prepare'
[[ "${BENCH_KEEP_RESULTS:-}" == 1 ]] || rm -rf bench/out
NODE_OPTIONS=--experimental-vm-modules timeout "${BENCH_TIMEOUT_SECONDS:-1800}" \
  node_modules/.bin/jest -c bench/jest.config.js --runInBand "$@"
