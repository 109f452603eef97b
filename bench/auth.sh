#!/usr/bin/env bash
# The budgets of accounts (issue 8), on `serve --demo` (SQLite), release build, all on 127.0.0.1:
#
#  1. A login (the POST of the login page: argon2id at m=19 MiB, t=2, p=1) under 250 ms:
#     sequential logins of demo users through the login page (bench/logins.py), median and p99.
#  2. While 20 logins/s run, the p99 of concurrent catalogue reads stays under 2x its value
#     without them. Reads of GET /api/v1/services at a fixed rate (oha, open loop, READ_RATE a
#     second, latency-corrected), alone and then while bench/logins.py starts 20 logins a second
#     (open loop); runs alternate to share the machine's noise. Also, for information, the same
#     with wrk saturating both cores (closed loop): there the sign-ins wait for the readers.
#  3. The authentication + authorisation layer costs under 1 ms median: the same handler
#     (GET /api/v1/services?limit=1) anonymously, with an API token (hash + lookup + decision) and
#     with a session cookie, one connection (wrk -c1), median latency; the difference is the layer.
#
#   bench/auth.sh                  # RUNS=3, DURATION=15s, READ_RATE=1000
#   RUNS=5 DURATION=20s bench/auth.sh
#
# Installs Debian's wrk and oha (cargo install, into target/bench-tools) if missing; builds the
# release binary unless SKIP_BUILD=1; raw output in bench/out/auth/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

RUNS=${RUNS:-3}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-16}
RATE=${RATE:-20}
READ_RATE=${READ_RATE:-1000}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=bench/out/auth
mkdir -p "$OUT"

