#!/usr/bin/env bash
# The partner's home (issue 9): `/{lang}/home` of a partner with 50 subscriptions, under 5 ms
# median server time. On `serve --demo` (SQLite, release build, 127.0.0.1, the real clock):
#
#   setup  A live subscription per partner, service and pack is unique and the demo catalogue has
#          10 services × 3 packs, so a partner cannot have 50 live ones there: a generated
#          catalogue of SERVICES services (bench/gen-catalogue.py, default 60; the demo's
#          profile, levels, calendars and categories) is imported into the fresh database first,
#          then `serve --demo` adds the demo's partners and users (the service manager over every
#          service). bench/subscribe.py gives DEMO-NL N subscriptions (default 50), each to
#          another service: N − REQUESTED active (approved with today's start) and REQUESTED
#          (default 5) waiting for approval. CATALOGUE=demo keeps the demo catalogue instead
#          (then N ≤ 27).
#   timed  signed in as partner-admin@demo-nl.example (session cookie, through the login page:
#          bench/logins.py), `wrk -t1 -c1 -d$DURATION --latency` on /$LANG_CODE/home, RUNS times;
#          the median latency with one connection is the server's time plus loopback HTTP. For
#          comparison, the same on GET /api/v1/me (same session, a few hundred bytes of JSON).
#          Also the page's size, plain and gzip.
#
#   bench/home.sh                   # RUNS=3, DURATION=10s, N=50, REQUESTED=5
#   SETUP_ONLY=1 bench/home.sh      # the setup and the page's status only
#
# Installs Debian's wrk if missing; builds the release binary unless SKIP_BUILD=1; waits (up to
# QUIET_WAIT seconds, default 600) for no rustc, cargo or chromium to be running before measuring.
# Raw output in bench/out/home/. Exit status 2 when the page is not there (not 200).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
N=${N:-50}
REQUESTED=${REQUESTED:-5}
SERVICES=${SERVICES:-60}
CATALOGUE=${CATALOGUE:-generated}
PARTNER=${PARTNER:-DEMO-NL}
USER_EMAIL=${USER_EMAIL:-partner-admin@$(echo "$PARTNER" | tr 'A-Z' 'a-z').example}
LANG_CODE=${LANG_CODE:-en}
QUIET_WAIT=${QUIET_WAIT:-600}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=bench/out/home
TOKEN=bench-admin-token
mkdir -p "$OUT"

if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p pacta --bin pacta
fi
PACTA=$TARGET/release/pacta
[ -x "$PACTA" ] || { echo "missing $PACTA" >&2; exit 1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pacta-home-bench.XXXXXX")
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

DB="sqlite://$SCRATCH/bench.db?mode=rwc"
if [ "$CATALOGUE" = generated ]; then
  python3 bench/gen-catalogue.py "$SERVICES" >"$SCRATCH/catalogue.yaml"
  PACTA_DATABASE_URL=$DB "$PACTA" catalogue import "$SCRATCH/catalogue.yaml" >"$OUT/import.log" 2>&1
fi
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
PACTA_DATABASE_URL=$DB PACTA_ADMIN_TOKEN=$TOKEN RUST_LOG=warn \
  "$PACTA" serve --demo --listen "127.0.0.1:$PORT" >"$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null "$BASE/readyz"

TODAY=$(TZ=Europe/Brussels date +%F)
echo "== setup: $CATALOGUE catalogue; $N subscriptions of $PARTNER ($REQUESTED waiting for approval)"
python3 bench/subscribe.py "$BASE" "$TOKEN" home "$PARTNER" "$N" "$TODAY" "$REQUESTED" | tee "$OUT/setup.json"
curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/subscriptions?partner=$PARTNER&limit=200" | python3 -c '
import collections, json, sys
d = json.load(sys.stdin)
states = dict(collections.Counter(s["state"] for s in d["items"]))
print(sys.argv[1], "has", d["total"], "subscriptions:", states)' "$PARTNER"

COOKIE=$(python3 bench/logins.py "$BASE" cookie "$USER_EMAIL")
PAGE=$BASE/$LANG_CODE/home
ME=$BASE/api/v1/me
status=$(curl -sS -o "$OUT/home.html" -w '%{http_code}' -H "Cookie: pacta_session=$COOKIE" "$PAGE")
echo "GET /$LANG_CODE/home as $USER_EMAIL: $status"
if [ "$status" != 200 ]; then
  echo "the partner home is not there (status $status): nothing to measure" >&2
  exit 2
fi
plain=$(wc -c <"$OUT/home.html")
gzip=$(curl -sS -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' -H "Cookie: pacta_session=$COOKIE" "$PAGE")
rows=$(grep -o '<tr' "$OUT/home.html" | wc -l || true)
spocs=$(grep -o 'Service manager (SPOC)' "$OUT/home.html" | wc -l || true)
echo "page: $plain bytes, $gzip bytes gzip; $rows table rows (with headings), $spocs service-manager contacts"
[ "${SETUP_ONLY:-0}" = 1 ] && exit 0

# p50_ms LOG: the median latency of a wrk --latency output, in ms; any error fails the run.
p50_ms() {
  if grep -qE 'Non-2xx|Socket errors' "$1"; then
    echo "errors in $1:" >&2
    grep -E 'Non-2xx|Socket errors' "$1" >&2
    exit 1
  fi
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(p):
    value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
print(f"{ms(50):.3f} {ms(99):.3f} {rps:.0f}")
PY
}

echo "== wrk -t1 -c1 -d$DURATION --latency, $RUNS runs: $PAGE and $ME (same session)"
wrk -t1 -c1 -d2s -H "Cookie: pacta_session=$COOKIE" "$PAGE" >/dev/null
rows=()
for i in $(seq 1 "$RUNS"); do
  wait_quiet
  load=$(cut -d' ' -f1 /proc/loadavg)
  wrk -t1 -c1 -d"$DURATION" --latency -H "Cookie: pacta_session=$COOKIE" "$PAGE" >"$OUT/home-$i.txt"
  wrk -t1 -c1 -d"$DURATION" --latency -H "Cookie: pacta_session=$COOKIE" "$ME" >"$OUT/me-$i.txt"
  read -r h50 h99 hrps <<<"$(p50_ms "$OUT/home-$i.txt")"
  read -r m50 m99 _ <<<"$(p50_ms "$OUT/me-$i.txt")"
  printf 'run %s: home median %s ms, p99 %s ms, %s req/s | /api/v1/me median %s ms, p99 %s ms | load %s\n' \
    "$i" "$h50" "$h99" "$hrps" "$m50" "$m99" "$load"
  rows+=("$h50 $h99 $m50")
done | tee "$OUT/runs.txt"
python3 - "$OUT/runs.txt" <<'PY' | tee "$OUT/summary.txt"
import re, statistics, sys
rows = [tuple(map(float, m.groups())) for m in
        (re.search(r"home median ([\d.]+) ms, p99 ([\d.]+) ms.*me median ([\d.]+) ms", l) for l in open(sys.argv[1])) if m]
h50 = statistics.median(r[0] for r in rows)
h99 = statistics.median(r[1] for r in rows)
m50 = statistics.median(r[2] for r in rows)
print(f"median of {len(rows)} runs: home {h50:.3f} ms (p99 {h99:.3f} ms); /api/v1/me {m50:.3f} ms")
print(f"budget: under 5 ms median: {'met' if h50 < 5 else 'NOT met'}")
PY
echo "($(date -u +%Y-%m-%dT%H:%MZ), nproc $(nproc), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); raw output in $OUT/)"
