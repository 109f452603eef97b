#!/usr/bin/env bash
# Pacta's browser tests: the real UI in Debian's Chromium, driven by playwright-core, with an
# axe-core WCAG 2.1 AA check on every page (issue 4). Screenshots go to target/browser-artifacts/.
# Two demo servers: one for the catalogue and accounts (PACTA_URL), one with a test clock for the
# subscription flow (PACTA_CLOCK_URL, moved with the admin token PACTA_CLOCK_TOKEN).
#
#   scripts/browser-tests.sh            # builds target/debug/pacta, serves the demo, runs the tests
#   PACTA_BIN=path/to/pacta scripts/browser-tests.sh
#
# Installs what it needs when missing: Debian's `chromium` (apt-get) and the pinned npm packages
# of tests/browser (npm ci). Never `npx playwright install`: the browser is the system's.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ ! -x /usr/bin/chromium ]; then
  echo "browser-tests: installing Debian's chromium" >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium
fi

(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

bin=${PACTA_BIN:-}
if [ -z "$bin" ]; then
  cargo build -q -p pacta
  bin="$root/target/debug/pacta"
fi

work=$(mktemp -d)
server=""
clock_server=""
cleanup() {
  for pid in $server $clock_server; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

artifacts="$root/target/browser-artifacts"
rm -rf "$artifacts" && mkdir -p "$artifacts"

# start LOG DB [ARGS…]: `serve --demo` on a free port and database DB, until it answers
# /healthz; sets STARTED_URL and STARTED_PID. A port found free can be taken before the server
# binds it (the other demo's endpoints take ports the system assigns): then it tries another.
start() {
  local log=$1 db=$2 port pid
  shift 2
  for _ in 1 2 3 4 5; do
    port=$(node -e 'const s = require("net").createServer();
      s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
    PACTA_DATABASE_URL="sqlite://$work/$db?mode=rwc" RUST_LOG=warn \
      "$bin" serve --demo --listen "127.0.0.1:$port" "$@" >"$artifacts/$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do
      # Pacta's own document (another process on the port answers no such thing), from a
      # server still running.
      if node -e "fetch('http://127.0.0.1:$port/api/v1/openapi.json').then(r=>r.json()).then(d=>process.exit(d.openapi?0:1),()=>process.exit(1))" &&
        kill -0 "$pid" 2>/dev/null; then
        STARTED_URL="http://127.0.0.1:$port"
        STARTED_PID=$pid
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "browser-tests: the server did not start on port $port; trying another" >&2
    tail -3 "$artifacts/$log" >&2
  done
  echo "browser-tests: the server ($log) did not start" >&2
  return 1
}

start server.log pacta.db
server=$STARTED_PID
url=$STARTED_URL

# A second demo, for the subscription flow (issue 9): its own database, a test clock standing
# at 2026-11-30 10:00 in Brussels, and a bootstrap admin token (random) to move that clock.
clock_token=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')
PACTA_ADMIN_TOKEN="$clock_token" start clock-server.log clock.db --test-clock 2026-11-30T10:00:00+01:00
clock_server=$STARTED_PID
clock_url=$STARTED_URL

PACTA_URL="$url" PACTA_CLOCK_URL="$clock_url" PACTA_CLOCK_TOKEN="$clock_token" PACTA_ARTIFACTS="$artifacts" \
  node --test --test-concurrency=1 --test-reporter=spec tests/browser/

# The printed catalogue as PDF, by the same Chromium: tagged, with an outline and the language.
PACTA_DATABASE_URL="sqlite://$work/pacta.db?mode=rwc" RUST_LOG=warn \
  "$bin" catalogue render --lang nl --format pdf --out "$artifacts/catalogue-nl.pdf"
for marker in '%PDF-' '/StructTreeRoot' '/Outlines' '/Lang'; do
  if ! grep -aq -- "$marker" "$artifacts/catalogue-nl.pdf"; then
    echo "browser-tests: catalogue-nl.pdf lacks $marker" >&2
    exit 1
  fi
done
echo "browser-tests: catalogue-nl.pdf ($(wc -c <"$artifacts/catalogue-nl.pdf") bytes) is tagged, with an outline"