if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
OHA=$(command -v oha || echo target/bench-tools/bin/oha)
if [ ! -x "$OHA" ]; then
  cargo install --locked --quiet --root target/bench-tools oha
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p pacta --bin pacta
fi
PACTA=$TARGET/release/pacta
[ -x "$PACTA" ] || { echo "missing $PACTA" >&2; exit 1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pacta-auth-bench.XXXXXX")
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

DB="sqlite://$SCRATCH/bench.db?mode=rwc"
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
PACTA_DATABASE_URL=$DB RUST_LOG=warn "$PACTA" serve --demo --listen "127.0.0.1:$PORT" >"$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null "$BASE/readyz"

TOKEN=$(PACTA_DATABASE_URL=$DB "$PACTA" token create --user helpdesk-agent@provider.example --name bench)
COOKIE=$(python3 bench/logins.py "$BASE" cookie helpdesk-agent@provider.example)
READ=$BASE/api/v1/services
ONE=$BASE/api/v1/services?limit=1
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$ONE"
curl -fsS -o /dev/null -H "Cookie: pacta_session=$COOKIE" "$ONE"

# wrk_figures LOG: "rps p50_ms p99_ms" of a wrk --latency output; any error fails the run.
wrk_figures() {
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
print(f"{rps:.0f} {ms(50):.3f} {ms(99):.3f}")
PY
}

echo "== 1. login latency (sequential, through the login page)"
python3 bench/logins.py "$BASE" sequential 40 | tee "$OUT/login-sequential.json"

seconds=${DURATION%s}
echo "== 2. p99 of catalogue reads ($READ_RATE/s, oha -c8 --latency-correction, $READ), without and with $RATE logins/s"
"$OHA" -z 3s -q "$READ_RATE" -c 8 --no-tui "$READ" >/dev/null
# oha_p99 JSON: "rps p99_ms"; any failed request fails the run.
oha_p99() {
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
if d["summary"]["successRate"] < 1 or set(d["statusCodeDistribution"]) != {"200"}:
    sys.exit(f"errors in {sys.argv[1]}: {d['statusCodeDistribution']} {d['errorDistribution']}")
print(f"{d['summary']['requestsPerSec']:.0f} {d['latencyPercentiles']['p99'] * 1000:.3f}")
PY
}
rows=()
for i in $(seq 1 "$RUNS"); do
  "$OHA" -z "$DURATION" -q "$READ_RATE" -c 8 --latency-correction --no-tui --output-format json "$READ" >"$OUT/reads-alone-$i.json"
  read -r q_rps q_p99 <<<"$(oha_p99 "$OUT/reads-alone-$i.json")"
  python3 bench/logins.py "$BASE" rate "$RATE" "$seconds" >"$OUT/logins-$i.json" &
  driver=$!
  "$OHA" -z "$DURATION" -q "$READ_RATE" -c 8 --latency-correction --no-tui --output-format json "$READ" >"$OUT/reads-with-logins-$i.json"
  wait "$driver"
  read -r l_rps l_p99 <<<"$(oha_p99 "$OUT/reads-with-logins-$i.json")"
  printf 'run %s: alone %5s req/s p99 %6s ms | with logins %5s req/s p99 %6s ms | logins %s\n' \
    "$i" "$q_rps" "$q_p99" "$l_rps" "$l_p99" "$(cat "$OUT/logins-$i.json")"
  rows+=("$q_rps $q_p99 $l_rps $l_p99")
done
printf '%s\n' "${rows[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
q_rps, q_p99, l_rps, l_p99 = (statistics.median(c) for c in zip(*rows))
ratio = statistics.median(r[3] / r[1] for r in rows)
print(f"median of {len(rows)} runs: alone p99 {q_p99:.3f} ms; with logins p99 {l_p99:.3f} ms")
print(f"  p99 ratio with / without (median of the per-run ratios): {ratio:.2f} (budget < 2): " + ("met" if ratio < 2 else "NOT met"))
' | tee "$OUT/reads-summary.txt"

echo "== 2b. for information: the same with wrk saturating both cores (wrk -t2 -c$CONNECTIONS, closed loop)"
wrk -t2 -c"$CONNECTIONS" -d3s "$READ" >/dev/null
for i in $(seq 1 "$RUNS"); do
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$READ" >"$OUT/saturated-alone-$i.txt"
  read -r q_rps _ q_p99 <<<"$(wrk_figures "$OUT/saturated-alone-$i.txt")"
  python3 bench/logins.py "$BASE" rate "$RATE" "$seconds" >"$OUT/saturated-logins-$i.json" &
  driver=$!
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$READ" >"$OUT/saturated-with-logins-$i.txt"
  wait "$driver"
  read -r l_rps _ l_p99 <<<"$(wrk_figures "$OUT/saturated-with-logins-$i.txt")"
  printf 'run %s: alone %6s req/s p99 %7s ms | with logins %6s req/s p99 %7s ms | logins %s\n' \
    "$i" "$q_rps" "$q_p99" "$l_rps" "$l_p99" "$(cat "$OUT/saturated-logins-$i.json")"
done | tee "$OUT/saturated-summary.txt"

echo "== 3. the authentication + authorisation layer (wrk -t1 -c1 -d$DURATION $ONE)"
rows=()
for i in $(seq 1 "$RUNS"); do
  wrk -t1 -c1 -d"$DURATION" --latency "$ONE" >"$OUT/anonymous-$i.txt"
  wrk -t1 -c1 -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$ONE" >"$OUT/token-$i.txt"
  wrk -t1 -c1 -d"$DURATION" --latency -H "Cookie: pacta_session=$COOKIE" "$ONE" >"$OUT/session-$i.txt"
  read -r _ a50 _ <<<"$(wrk_figures "$OUT/anonymous-$i.txt")"
  read -r _ t50 _ <<<"$(wrk_figures "$OUT/token-$i.txt")"
  read -r _ s50 _ <<<"$(wrk_figures "$OUT/session-$i.txt")"
  printf 'run %s: median anonymous %s ms | API token %s ms | session %s ms\n' "$i" "$a50" "$t50" "$s50"
  rows+=("$a50 $t50 $s50")
done
printf '%s\n' "${rows[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, l.split())) for l in sys.stdin if l.strip()]
a, t, s = (statistics.median(c) for c in zip(*rows))
dt = statistics.median(r[1] - r[0] for r in rows)
ds = statistics.median(r[2] - r[0] for r in rows)
print(f"median of {len(rows)} runs: anonymous {a * 1000:.0f} us, API token {t * 1000:.0f} us, session {s * 1000:.0f} us")
print(f"  the layer: +{dt * 1000:.0f} us with a token, +{ds * 1000:.0f} us with a session (budget < 1000 us): "
      + ("met" if max(dt, ds) < 1 else "NOT met"))
' | tee "$OUT/layer-summary.txt"
echo "($(date -u +%Y-%m-%dT%H:%MZ), nproc $(nproc), $(free -g | awk '/Mem:/ {print $2}') GiB; raw output in $OUT/)"
