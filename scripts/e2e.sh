#!/usr/bin/env bash
# Browser end-to-end test: starts the demo (scripts/demo.sh), drives it with headless Chromium
# (packages/app/e2e/demo.e2e.mjs), stops it. Installs Debian's chromium if it is missing (root).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
out=${E2E_OUT:-$(mktemp -d)}
mkdir -p "$out"
if ! command -v chromium >/dev/null; then
  echo "e2e: installing chromium (Debian package)" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
    || { echo "e2e: cannot install chromium (needs root and apt)" >&2; exit 1; }
fi
for port in 3000 7007; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "e2e: port $port is in use; stop what listens there first" >&2; exit 1
  fi
done

setsid bash scripts/demo.sh > "$out/demo.log" 2>&1 &
demo=$!
stop() { kill -TERM -- "-$demo" 2>/dev/null; wait "$demo" 2>/dev/null; }
trap stop EXIT

for _ in $(seq 1 240); do
  curl -sf localhost:7007/api/openbao-backup/health >/dev/null && curl -sf localhost:3000 >/dev/null && break
  kill -0 "$demo" 2>/dev/null || { tail -30 "$out/demo.log" >&2; echo "e2e: the demo exited" >&2; exit 1; }
  sleep 1
done
node packages/app/e2e/demo.e2e.mjs "$out"
rc=$?
[ $rc -eq 0 ] || { echo "e2e: failed; demo log and screenshot in $out" >&2; tail -20 "$out/demo.log" >&2; }
exit $rc
