#!/usr/bin/env bash
# The demo in one command: bootstrap, a real S3 server (Swift + s3api), the sandbox (Kubernetes API,
# three OpenBao clusters, a Job runner that runs the real executor), then Backstage:
# app at http://localhost:3000, backend at http://localhost:7007. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
. scripts/env.sh

state=${DEMO_STATE_DIR:-${TMPDIR:-/tmp}/openbao-backup-demo}
mkdir -p "$state"
config="$PWD/app-config.sandbox.local.yaml"   # git-ignored (*.local.yaml)
pids=()
cleanup() {
  trap - EXIT INT TERM
  echo "demo: stopping" >&2
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash scripts/s3-swift.sh stop "$state/swift" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

if [ -z "${S3_ENDPOINT:-}" ]; then
  echo "demo: starting the S3 server (Swift + s3api from Debian packages)" >&2
  bash scripts/s3-swift.sh install >&2 || { echo "demo: could not install Swift (needs root and apt); set S3_ENDPOINT to an S3 server instead" >&2; exit 1; }
  bash scripts/s3-swift.sh start "$state/swift" >&2
  S3_ENDPOINT=http://127.0.0.1:${S3_PORT:-8080}
fi

echo "demo: building the executor and sandbox bundles" >&2
npm run --silent build -w @internal/openbao-backup-executor >&2
npm run --silent build -w @internal/openbao-backup-sandbox >&2

rm -f "$config"
setsid node packages/sandbox/bin/sandbox.js up --config "$config" --s3-endpoint "$S3_ENDPOINT" \
  --executor executor/dist/executor.js > "$state/sandbox.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  grep -q 'sandbox: ready' "$state/sandbox.log" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$state/sandbox.log" >&2; echo "demo: the sandbox failed to start" >&2; exit 1; }
  sleep 1
done
grep -q 'sandbox: ready' "$state/sandbox.log" || { cat "$state/sandbox.log" >&2; exit 1; }
sed 's/^/  /' "$state/sandbox.log" >&2

cat >&2 <<MSG
demo: starting Backstage. Open http://localhost:3000, sign in as guest, then
  - Catalog → secrets-platform → Backups  (bao-prod backs up every minute)
  - OpenBao Backups in the sidebar         (the fleet: ok, failing, never)
  logs: $state/sandbox.log, S3 at $S3_ENDPOINT (key test:tester / testing)
MSG
setsid npx backstage-cli repo start --config "$PWD/app-config.yaml" --config "$config" &
pids+=($!)
wait "${pids[1]}"
