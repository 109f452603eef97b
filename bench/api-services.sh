#!/usr/bin/env bash
# Load test of `GET /api/v1/services` on the demo catalogue (SQLite), release build, with wrk on
# 127.0.0.1 — and, in the same run, of a trivial axum handler (crates/web/examples/trivial.rs) as
# the baseline, so that the API's throughput can be quoted as a ratio of the trivial one (the
# figure that holds on a noisy, shared machine). Runs alternate trivial / API to share the noise.
#
# Budget (issue 2): >= 20,000 req/s, p99 < 10 ms, >= 40 % of the trivial handler's throughput.
#
#   bench/api-services.sh                          # 3 runs of 15 s each, 64 connections, 2 threads
#   RUNS=5 DURATION=30s CONNECTIONS=64 THREADS=2 bench/api-services.sh
#   URL_PATH='/api/v1/services?lang=nl' bench/api-services.sh
#
# Installs Debian's wrk if missing. Uses CARGO_TARGET_DIR when set; builds the release binary
# and the example unless SKIP_BUILD=1. Raw wrk output goes to bench/out/api-services/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

RUNS=${RUNS:-3}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
URL_PATH=${URL_PATH:-/api/v1/services}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=bench/out/api-services
mkdir -p "$OUT"

if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p pacta --bin pacta
  cargo build --release -p pacta-web --example trivial
fi
PACTA=$TARGET/release/pacta
TRIVIAL=$TARGET/release/examples/trivial
[ -x "$PACTA" ] && [ -x "$TRIVIAL" ] || { echo "missing $PACTA or $TRIVIAL" >&2; exit 1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pacta-api-bench.XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

wait_for() {
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "not answering: $1" >&2
  exit 1
}

API_PORT=$(free_port)
PACTA_ADMIN_TOKEN=bench "$PACTA" --database-url "sqlite://$SCRATCH/bench.db" serve --demo \
  --listen "127.0.0.1:$API_PORT" >"$OUT/server.log" 2>&1 &
PIDS+=($!)
TRIVIAL_PORT=$(free_port)
"$TRIVIAL" "127.0.0.1:$TRIVIAL_PORT" >"$OUT/trivial.log" 2>&1 &
PIDS+=($!)
API_URL=http://127.0.0.1:$API_PORT$URL_PATH
TRIVIAL_URL=http://127.0.0.1:$TRIVIAL_PORT/
wait_for "http://127.0.0.1:$API_PORT/readyz"
wait_for "$TRIVIAL_URL"

api_bytes=$(curl -fsS "$API_URL" | wc -c)
api_total=$(curl -fsS "$API_URL" | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')
echo "API response: $api_bytes bytes, $api_total services; trivial response: $(curl -fsS "$TRIVIAL_URL" | wc -c) bytes"

# run NAME URL RUN: one wrk run; prints "rps p99_ms" and keeps the raw output.
run() {
  local name=$1 url=$2 i=$3 log
  log=$OUT/$name-$i.txt
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url" >"$log"
  if grep -q 'Non-2xx' "$log" || grep -q 'Socket errors' "$log"; then
    echo "$name run $i: errors, see $log" >&2
    grep -E 'Non-2xx|Socket errors' "$log" >&2
    exit 1
  fi
  python3 - "$log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
p99_ms = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
print(f"{rps:.0f} {p99_ms:.2f}")
PY
}

echo "warm-up (3 s each)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "$TRIVIAL_URL" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "$API_URL" >/dev/null

rows=()
for i in $(seq 1 "$RUNS"); do
  res=$(run trivial "$TRIVIAL_URL" "$i")
  read -r t_rps t_p99 <<<"$res"
  res=$(run api "$API_URL" "$i")
  read -r a_rps a_p99 <<<"$res"
  ratio=$(python3 -c "print(f'{100 * $a_rps / $t_rps:.0f}')")
  printf 'run %s: trivial %7s req/s p99 %6s ms | %s %7s req/s p99 %6s ms | ratio %s %%  (load %s)\n' \
    "$i" "$t_rps" "$t_p99" "$URL_PATH" "$a_rps" "$a_p99" "$ratio" "$(cut -d' ' -f1 /proc/loadavg)"
  rows+=("$t_rps $t_p99 $a_rps $a_p99")
done

printf '%s\n' "${rows[@]}" | python3 -c '
import statistics, sys
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
t_rps, t_p99, a_rps, a_p99 = (statistics.median(col) for col in zip(*rows))
ratios = [r[2] / r[0] for r in rows]
print()
print(f"median of {len(rows)} runs:")
print(f"  trivial axum handler   {t_rps:8.0f} req/s   p99 {t_p99:6.2f} ms")
print(f"  GET /api/v1/services   {a_rps:8.0f} req/s   p99 {a_p99:6.2f} ms")
print(f"  ratio API / trivial    {100 * statistics.median(ratios):.0f} % (median of the per-run ratios)")
ok = a_rps >= 20000 and a_p99 < 10 and statistics.median(ratios) >= 0.40
print("  budget (>= 20000 req/s, p99 < 10 ms, >= 40 %):", "met" if ok else "NOT met")
' | tee "$OUT/summary.txt"
echo "($(date -u +%Y-%m-%dT%H:%MZ), nproc $(nproc), wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; raw output in $OUT/)"
