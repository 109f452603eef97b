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

# Two free ports, taken at once so that they differ.
read -r port clock_port < <(node -e '
  const net = require("net"); const a = net.createServer(), b = net.createServer();
  a.listen(0, "127.0.0.1", () => b.listen(0, "127.0.0.1", () => {
    console.log(a.address().port, b.address().port); a.close(); b.close(); }));')
artifacts="$root/target/browser-artifacts"
rm -rf "$artifacts" && mkdir -p "$artifacts"

PACTA_DATABASE_URL="sqlite://$work/pacta.db?mode=rwc" RUST_LOG=warn \
  "$bin" serve --demo --listen "127.0.0.1:$port" >"$artifacts/server.log" 2>&1 &
server=$!

# A second demo, for the subscription flow (issue 9): its own database, a test clock standing
# at 2026-11-30 10:00 in Brussels, and a bootstrap admin token (random) to move that clock.
clock_token=$(node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))')
PACTA_DATABASE_URL="sqlite://$work/clock.db?mode=rwc" PACTA_ADMIN_TOKEN="$clock_token" RUST_LOG=warn \
  "$bin" serve --demo --test-clock 2026-11-30T10:00:00+01:00 --listen "127.0.0.1:$clock_port" \
  >"$artifacts/clock-server.log" 2>&1 &
clock_server=$!

url="http://127.0.0.1:$port"
clock_url="http://127.0.0.1:$clock_port"
for u in "$url" "$clock_url"; do
  for _ in $(seq 1 100); do
    if node -e "fetch('$u/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then break; fi
    sleep 0.1
  done
done

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
