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

# Ctrl-C on the demo must leave nothing running: no process but this script and its callers may
# keep a working directory in the repo.
stop
trap - EXIT
ancestors=" $$ "
p=$$
while [ "${p:-1}" -gt 1 ]; do p=$(awk '/^PPid:/ {print $2}' /proc/$p/status 2>/dev/null || echo 1); ancestors="$ancestors$p "; done
ppid() { awk '/^PPid:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 1; }
is_ours() { # this script's own subshells and helpers (and its callers) do not count
  local p=$1
  case "$ancestors" in *" $p "*) return 0;; esac
  while [ "${p:-1}" -gt 1 ]; do [ "$p" = "$$" ] && return 0; p=$(ppid "$p"); done
  return 1
}
leftovers() {
  for d in /proc/[0-9]*; do
    is_ours "${d#/proc/}" && continue
    case "$(readlink "$d/cwd" 2>/dev/null)" in
      "$PWD"|"$PWD"/*) echo "${d#/proc/}: $(tr '\0' ' ' < "$d/cmdline" 2>/dev/null | cut -c1-100)";;
    esac
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
