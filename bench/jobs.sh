#!/usr/bin/env bash
# The job runner's budget (issue 9): a thousand due jobs run through the test clock in under 1 s
# on SQLite. On `serve --demo --test-clock T` (SQLite, release build, 127.0.0.1):
#
#   setup  N subscriptions (default 1,000) requested and approved through the API as the bootstrap
#          admin (bench/subscribe.py jobs): new partners BENCH-0001… (30 service × pack pairs each
#          in the demo catalogue), each with one partner admin; start dates spread over T+1…T+30
#          days. That queues, per subscription, a `subscription.activate` job due at its start
#          (Europe/Brussels midnight) and two mails due at T (requested, to the service manager;
#          approved, to the partner admin); each activation queues one more (activated), due at
#          once, which runs in the same call.
#   timed  the wall time of `POST /api/v1/test/clock` (curl's time_total: the server runs every
#          due job before it answers), on a fresh server and database each run, in two ways:
#            all    one call to T+31 days: every job (4 N: 2 N mails, N activations, N mails)
#            split  a call to T+1 min (the 2 N mails due at T), then one to T+31 days (N
#                   activations + the N mails they queue)
#          Without smtp_url an `outbox.send` job finds no SMTP and leaves the mail queued.
#          With ADMINS=0 the partners have no admin, so no approved or activated mail: the
#          second split call is N activations alone.
#
#   bench/jobs.sh                   # RUNS=5, N=1000, ADMINS=1
#   ADMINS=0 SKIP_BUILD=1 bench/jobs.sh
#   RUNS=3 N=500 SKIP_BUILD=1 bench/jobs.sh
#
# Builds the release binary unless SKIP_BUILD=1 (CARGO_TARGET_DIR honoured). Before each timed
# run it waits (up to QUIET_WAIT seconds, default 600) for no rustc, cargo or chromium to be
# running. Raw output in bench/out/jobs/admins-$ADMINS/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

RUNS=${RUNS:-5}
N=${N:-1000}
ADMINS=${ADMINS:-1}
QUIET_WAIT=${QUIET_WAIT:-600}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=bench/out/jobs/admins-$ADMINS
mkdir -p "$OUT"

# The clock: a Monday morning in Brussels; subscriptions start the 30 following days.
T=2027-01-04T09:00:00+01:00
FIRST_DAY=2027-01-05
SOON=2027-01-04T09:01:00+01:00
LATER=2027-02-04T09:00:00+01:00
TOKEN=bench-admin-token

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p pacta --bin pacta
fi
PACTA=$TARGET/release/pacta
[ -x "$PACTA" ] || { echo "missing $PACTA" >&2; exit 1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pacta-jobs-bench.XXXXXX")
SERVER=""
cleanup() {
  stop_server
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

# start_server NAME: a fresh SQLite database and `serve --demo --test-clock T`; sets BASE.
start_server() {
  rm -f "$SCRATCH/$1.db"*
  local port
  port=$(free_port)
  BASE=http://127.0.0.1:$port
  PACTA_DATABASE_URL="sqlite://$SCRATCH/$1.db?mode=rwc" PACTA_ADMIN_TOKEN=$TOKEN RUST_LOG=warn \
    "$PACTA" serve --demo --test-clock "$T" --listen "127.0.0.1:$port" >"$OUT/server-$1.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && break
    sleep 0.1
  done
  curl -fsS -o /dev/null "$BASE/readyz"
}

# wait_quiet: until no rustc (another session's build) nor chromium (browser tests) runs, at
# most QUIET_WAIT seconds.

# tick NOW FILE: moves the clock to NOW; prints "seconds jobs" and keeps the answer in FILE.
tick() {
  local took
  took=$(curl -sS -o "$2" -w '%{http_code} %{time_total}' -X POST \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    --data "{\"now\": \"$1\"}" "$BASE/api/v1/test/clock")
  [ "${took%% *}" = 200 ] || { echo "POST /api/v1/test/clock: ${took%% *}: $(head -c 500 "$2")" >&2; exit 1; }
  echo "${took#* } $(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["fired"]))' "$2")"
}

# kinds FILE: the fired jobs by kind.
kinds() {
  python3 -c '
import collections, json, sys
c = collections.Counter(f["kind"] for f in json.load(open(sys.argv[1]))["fired"])
print(", ".join(f"{k} {v}" for k, v in sorted(c.items())))' "$1"
}

echo "== $N subscriptions, $ADMINS partner admin(s) per partner; clock $T → $LATER ($RUNS fresh runs per way)"
rows=()
for i in $(seq 1 "$RUNS"); do
  for way in all split; do
    start_server "$way-$i"
    python3 bench/subscribe.py "$BASE" "$TOKEN" jobs "$N" "$FIRST_DAY" "$ADMINS" >"$OUT/setup-$way-$i.json"
    wait_quiet
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$way" = all ]; then
      read -r secs fired <<<"$(tick "$LATER" "$OUT/fired-all-$i.json")"
      printf 'run %s all:   %5s jobs in %.3f s (%s) | load %s\n' "$i" "$fired" "$secs" "$(kinds "$OUT/fired-all-$i.json")" "$load"
      rows+=("all $secs $fired")
    else
      read -r secs1 fired1 <<<"$(tick "$SOON" "$OUT/fired-soon-$i.json")"
      read -r secs2 fired2 <<<"$(tick "$LATER" "$OUT/fired-later-$i.json")"
      printf 'run %s split: %5s jobs in %.3f s (%s) | then %5s jobs in %.3f s (%s) | load %s\n' \
        "$i" "$fired1" "$secs1" "$(kinds "$OUT/fired-soon-$i.json")" "$fired2" "$secs2" "$(kinds "$OUT/fired-later-$i.json")" "$load"
      rows+=("mails $secs1 $fired1" "activations $secs2 $fired2")
    fi
    stop_server
  done
done | tee "$OUT/runs.txt"

python3 - "$OUT/runs.txt" <<'PY' | tee "$OUT/summary.txt"
import re, statistics, sys
runs = {"all": [], "mails": [], "activations": []}
for line in open(sys.argv[1]):
    m = re.match(r"run \d+ all:\s+(\d+) jobs in ([\d.]+) s", line)
    if m:
        runs["all"].append((int(m[1]), float(m[2])))
    m = re.match(r"run \d+ split:\s+(\d+) jobs in ([\d.]+) s .*then\s+(\d+) jobs in ([\d.]+) s", line)
    if m:
        runs["mails"].append((int(m[1]), float(m[2])))
        runs["activations"].append((int(m[3]), float(m[4])))
label = {
    "all": "one call, every job",
    "mails": "split, the mails due at T (outbox.send)",
    "activations": "split, activations + the mails they queue",
}
worst = 0.0
for key, rows in runs.items():
    if not rows:
        continue
    jobs = statistics.median(r[0] for r in rows)
    secs = statistics.median(r[1] for r in rows)
    per_1000 = statistics.median(r[1] / r[0] * 1000 for r in rows)
    worst = max(worst, per_1000)
    print(f"{label[key]:45s}: {jobs:.0f} jobs, median {secs:.3f} s of {len(rows)} runs "
          f"({', '.join(f'{r[1]:.3f}' for r in rows)}) → {per_1000:.3f} s per 1,000 jobs")
print(f"budget: 1,000 due jobs under 1 s on SQLite: {'met' if worst < 1 else 'NOT met'} (worst median {worst:.3f} s per 1,000)")
PY
echo "($(date -u +%Y-%m-%dT%H:%MZ), nproc $(nproc), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); raw output in $OUT/)"
