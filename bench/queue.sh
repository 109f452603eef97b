#!/usr/bin/env bash
# The agents' queue budget (issue 13): the first page of 50 of `GET /api/v1/queue`, with 100,000
# open tickets, any filter, under 50 ms — on SQLite and on PostgreSQL.
#
#   setup  `serve --demo` once on a fresh database (the demo's partners and subscriptions), then
#          N tickets (default 100,000) written straight into `tickets` over the demo's active
#          subscriptions: priorities P1–P4 in turn, statuses new / assigned / in_progress /
#          waiting_partner (one in five with no running clock), next-breach instants spread over
#          four months; then the server again.
#   timed  curl's time_total of each query, RUNS times (default 30) after 3 warm-ups; the median.
#
#   bench/queue.sh                  # SQLite, then PostgreSQL if PG_URL answers
#   SKIP_BUILD=1 N=100000 RUNS=30 PG_URL=postgres://postgres@127.0.0.1:5432 bench/queue.sh
#
# Raw output in bench/out/queue/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

N=${N:-100000}
RUNS=${RUNS:-30}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=bench/out/queue
TOKEN=bench-admin-token
mkdir -p "$OUT"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p pacta --bin pacta
fi
PACTA=$TARGET/release/pacta
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pacta-queue-bench.XXXXXX")
SERVER=""
trap 'stop_server; rm -rf "$SCRATCH"' EXIT

# start_server URL NAME: `serve --demo` on URL; sets BASE.
start_server() {
  local port
  port=$(free_port)
  BASE=http://127.0.0.1:$port
  PACTA_DATABASE_URL="$1" PACTA_ADMIN_TOKEN=$TOKEN RUST_LOG=warn \
    "$PACTA" serve --demo --no-probes --listen "127.0.0.1:$port" >"$OUT/server-$2.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not start (see $OUT/server-$2.log)" >&2
  exit 1
}

# The rows, as SQL shared by both stores (a numbers table `n(i)` is given by each).
rows_sql() {
  cat <<SQL
SELECT 'T-2030-' || substr('000000' || n.i, -6, 6), s.partner_code, s.id, s.service, 'incident',
  'medium', 'medium', 'P' || (1 + n.i % 4), false,
  CASE n.i % 5 WHEN 0 THEN 'waiting_partner' WHEN 1 THEN 'in_progress' WHEN 2 THEN 'assigned'
    ELSE 'new' END,
  'Bench ' || n.i, 'bench', 'bench', 1790000000 + n.i, 1, '{}',
  CASE n.i % 5 WHEN 0 THEN 9223372036854775807 ELSE 1790000000 + (n.i * 7919) % 10000000 END,
  1790000000
FROM n JOIN (SELECT id, partner_code, service,
                    row_number() OVER (ORDER BY id) - 1 AS k FROM subscriptions
             WHERE state = 'active') s
  ON s.k = n.i % (SELECT count(*) FROM subscriptions WHERE state = 'active')
SQL
}
COLUMNS="ref, partner_code, subscription_id, service, kind, impact, urgency, priority,
  major_incident, status, title, opened_by, requester, created_at, revision, clocks, queue_at,
  updated_at"

QUERIES=(
  "/api/v1/queue?limit=50"
  "/api/v1/queue?limit=50&priority=P2"
  "/api/v1/queue?limit=50&status=waiting_partner"
  "/api/v1/queue?limit=50&partner=DEMO-NL"
  "/api/v1/queue?limit=50&service=MAIL-AGENDA&priority=P1"
)

measure() { # store
  for q in "${QUERIES[@]}"; do
    for _ in 1 2 3; do curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE$q"; done
    for _ in $(seq 1 "$RUNS"); do
      curl -fsS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$BASE$q"
    done | sort -n | awk -v q="$q" -v s="$1" '{a[NR]=$1} END {printf "%s\t%s\tmedian %.1f ms\tmin %.1f ms\tmax %.1f ms\n", s, q, a[int((NR+1)/2)]*1000, a[1]*1000, a[NR]*1000}'
  done | tee -a "$OUT/results.txt"
}

: >"$OUT/results.txt"
echo "# $(date -u +%FT%TZ) nproc=$(nproc) mem=$(free -g | awk '/Mem:/ {print $2}')GiB N=$N RUNS=$RUNS" | tee -a "$OUT/results.txt"

# SQLite.
URL="sqlite://$SCRATCH/queue.db?mode=rwc"
start_server "$URL" sqlite-setup
stop_server
sqlite3 "$SCRATCH/queue.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N) INSERT INTO tickets ($COLUMNS) $(rows_sql); ANALYZE;"
start_server "$URL" sqlite
measure sqlite
stop_server

# PostgreSQL, when it answers.
if psql "$PG_URL/postgres" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  DB=pacta_bench_queue
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
  start_server "$PG_URL/$DB" pg-setup
  stop_server
  psql "$PG_URL/$DB" -qc "WITH n(i) AS (SELECT generate_series(1, $N)) INSERT INTO tickets ($COLUMNS) $(rows_sql | sed 's/substr(.000000. || n.i, -6, 6)/lpad(n.i::text, 6, '"'"'0'"'"')/')" -c "ANALYZE" >/dev/null
  start_server "$PG_URL/$DB" pg
  measure postgres
  stop_server
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null
fi
