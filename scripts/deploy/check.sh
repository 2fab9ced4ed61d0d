#!/usr/bin/env bash
# Offline checks of the deployment artefacts (issue #10), for CI and for anyone editing them:
#   Dockerfile      BuildKit's parser and linter + image policy + .dockerignore vs COPY
#   entrypoint      service selection and per-service migrations, with a stand-in `node`
#   compose         docker-compose.yml loaded like `docker compose config` + wiring assertions,
#                   Kafka image pinned to the version scripts/infra runs
#   helm            lint --strict, template with default, production and all-features values,
#                   every object validated against the Kubernetes JSON schemas (strict), policy
#                   assertions, and values.schema.json proven to reject unknown keys
#   init-db.sql     applied to a throwaway PostgreSQL, then the role/schema isolation is probed
#   docs            the signed-alert snippet in docs/DEPLOYMENT.md signs what it sends
# Each kind of check is also shown to fail on a deliberately broken input.
# Tools are built or installed once under .cache/deploy/ (Helm and two small checkers from the Go
# module proxy, kubernetes-validate from PyPI); later runs reuse them.
#
# Usage: scripts/deploy/check.sh [--sync]
#   --sync  copy config/alert_authorities.yaml into the chart before checking it
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
CACHE="$ROOT/.cache/deploy"
BIN="$CACHE/bin"
VENV="$CACHE/venv"
WORK="$CACHE/work"
CHART=deploy/helm/convene
KUBERNETES_VALIDATE_VERSION=1.37.0
# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest schemas shipped.
KUBERNETES_VERSIONS=(1.30.0 1.37.0)

# shellcheck source=scripts/node24.sh
source scripts/node24.sh

started=$(date +%s)
failures=0
passed=0

step() { printf '\n== %s\n' "$*"; }
pass() {
  passed=$((passed + 1))
  printf 'ok   %s\n' "$*"
}
fail() {
  failures=$((failures + 1))
  printf 'FAIL %s\n' "$*"
}
# Runs a check, printing its output only when it fails.
check() {
  local name=$1 log
  shift
  log=$(mktemp)
  if "$@" >"$log" 2>&1; then
    pass "$name"
  else
    fail "$name"
    sed 's/^/     /' "$log"
  fi
  rm -f "$log"
}
# A check that must fail: proves the check above it can catch what it claims to.
check_rejects() {
  local name=$1
  shift
  if "$@" >/dev/null 2>&1; then fail "$name (was accepted)"; else pass "$name"; fi
}

fingerprint() { cat "$@" | sha256sum | cut -d' ' -f1; }

# --- tools -------------------------------------------------------------------------------------------

# Builds a Go program once; rebuilds only when its module's go.mod/go.sum or sources change.
go_build() {
  local name=$1 module=$2 package=$3 stamp want
  shift 3
  stamp="$BIN/$name.fingerprint"
  want=$(fingerprint "$module/go.mod" "$module/go.sum" "$@")
  if [[ -x $BIN/$name && -f $stamp && $(<"$stamp") == "$want" ]]; then return 0; fi
  echo "building $name (first run only)"
  (cd "$module" && GOFLAGS="${GOFLAGS:-} -mod=readonly" go build -trimpath -o "$BIN/$name.tmp" "$package")
  mv -f "$BIN/$name.tmp" "$BIN/$name"
  printf '%s\n' "$want" >"$stamp"
}

install_tools() {
  mkdir -p "$BIN" "$WORK"
  local tools=scripts/deploy/tools
  go_build helm "$tools" helm.sh/helm/v4/cmd/helm
  go_build compose-check "$tools" ./compose-check "$tools/compose-check/main.go"
  go_build dockerfile-check "$tools/dockerfile-check" . "$tools/dockerfile-check/main.go"
  if [[ ! -x $VENV/bin/kubernetes-validate ]] ||
    ! "$VENV/bin/kubernetes-validate" --version 2>/dev/null | grep -q "$KUBERNETES_VALIDATE_VERSION"; then
    echo "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION (first run only)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  fi
}

# --- Dockerfile and entrypoint ----------------------------------------------------------------------------

check_dockerfile() {
  step Dockerfile
  check "Dockerfile: BuildKit lint, image policy, COPY sources survive .dockerignore" \
    "$BIN/dockerfile-check" Dockerfile .
  local bad="$WORK/bad-image"
  rm -rf "$bad" && mkdir -p "$bad"
  printf 'FROM node:24-slim AS build\nRUN npm ci --omit=dev\nFROM node:24-slim\nCOPY . .\nENTRYPOINT ["node"]\n' \
    >"$bad/Dockerfile"
  : >"$bad/.dockerignore"
  check_rejects "Dockerfile check rejects an image without USER and HEALTHCHECK" \
    "$BIN/dockerfile-check" "$bad/Dockerfile" "$bad"
  for ignored in .env .git node_modules dist .cache data; do
    check "Dockerfile: .dockerignore keeps $ignored out of the context" dockerignore_excludes "$ignored"
  done
  check "entrypoint: selects services, embedded mode and per-service migrations" check_entrypoint
  if command -v shellcheck >/dev/null 2>&1; then
    check "shellcheck: deploy scripts" shellcheck -x deploy/docker/entrypoint.sh scripts/deploy/check.sh
  else
    echo "skip shellcheck: not installed (apt-get install shellcheck)"
  fi
}

