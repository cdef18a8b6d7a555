#!/usr/bin/env bash
# Runs every check of the project on a fresh machine: bootstrap (Node 24 + npm ci), a real S3
# server (Swift + s3api from Debian packages), lint, type-check, every Jest suite and the demo
# driven by headless Chromium (scripts/e2e.sh).
# Ends with one line `N passed, N failed`: every Jest test, one entry each for lint, type-check,
# the S3 server (when started here), the executor bundle, the fault table and each Debian package
# installed, and one per e2e step; exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export CI=true
bash scripts/bootstrap.sh || { echo "bootstrap failed" >&2; echo "0 passed, 1 failed"; exit 1; }
. scripts/env.sh

results_dir=$(mktemp -d)
swift_dir="$results_dir/swift"
cleanup() { bash scripts/s3-swift.sh stop "$swift_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT

passed=0
failed=0
check() { # check <name> <command...>: one pass/fail entry for a whole command
  local name=$1; shift
  echo "== $name" >&2
  if "$@" >&2; then passed=$((passed + 1)); else echo "FAILED: $name" >&2; failed=$((failed + 1)); fi
}

# A real S3 server for the executor, retention and end-to-end tests.
if [ -z "${S3_TEST_ENDPOINT:-}" ]; then
  check "s3 server (swift)" bash -c "bash scripts/s3-swift.sh install >/dev/null && bash scripts/s3-swift.sh start '$swift_dir'"
  export S3_TEST_ENDPOINT=http://127.0.0.1:${S3_PORT:-8080}
fi

# Real PostgreSQL binaries for the two-replica scheduler test (its helper finds them under
# /usr/local/bin or /usr/lib/postgresql/*/bin and fails with this hint when they are missing).
if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  check "postgresql binaries" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null"
fi

# Buildah builds the executor image's runtime stage and runs a backup in it (executor/src/image.test.ts;
# without it, or without root, that suite is skipped with the reason printed).
if ! command -v buildah >/dev/null && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  check "buildah" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends buildah >/dev/null"
fi

# Go's text/template with Sprig (the engine Helm uses) renders the chart next to the project's own
# renderer and must produce the same documents (packages/sandbox/src/chart/chart.test.ts).
sprig=/usr/share/gocode/src/github.com/Masterminds/sprig
if { ! command -v go >/dev/null || [ ! -d "$sprig" ]; } && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  check "go + sprig" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go golang-github-masterminds-sprig-dev golang-github-ghodss-yaml-dev >/dev/null"
fi

check "lint" npx backstage-cli repo lint
check "type-check" npx tsc --noEmit -p .
check "executor bundle" npm run --silent build -w @internal/openbao-backup-executor

echo "== jest" >&2
export FAULT_REPORT_DIR="$results_dir/faults"
npx backstage-cli repo test --json --outputFile="$results_dir/jest.json" >&2
jest_rc=$?
if [ -f "$results_dir/jest.json" ]; then
  # A suite that fails to load counts only in the suite fields: count it as a failure too.
  read -r jp jf < <(node -e '
    const r = require(process.argv[1]);
    console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites);
  ' "$results_dir/jest.json")
  passed=$((passed + jp)); failed=$((failed + jf))
  if [ "$jest_rc" -ne 0 ] && [ "$jf" -eq 0 ]; then failed=$((failed + 1)); fi
else
  echo "jest wrote no results" >&2; failed=$((failed + 1))
fi

# The fault suite's table (its cases are Jest tests above): one entry, failed when a case did not
# end as expected or no case recorded a row (the suite did not run).
check "fault table" node scripts/fault-table.mjs "$FAULT_REPORT_DIR"

# The demo in a real browser: each `ok -` / `not ok -` step line counts as one test.
echo "== e2e (browser)" >&2
S3_ENDPOINT=$S3_TEST_ENDPOINT E2E_OUT="$results_dir/e2e" bash scripts/e2e.sh > "$results_dir/e2e.log" 2>&1
e2e_rc=$?
cat "$results_dir/e2e.log" >&2
e2e_ok=$(grep -c '^ok - ' "$results_dir/e2e.log")
e2e_bad=$(grep -c '^not ok - ' "$results_dir/e2e.log")
passed=$((passed + e2e_ok)); failed=$((failed + e2e_bad))
if [ "$e2e_rc" -ne 0 ] && [ "$e2e_bad" -eq 0 ]; then failed=$((failed + 1)); fi

cleanup
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
