#!/usr/bin/env bash
# Issue 10's month-close budget: "Closing a month for 10,000 subscriptions: under 60 s on SQLite."
#
#   setup  once: `pacta serve --demo --test-clock 2026-06-01T09:00:00+02:00` on a new SQLite
#          database; N approved subscriptions (default 10,000) through the API as the bootstrap
#          admin (bench/subscribe.py jobs N 2026-06-02 0: new partners BENCH-0001…, no partner
#          admins so no mails to them, start dates spread over 2026-06-02…07-01); the clock moved
#          to 2026-07-02T00:00:00+02:00 (every subscription active; the job runner also closes
#          June on the way, at 2026-07-01T01:00 — that call is timed and reported too); DAYS
#          (default 2) days of 30 s results for each demo monitor, 2026-07-01 00:00 onwards, with a
#          few failure runs so that outages open and close, through the results API (the time of
#          a POST with and without failures is reported: with them, the error budgets of the
#          service's subscriptions are checked again); the clock
#          moved to 2026-08-01T00:30:00+02:00, before July's close instant (01:00), so that July
#          is closed by the command below and not by the job runner. The server is then stopped
#          and the database kept as a template.
#   timed  RUNS times (default 5), on a fresh copy of the template: the wall time of
#          `pacta --database-url sqlite://COPY statement close --month 2026-07` (the CLI reads the
#          real clock, by which July is closed). It prints how many statements it wrote: checked
#          to be at least N (N plus the demo's active subscriptions).
#
#   bench/close.sh                          # N=10000 RUNS=5 DAYS=2
#   N=1000 RUNS=3 SKIP_BUILD=1 bench/close.sh
#
# Builds the release binary unless SKIP_BUILD=1 (CARGO_TARGET_DIR honoured) and copies it to a
# scratch directory, so another engineer's build cannot swap it mid-run. Before each timed run it
# waits (up to QUIET_WAIT seconds, default 600) for no rustc, cargo (test runs) or chromium to be
# running: the machine is shared. Raw output in bench/out/close/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

RUNS=${RUNS:-5}
N=${N:-10000}
DAYS=${DAYS:-2}
QUIET_WAIT=${QUIET_WAIT:-600}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=bench/out/close
mkdir -p "$OUT"

T=2026-06-01T09:00:00+02:00
FIRST_DAY=2026-06-02
ACTIVE=2026-07-02T00:00:00+02:00
BEFORE_CLOSE=2026-08-01T00:30:00+02:00
MONTH=2026-07
TOKEN=bench-admin-token