# The allowlist .dockerignore excludes everything first; a path is out unless re-included.
dockerignore_excludes() {
  ! grep -qE "^!$1(/|\$)" .dockerignore && grep -qx '\*\*' .dockerignore
}

# Runs the entrypoint with a stand-in `node` that prints what it was asked to run.
check_entrypoint() {
  local dir="$WORK/entrypoint" out
  rm -rf "$dir" && mkdir -p "$dir/bin"
  # shellcheck disable=SC2016 # expanded by the stand-in, not here
  printf '#!/bin/sh\necho "node $* url=${DATABASE_URL:-} mode=${CONVENE_MODE:-}"\n' >"$dir/bin/node"
  chmod +x "$dir/bin/node"
  local run=(env -i "PATH=$dir/bin:/usr/bin:/bin" sh deploy/docker/entrypoint.sh)
  out=$("${run[@]}" analysis)
  [[ $out == "node --max-semi-space-size=8 dist/apps/analysis/src/main.js url= mode=" ]] || {
    echo "analysis: $out"
    return 1
  }
  out=$(env -i "PATH=$dir/bin:/usr/bin:/bin" CONVENE_NODE_FLAGS= sh deploy/docker/entrypoint.sh analysis)
  [[ $out == "node dist/apps/analysis/src/main.js url= mode=" ]] || {
    echo "CONVENE_NODE_FLAGS empty: $out"
    return 1
  }
  out=$(env -i "PATH=$dir/bin:/usr/bin:/bin" CONVENE_SERVICE=audit sh deploy/docker/entrypoint.sh)
  [[ $out == "node --max-semi-space-size=8 dist/apps/audit/src/main.js"* ]] || {
    echo "CONVENE_SERVICE=audit: $out"
    return 1
  }
  out=$("${run[@]}" embedded)
  [[ $out == "node --max-semi-space-size=8 dist/embedded/src/main.js url= mode=embedded" ]] || {
    echo "embedded: $out"
    return 1
  }
  out=$(env -i "PATH=$dir/bin:/usr/bin:/bin" DATABASE_URL=postgres://fallback DATABASE_URL_AUDIT=postgres://audit \
    sh deploy/docker/entrypoint.sh migrate gateway audit 2>/dev/null)
  [[ $out == $'node dist/apps/gateway/src/main.js migrate url=postgres://fallback mode=\nnode dist/apps/audit/src/main.js migrate url=postgres://audit mode=' ]] || {
    echo "migrate: $out"
    return 1
  }
  if "${run[@]}" migrate nonsense >/dev/null 2>&1; then
    echo "migrate accepted an unknown service"
    return 1
  fi
}

# --- Compose ----------------------------------------------------------------------------------------------

check_compose() {
  step "docker-compose.yml"
  if docker compose version >/dev/null 2>&1; then
    check "docker compose config -q" docker compose -f docker-compose.yml config -q
  else
    echo "note: no docker compose plugin here; compose-go (the library behind it) validates instead"
  fi
  check "compose: Compose specification schema, interpolation, references" \
    sh -c "'$BIN/compose-check' docker-compose.yml >'$WORK/compose.json'"
  check "compose: wiring (pinned images, migrate first, health-gated, per-service roles)" \
    node scripts/deploy/assert-compose.mjs "$WORK/compose.json"
  check "compose: Kafka image matches the version scripts/infra runs (kafka/pom.xml)" kafka_version_matches_infra
  sed 's/condition: service_completed_successfully/condition: service_started/' docker-compose.yml \
    >"$WORK/compose-bad.yml"
  "$BIN/compose-check" "$WORK/compose-bad.yml" >"$WORK/compose-bad.json" 2>/dev/null || true
  check_rejects "compose assertions reject services that do not wait for migrations" \
    node scripts/deploy/assert-compose.mjs "$WORK/compose-bad.json"
  printf 'services:\n  x:\n    image: busybox\n    restrat: always\n' >"$WORK/compose-typo.yml"
  check_rejects "compose validation rejects an unknown key" "$BIN/compose-check" "$WORK/compose-typo.yml"
}

kafka_version_matches_infra() {
  local want
  want=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' scripts/infra/kafka/pom.xml)
  [[ -n $want ]] && grep -q "image: apache/kafka:$want\b" docker-compose.yml
}

# --- Helm -------------------------------------------------------------------------------------------------

