#!/usr/bin/env bash
# Browser end-to-end test: starts the demo (scripts/demo.sh) on free ports, drives it with the
# backend API, the S3 API and headless Chromium (packages/app/e2e/demo.e2e.mjs), stops it and
# checks that Ctrl-C leaves no process. S3: S3_ENDPOINT when set (test-all passes its Swift; the
# demo is then also started and stopped once with its embedded store), else the embedded store.
# Installs Debian's chromium if it is missing (root).
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
# start_demo <run-id> <state-dir>: the demo on two fresh free ports, in its own session. Every process
# it starts inherits OPENBAO_DEMO_RUN (the Job runner passes it into the executor Pods' otherwise
# fresh environment): the leftover check looks for it.
start_demo() {
  read -r app_port backend_port < <(free_ports)
  export DEMO_APP_PORT=$app_port DEMO_BACKEND_PORT=$backend_port DEMO_SKIP_BOOTSTRAP=1
  export DEMO_STATE_DIR=$2
  # Job control gives the demo its own process group and keeps SIGINT deliverable (a non-interactive
  # shell's background jobs otherwise start with SIGINT ignored, which they cannot undo).
  set -m
  OPENBAO_DEMO_RUN=$1 bash scripts/demo.sh > "$2.log" 2>&1 &
  demo=$!
  set +m
}
# Ctrl-C in a terminal sends SIGINT to the demo's foreground process group: do the same.
# Bounded: a demo still up 60 s after Ctrl-C is killed (the leftover check then reports it).
stop_demo() {
  kill -INT -- "-$demo" 2>/dev/null
  for _ in $(seq 1 120); do kill -0 "$demo" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$demo" 2>/dev/null; then
    echo "e2e: the demo did not stop within 60 s of SIGINT; killing it" >&2
    kill -KILL -- "-$demo" 2>/dev/null
  fi
  wait "$demo" 2>/dev/null
}
wait_ready() {
  for _ in $(seq 1 240); do
    if curl -sf "localhost:$backend_port/api/openbao-backup/health" >/dev/null && curl -sf "localhost:$app_port" >/dev/null; then
      return 0
    fi
    kill -0 "$demo" 2>/dev/null || break
    sleep 1
  done
  tail -30 "$DEMO_STATE_DIR.log" >&2; echo "e2e: the demo did not start (log: $DEMO_STATE_DIR.log)" >&2
  return 1
}
leftovers() {
  for d in /proc/[0-9]*; do
    if { tr '\0' '\n' < "$d/environ"; } 2>/dev/null | grep -qx "OPENBAO_DEMO_RUN=$1"; then
      echo "${d#/proc/}: $(tr '\0' ' ' < "$d/cmdline" 2>/dev/null | cut -c1-100)"
    fi
  done
}
# check_stopped <run-id> <what>: one `ok -`/`not ok -` line; the demo's processes get 30 s to go.
check_stopped() {
  for _ in $(seq 1 60); do [ -z "$(leftovers "$1")" ] && break; sleep 0.5; done
  local left; left=$(leftovers "$1")
  if [ -z "$left" ]; then
    echo "ok - $2"
  else
    echo "not ok - $2: $(echo "$left" | tr '\n' ';')"
    rc=1
  fi
}

# Whether the caller gave an S3 server (demo.env, sourced below, sets S3_ENDPOINT either way).
external_s3=${S3_ENDPOINT:+1}
[ -n "$external_s3" ] || export DEMO_S3=embedded
t0=$(date +%s)
run_id=e2e-$$-$RANDOM
start_demo "$run_id" "$out/demo"
trap stop_demo EXIT
echo "e2e: demo on app port $app_port, backend port $backend_port, S3 ${S3_ENDPOINT:-embedded}" >&2
wait_ready || exit 1
echo "e2e: demo ready after $(($(date +%s) - t0)) s" >&2
# The demo's addresses for the browser test only: they must not leak into the second demo below.
( set -a; . "$DEMO_STATE_DIR/demo.env"; set +a; exec node packages/app/e2e/demo.e2e.mjs "$out" )
rc=$?
[ $rc -eq 0 ] || { echo "e2e: failed; demo log and screenshot in $out" >&2; tail -20 "$out/demo.log" >&2; }
echo "e2e: browser and API steps took $(($(date +%s) - t0)) s since the demo started" >&2

# Ctrl-C must leave none of the demo's processes running.
stop_demo
trap - EXIT
check_stopped "$run_id" "Ctrl-C stops the demo and leaves no process running"

# The same for a newcomer's demo with the embedded S3 store (when the run above used another store).
if [ -n "$external_s3" ]; then
  unset S3_ENDPOINT
  export DEMO_S3=embedded
  run_id=e2e-embedded-$$-$RANDOM
  start_demo "$run_id" "$out/demo-embedded"
  trap stop_demo EXIT
  if wait_ready; then
    stop_demo
    trap - EXIT
    check_stopped "$run_id" "Ctrl-C stops the demo with its embedded S3 store and leaves no process running"
  else
    stop_demo
    trap - EXIT
    echo "not ok - the demo with its embedded S3 store starts (log: $out/demo-embedded.log)"
    rc=1
  fi
fi
exit $rc
