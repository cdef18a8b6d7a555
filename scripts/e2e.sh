#!/usr/bin/env bash
# Browser end-to-end test: starts the demo (scripts/demo.sh) on free ports, drives it with the
# backend API, the S3 API and headless Chromium (packages/app/e2e/demo.e2e.mjs), stops it and
# checks that no process is left. S3: S3_ENDPOINT when set (test-all passes its Swift), else the
# demo's embedded store on a free port. Installs Debian's chromium if it is missing (root).
# Expects a bootstrapped tree (test-all runs scripts/bootstrap.sh first).
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

# Two distinct free ports for the app and the backend (the doubles pick their own).
free_ports() {
  node -e 'const net = require("net");
    const a = net.createServer().listen(0, "127.0.0.1", () => {
      const b = net.createServer().listen(0, "127.0.0.1", () => {
        console.log(a.address().port, b.address().port); a.close(); b.close();
      });
    });'
}
read -r app_port backend_port < <(free_ports)
export DEMO_APP_PORT=$app_port DEMO_BACKEND_PORT=$backend_port DEMO_SKIP_BOOTSTRAP=1
export DEMO_STATE_DIR="$out/demo"
[ -n "${S3_ENDPOINT:-}" ] || export DEMO_S3=embedded
echo "e2e: demo on app port $app_port, backend port $backend_port, S3 ${S3_ENDPOINT:-embedded}" >&2

t0=$(date +%s)
# Every process the demo starts inherits this variable (the Job runner passes it into the
# executor Pods' otherwise fresh environment): the leftover check looks for it.
run_id=e2e-$$-$RANDOM
OPENBAO_DEMO_RUN=$run_id setsid bash scripts/demo.sh > "$out/demo.log" 2>&1 &
demo=$!
stop() { kill -TERM -- "-$demo" 2>/dev/null; wait "$demo" 2>/dev/null; }
trap stop EXIT

ready=
for _ in $(seq 1 240); do
  if curl -sf "localhost:$backend_port/api/openbao-backup/health" >/dev/null && curl -sf "localhost:$app_port" >/dev/null; then
    ready=1; break
  fi
  kill -0 "$demo" 2>/dev/null || break
  sleep 1
done
if [ -z "$ready" ]; then
  tail -30 "$out/demo.log" >&2; echo "e2e: the demo did not start (log: $out/demo.log)" >&2; exit 1
fi
echo "e2e: demo ready after $(($(date +%s) - t0)) s" >&2
set -a; . "$DEMO_STATE_DIR/demo.env"; set +a
node packages/app/e2e/demo.e2e.mjs "$out"
rc=$?
[ $rc -eq 0 ] || { echo "e2e: failed; demo log and screenshot in $out" >&2; tail -20 "$out/demo.log" >&2; }
echo "e2e: browser and API steps took $(($(date +%s) - t0)) s since the demo started" >&2

# Stopping the demo (as Ctrl-C does) must leave none of its processes running.
stop
trap - EXIT
leftovers() {
  for d in /proc/[0-9]*; do
    if { tr '\0' '\n' < "$d/environ"; } 2>/dev/null | grep -qx "OPENBAO_DEMO_RUN=$run_id"; then
      echo "${d#/proc/}: $(tr '\0' ' ' < "$d/cmdline" 2>/dev/null | cut -c1-100)"
    fi
  done
}
for _ in $(seq 1 60); do [ -z "$(leftovers)" ] && break; sleep 0.5; done
left=$(leftovers)
if [ -z "$left" ]; then
  echo "ok - stopping the demo leaves no process running"
else
  echo "not ok - stopping the demo leaves no process running: $(echo "$left" | tr '\n' ';')"
  rc=1
fi
exit $rc