check_helm() {
  step "Helm chart $CHART"
  check "chart files/alert_authorities.yaml is identical to config/alert_authorities.yaml" \
    cmp config/alert_authorities.yaml "$CHART/files/alert_authorities.yaml"
  check "values.schema.json is generated from scripts/deploy/values-schema.mjs" \
    node scripts/deploy/values-schema.mjs --check

  local helm="$BIN/helm"
  check "helm lint --strict (default values)" "$helm" lint --strict "$CHART"
  check "helm lint --strict (production example)" \
    "$helm" lint --strict "$CHART" -f "$CHART/values-production.example.yaml"

  render default
  render production -f "$CHART/values-production.example.yaml"
  render everything -f "$CHART/values-production.example.yaml" \
    --set services.analysis.autoscaling.enabled=true --set secrets.existingSecret= \
    --set podDisruptionBudget.enabled=false
  render without-migrations --set migrations.enabled=false --set services.audit.enabled=false

  check_rejects "policy assertions reject a writable root filesystem" rejects_weakened_pod
  check_rejects "Kubernetes schema validation rejects an unknown field" rejects_unknown_field

  check_rejects "values schema rejects an unknown top-level key" "$helm" template x "$CHART" --set replicas=3
  check_rejects "values schema rejects an unknown nested key" \
    "$helm" template x "$CHART" --set services.gateway.replica=3
  check_rejects "values schema rejects an unknown config variable" \
    "$helm" template x "$CHART" --set config.DATABSE_URL=x
  check_rejects "values schema rejects a wrong type" "$helm" template x "$CHART" --set-string services.audit.port=x
}

# Renders the chart with the given flags, asserts policy, validates every object against the
# Kubernetes schemas of the oldest and newest supported versions.
render() {
  local name=$1 rendered="$WORK/helm-$1.yaml" core="$WORK/helm-$1.core.yaml" version
  shift
  if ! "$BIN/helm" template convene "$CHART" --namespace convene "$@" >"$rendered" 2>"$rendered.err"; then
    fail "helm template ($name)"
    sed 's/^/     /' "$rendered.err"
    return
  fi
  pass "helm template ($name)"
  check "policy assertions ($name)" \
    node scripts/deploy/assert-manifests.mjs "$rendered" "$core" config/alert_authorities.yaml
  [[ -s $core ]] || return 0
  for version in "${KUBERNETES_VERSIONS[@]}"; do
    check "Kubernetes $version schemas, strict ($name)" \
      "$VENV/bin/kubernetes-validate" --strict --quiet -k "$version" "$core"
  done
  if grep -q '^kind: ServiceMonitor' "$rendered"; then
    echo "note: ServiceMonitor (monitoring.coreos.com/v1 CRD) has no schema here; checked by helm lint only"
  fi
}

rejects_weakened_pod() {
  "$BIN/helm" template convene "$CHART" --set securityContext.readOnlyRootFilesystem=false >"$WORK/helm-weak.yaml" &&
    node scripts/deploy/assert-manifests.mjs "$WORK/helm-weak.yaml" "$WORK/helm-weak.core.yaml"
}

rejects_unknown_field() {
  sed '0,/enableServiceLinks: false/s//enableServiceLinks: false\n      enableServiceLink: false/' \
    "$WORK/helm-default.core.yaml" >"$WORK/helm-unknown-field.yaml"
  "$VENV/bin/kubernetes-validate" --strict --quiet -k "${KUBERNETES_VERSIONS[0]}" "$WORK/helm-unknown-field.yaml"
}

# --- init-db.sql ------------------------------------------------------------------------------------------

check_init_db() {
  step "deploy/compose/init-db.sql"
  if ! command -v psql >/dev/null 2>&1; then
    echo "skip: psql not installed"
    return
  fi
  check "init-db.sql creates five roles, each confined to its own schema" \
    node scripts/deploy/init-db-check.mjs deploy/compose/init-db.sql "$WORK/init-db"
}

# --- docs -------------------------------------------------------------------------------------------------

check_docs() {
  step docs/DEPLOYMENT.md
  check "the signed-alert snippet signs what it sends" check_signed_alert_snippet
  check_rejects "the signature check rejects a wrong secret" check_signed_alert_snippet wrong-secret
}

# Runs the snippet with a stand-in curl that records its arguments, then verifies them.
check_signed_alert_snippet() {
  local verify_secret=${1:-dev-webhook-secret} snippet="$WORK/signed-alert.sh" args="$WORK/signed-alert.args"
  awk '/<!-- signed-alert:start -->/{on=1; next} /<!-- signed-alert:end -->/{on=0} on && !/^```/' \
    docs/DEPLOYMENT.md >"$snippet"
  [[ -s $snippet ]] || return 1
  : >"$args"
  # shellcheck disable=SC2016 # expanded by the inner bash
  env -i PATH="$PATH" ARGS_FILE="$args" bash -c 'curl() { printf "%s\0" "$@" >"$ARGS_FILE"; }; source "$1"' _ "$snippet"
  node scripts/deploy/verify-signed-alert.mjs "$args" "$verify_secret" dev-webhook-key
}

# --- main -------------------------------------------------------------------------------------------------

if [[ ${1:-} == --sync ]]; then
  cp config/alert_authorities.yaml "$CHART/files/alert_authorities.yaml"
  echo "synced $CHART/files/alert_authorities.yaml"
fi

install_tools
check_dockerfile
check_compose
check_helm
check_init_db
check_docs

printf '\ndeploy checks took %ss\n' "$(($(date +%s) - started))"
printf 'deploy: %d passed, %d failed\n' "$passed" "$failures"
[[ $failures -eq 0 ]]
