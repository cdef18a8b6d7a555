#!/usr/bin/env bash
# The demo in one command: bootstrap, an S3 store, the sandbox (two Kubernetes APIs, three OpenBao
# clusters, a Job runner that runs the real executor), then Backstage: app at
# http://localhost:3000, backend at http://localhost:7007. Ctrl-C stops everything.
#
#   DEMO_APP_PORT / DEMO_BACKEND_PORT   Backstage's ports (3000 / 7007)
#   S3_ENDPOINT         an S3 server you already run (key test:tester, secret testing)
#   DEMO_S3             without S3_ENDPOINT: auto (default: Swift when installed or installable
#                       with apt as root, else the embedded store), swift, or embedded
#   S3_PORT             Swift's S3 port (8080) or the embedded store's (default: any free port)
#   S3_SWIFT_PORT_BASE  Swift's internal ports (scripts/s3-swift.sh)
#   DEMO_STATE_DIR      logs, generated config and demo.env (${TMPDIR:-/tmp}/openbao-backup-demo)
#   DEMO_SKIP_BOOTSTRAP=1  do not run scripts/bootstrap.sh (the e2e test: test-all has run it)
set -euo pipefail
cd "$(dirname "$0")/.."

app_port=${DEMO_APP_PORT:-3000}
backend_port=${DEMO_BACKEND_PORT:-7007}
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null || (exec 3<>"/dev/tcp/localhost/$1") 2>/dev/null; }
valid_port() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le 65535 ]; }
need_port() { # need_port <port> <what sets it>: exits with the reason when the port cannot be used
  valid_port "$1" || { echo "demo: $2=$1 is not a port number (1-65535)" >&2; exit 2; }
  if in_use "$1"; then
    echo "demo: port $1 ($2) is already in use: stop what listens there, or choose another port with $2=<port>" >&2
    exit 1
  fi
}
need_port "$app_port" DEMO_APP_PORT
need_port "$backend_port" DEMO_BACKEND_PORT
[ "$app_port" != "$backend_port" ] || { echo "demo: DEMO_APP_PORT and DEMO_BACKEND_PORT must differ" >&2; exit 2; }

state=${DEMO_STATE_DIR:-${TMPDIR:-/tmp}/openbao-backup-demo}
mkdir -p "$state"
pids=()
swift_dir=
cleanup() {
  trap - EXIT INT TERM
  echo "demo: stopping" >&2
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -z "$swift_dir" ] || bash scripts/s3-swift.sh stop "$swift_dir" >/dev/null 2>&1 || true
  echo "demo: stopped" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The S3 store: yours, Swift (a real S3 API with signature checks) when it can be had, else the
# in-process store (fauxqs from npm, no signature checks) inside the sandbox process.
s3_mode=${DEMO_S3:-auto}
[ -z "${S3_ENDPOINT:-}" ] || s3_mode=external
case $s3_mode in auto | swift | embedded | external) ;; *)
  echo "demo: DEMO_S3=$s3_mode: use auto, swift or embedded" >&2; exit 2 ;;
esac
swift_ports() { # the S3 port, then the internal ones (as scripts/s3-swift.sh picks them)
  local b=${S3_SWIFT_PORT_BASE:-}
  if [ -n "$b" ]; then valid_port "$b" || b=0; echo "${S3_PORT:-8080} $b $((b + 1)) $((b + 2)) $((b + 3))"
  else echo "${S3_PORT:-8080} 6200 6201 6202 11311"; fi
}
swift_unusable() { # prints why Swift cannot be used here, nothing when it can
  for p in $(swift_ports); do
    if ! valid_port "$p"; then echo "S3_PORT/S3_SWIFT_PORT_BASE give $p, not a port number"; return; fi
    if in_use "$p"; then
      echo "port $p is in use (an S3 server there? then set S3_ENDPOINT=http://127.0.0.1:$p; or move Swift with S3_PORT and S3_SWIFT_PORT_BASE)"
      return
    fi
  done
  command -v swift-proxy-server >/dev/null && return
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || { echo "Swift is not installed and installing it needs root and apt-get"; return; }
  echo "demo: installing Swift from Debian's packages (once per machine, about a minute)" >&2
  bash scripts/s3-swift.sh install >"$state/swift-install.log" 2>&1 || echo "installing Swift failed (see $state/swift-install.log)"
}
if [ "$s3_mode" = auto ] || [ "$s3_mode" = swift ]; then
  why=$(swift_unusable)
  if [ -n "$why" ]; then
    [ "$s3_mode" = swift ] && { echo "demo: cannot start Swift: $why" >&2; exit 1; }
    echo "demo: not using Swift: $why" >&2
    s3_mode=embedded
  else
    s3_mode=swift
  fi