scratch_binary close
SERVER=""
cleanup() {
  stop_server
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

# tick NOW FILE: moves the clock to NOW; prints "seconds jobs" and keeps the answer in FILE.
tick() {
  local took
  took=$(curl -sS -o "$2" -w '%{http_code} %{time_total}' --max-time 3600 -X POST \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data "{\"now\": \"$1\"}" "$BASE/api/v1/test/clock")
  [ "${took%% *}" = 200 ] || { echo "POST /api/v1/test/clock: ${took%% *}: $(head -c 500 "$2")" >&2; exit 1; }
  echo "${took#* } $(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["fired"]))' "$2")"
}

kinds() {
  python3 -c '
import collections, json, sys
c = collections.Counter(f["kind"] for f in json.load(open(sys.argv[1]))["fired"])
print(", ".join(f"{k} {v}" for k, v in sorted(c.items())))' "$1"
}

echo "== setup: $N subscriptions on SQLite, clock $T (binary built $(date -u -r "$TARGET/release/pacta" +%Y-%m-%dT%H:%MZ))"
setup_started=$(date +%s.%N)
DB=$SCRATCH/setup.db
port=$(free_port)
BASE=http://127.0.0.1:$port
PACTA_DATABASE_URL="sqlite://$DB?mode=rwc" PACTA_ADMIN_TOKEN=$TOKEN RUST_LOG=warn \
  "$PACTA" serve --demo --test-clock "$T" --listen "127.0.0.1:$port" >"$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do
  curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null "$BASE/readyz"

python3 bench/subscribe.py "$BASE" "$TOKEN" jobs "$N" "$FIRST_DAY" 0 | tee "$OUT/setup-subscriptions.json"

read -r secs fired <<<"$(tick "$ACTIVE" "$OUT/fired-active.json")"
echo "clock → $ACTIVE: $fired jobs in $secs s ($(kinds "$OUT/fired-active.json"))" | tee "$OUT/setup-active.txt"

# DAYS days of results for every demo monitor, from July's first midnight, in batches of 1,000.
python3 - "$BASE" "$TOKEN" "$DAYS" <<'PY' | tee "$OUT/setup-results.json"
import datetime, http.client, json, statistics, sys, time, urllib.parse
base, token, days = sys.argv[1], sys.argv[2], int(sys.argv[3])
url = urllib.parse.urlsplit(base)
conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
def call(method, path, body=None):
    conn.request(method, path, body=body, headers=auth)
    r = conn.getresponse()
    text = r.read()
    if r.status != 200:
        raise SystemExit(f"{method} {path}: {r.status}: {text[:500]!r}")
    return json.loads(text)
monitors = call("GET", "/api/v1/monitors?limit=200")["items"]
first = datetime.datetime.fromisoformat("2026-07-01T00:00:00+02:00").astimezone(datetime.timezone.utc)
n = days * 2880
started = time.perf_counter()
stored = 0
plain, failing = [], []
for m in monitors:
    for b in range(0, n, 1000):
        items = []
        for k in range(b, min(n, b + 1000)):
            at = first + datetime.timedelta(seconds=30 * k)
            # One outage of 3 min every 12 h or so, at a different time per monitor.
            ok = not (0 <= (k + 37 * len(m["code"])) % 1440 < 6)
            items.append({"at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "ok": ok, "latency_ms": 40 + k % 50})
        t0 = time.perf_counter()
        stored += call("POST", f"/api/v1/monitors/{m['id']}/results", json.dumps(items))["stored"]
        (plain if all(r["ok"] for r in items) else failing).append(time.perf_counter() - t0)
med = lambda xs: round(statistics.median(xs), 3) if xs else None
# A batch with failures opens or closes an outage: mailed, and the error budgets of every
# subscription of the service checked again.
print(json.dumps({"monitors": len(monitors), "results_per_monitor": n, "stored": stored,
                  "seconds": round(time.perf_counter() - started, 1),
                  "posts_without_failures": len(plain), "median_s_without_failures": med(plain),
                  "posts_with_failures": len(failing), "median_s_with_failures": med(failing)}))
PY

read -r secs fired <<<"$(tick "$BEFORE_CLOSE" "$OUT/fired-before-close.json")"
echo "clock → $BEFORE_CLOSE: $fired jobs in $secs s ($(kinds "$OUT/fired-before-close.json"))" | tee "$OUT/setup-before-close.txt"
stop_server
setup_seconds=$(python3 -c "import sys; print(round($(date +%s.%N) - $setup_started, 1))")
echo "setup took $setup_seconds s" | tee "$OUT/setup-seconds.txt"

# One self-contained file (the WAL folded in) as the template of every run.
python3 - "$DB" "$SCRATCH/template.db" <<'PY'
import sqlite3, sys
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.close()
src.close()
PY
python3 - "$SCRATCH/template.db" <<'PY' | tee "$OUT/template.txt"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
q = lambda sql: c.execute(sql).fetchone()[0]
print(f"template: {q('SELECT COUNT(*) FROM subscriptions')} subscriptions, "
      f"{q('SELECT COUNT(*) FROM monitors')} monitors, {q('SELECT COUNT(*) FROM monitor_results')} results, "
      f"{q('SELECT COUNT(*) FROM monitor_outages')} outages, {q('SELECT COUNT(*) FROM statements')} statements, "
      f"closed months: {', '.join(r[0] for r in c.execute('SELECT month FROM closed_months ORDER BY month'))}")
PY

echo "== timed: statement close --month $MONTH ($RUNS runs, each on a fresh copy)"
for i in $(seq 1 "$RUNS"); do
  rm -f "$SCRATCH/run.db"*
  cp "$SCRATCH/template.db" "$SCRATCH/run.db"
  wait_quiet
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s.%N)
  RUST_LOG=warn "$PACTA" --database-url "sqlite://$SCRATCH/run.db" statement close --month "$MONTH" >"$OUT/close-$i.txt" 2>&1 \
    || { echo "statement close failed: $(cat "$OUT/close-$i.txt")" >&2; exit 1; }
  end=$(date +%s.%N)
  written=$(sed -n 's/^closed [0-9-]*: \([0-9]*\) statements written now.*/\1/p' "$OUT/close-$i.txt")
  [ -n "$written" ] && [ "$written" -ge "$N" ] || { echo "wrote ${written:-?} statements, expected ≥ $N: $(cat "$OUT/close-$i.txt")" >&2; exit 1; }
  printf 'run %s: %s statements in %.3f s | load %s\n' "$i" "$written" "$(python3 -c "print($end - $start)")" "$load"
done | tee "$OUT/runs.txt"

python3 - "$OUT/runs.txt" "$N" <<'PY' | tee "$OUT/summary.txt"
import re, statistics, sys
rows = [(int(m[1]), float(m[2])) for m in (re.match(r"run \d+: (\d+) statements in ([\d.]+) s", l) for l in open(sys.argv[1])) if m]
med = statistics.median(r[1] for r in rows)
print(f"close of 2026-07 for {sys.argv[2]} subscriptions ({rows[0][0]} statements): median {med:.3f} s of {len(rows)} runs "
      f"({', '.join(f'{r[1]:.3f}' for r in rows)}); budget < 60 s on SQLite: {'met' if med < 60 else 'NOT met'}")
PY
echo "($(date -u +%Y-%m-%dT%H:%MZ), nproc $(nproc), $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo); raw output in $OUT/)"