fi
sandbox_s3=()
case $s3_mode in
external)
  echo "demo: S3: your server at $S3_ENDPOINT (S3_ENDPOINT)" >&2
  sandbox_s3=(--s3-endpoint "$S3_ENDPOINT") ;;
swift)
  echo "demo: S3: Swift with its S3 API (Debian packages) on port ${S3_PORT:-8080}; starting it" >&2
  swift_dir="$state/swift"
  bash scripts/s3-swift.sh start "$swift_dir" >&2
  sandbox_s3=(--s3-endpoint "http://127.0.0.1:${S3_PORT:-8080}") ;;
embedded)
  [ -z "${S3_PORT:-}" ] || need_port "$S3_PORT" S3_PORT
  echo "demo: S3: the embedded store (fauxqs from npm, inside the sandbox process; no signature checks)" >&2
  sandbox_s3=(--embedded-s3-port "${S3_PORT:-0}") ;;
esac

[ "${DEMO_SKIP_BOOTSTRAP:-}" = 1 ] || bash scripts/bootstrap.sh
. scripts/env.sh
echo "demo: building the executor and sandbox bundles" >&2
npm run --silent build -w @internal/openbao-backup-executor >&2
npm run --silent build -w @internal/openbao-backup-sandbox >&2

# Backstage config: app-config.yaml, then the ports, then what the sandbox writes (its Kubernetes
# APIs' URLs and tokens). Kept in the state dir so two demos never share a file.
app_url=http://localhost:$app_port
backend_url=http://localhost:$backend_port
ports_config="$state/app-config.ports.yaml"
sandbox_config="$state/app-config.sandbox.yaml"
cat > "$ports_config" <<YAML
# Written by scripts/demo.sh (DEMO_APP_PORT, DEMO_BACKEND_PORT).
app:
  baseUrl: $app_url
backend:
  baseUrl: $backend_url
  listen:
    port: $backend_port
  cors:
    origin: $app_url
YAML

echo "demo: starting the sandbox (two Kubernetes API doubles kind-east and kind-west, 3 OpenBao clusters, Job runner)" >&2
rm -f "$sandbox_config"
setsid node packages/sandbox/bin/sandbox.js up --config "$sandbox_config" "${sandbox_s3[@]}" \
  --executor executor/dist/executor.js > "$state/sandbox.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  grep -q 'sandbox: ready' "$state/sandbox.log" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$state/sandbox.log" >&2; echo "demo: the sandbox failed to start" >&2; exit 1; }
  sleep 1
done
grep -q 'sandbox: ready' "$state/sandbox.log" || { cat "$state/sandbox.log" >&2; exit 1; }
sed 's/^/  /' "$state/sandbox.log" >&2
s3_endpoint=$(sed -n 's/^sandbox: bucket [^ ]* at //p' "$state/sandbox.log")
# For scripts (the e2e test) and for anyone who wants to look into the bucket.
cat > "$state/demo.env" <<ENV
APP_URL=$app_url
BACKEND_URL=$backend_url
S3_ENDPOINT=$s3_endpoint
S3_BUCKET=openbao-backups
ENV

cat >&2 <<MSG
demo: starting Backstage (app $app_url, backend $backend_url; the first start builds the app, about a minute)
  then open $app_url, sign in as guest, and look at
  - Catalog → secrets-platform → Backups  (bao-prod backs up every minute)
  - Catalog → secrets-staging → Backups   (bao-staging fails, bao-upgrading is skipped)
  - OpenBao Backups in the sidebar         (the fleet: two Kubernetes clusters, two teams)
  logs: $state, S3 at $s3_endpoint (bucket openbao-backups, key test:tester / testing)
MSG
setsid npx backstage-cli repo start --config "$PWD/app-config.yaml" --config "$ports_config" \
  --config "$sandbox_config" &
pids+=($!)
# Says when both answer (own process group, so Ctrl-C's cleanup stops it with the rest).
setsid bash -c 'for _ in $(seq 1 600); do
    curl -sf "$1/api/openbao-backup/health" >/dev/null && curl -sf "$2" >/dev/null &&
      { echo "demo: ready: open $2 and sign in as guest (Ctrl-C stops everything)" >&2; exit 0; }
    sleep 1
  done' ready "$backend_url" "$app_url" &
pids+=($!)
wait "${pids[1]}"
