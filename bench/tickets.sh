#!/usr/bin/env bash
# Two budgets of issue 13, on PostgreSQL (release build):
#
#   recompute   every open ticket's clocks recomputed after a catalogue change: 1,000,000 open
#               tickets under 60 s. Timed: `pacta ticket recompute` (the same chunks of 1,000 the
#               `ticket.recompute` job runs: two reads and one UPDATE … FROM UNNEST per chunk).
#   escalation  the escalation pass with 1,000,000 open tickets not yet due costs at most 1.5×
#               the pass with 1,000. Timed: `POST /api/v1/test/clock` one second on (curl's
#               time_total; the server runs every due job before it answers) on
#               `serve --test-clock`, every open ticket holding a `ticket.escalate` job due
#               later — RUNS passes, the median — for N = 1,000 and N = 1,000,000.
#
#   setup  `serve --demo` once on a fresh database (the demo's partners and subscriptions), then
#          N tickets written straight into `tickets` and `ticket_events` over the demo's active
#          subscriptions, opened in the 30 days before T: P1–P4 in turn; a third `new`, a third
#          `in_progress` (one status event), a third `waiting_partner` (two); and for the
#          escalation pass one `ticket.escalate` job each, due between T + 30 days and T + 60
#          days.
#
#   bench/tickets.sh                          # N=1000000 RUNS=15, PostgreSQL at PG_URL
#   SKIP_BUILD=1 N=100000 bench/tickets.sh
#
# Raw output in bench/out/tickets/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

N=${N:-1000000}
SMALL=${SMALL:-1000}
RUNS=${RUNS:-15}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=bench/out/tickets
TOKEN=bench-admin-token
# "Now" of the escalation pass: a Tuesday morning in Brussels, in the past (the recomputation
# runs at the machine's now, after every event written).
T=2026-11-24T10:00:00+01:00
T_EPOCH=$(date -d "$T" +%s)
mkdir -p "$OUT"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p pacta --bin pacta
fi
PACTA=$TARGET/release/pacta
SERVER=""
DB=pacta_bench_tickets
trap 'stop_server; psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true' EXIT

# start_server NAME [ARGS…]: `serve --demo` on the bench database; sets BASE.
start_server() {
  local name=$1 port
  shift
  port=$(free_port)
  BASE=http://127.0.0.1:$port
  PACTA_DATABASE_URL="$PG_URL/$DB" PACTA_ADMIN_TOKEN=$TOKEN RUST_LOG=warn \
    "$PACTA" serve --demo --no-probes --listen "127.0.0.1:$port" "$@" >"$OUT/server-$name.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not start (see $OUT/server-$name.log)" >&2
  exit 1
}

# fresh COUNT: a new database with the demo and COUNT open tickets, each with its timeline and
# an escalation job due later.
fresh() {
  local count=$1
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
  start_server setup --test-clock "$T"
  stop_server
  psql "$PG_URL/$DB" -v ON_ERROR_STOP=1 -q <<SQL >/dev/null
DELETE FROM ticket_events; DELETE FROM tickets; DELETE FROM jobs WHERE kind IN ('ticket.escalate', 'oncall.page', 'ticket.recompute');
CREATE TEMP TABLE subs AS
  SELECT id, partner_code, service, row_number() OVER (ORDER BY id) - 1 AS k
  FROM subscriptions WHERE state = 'active';
CREATE TEMP TABLE n AS
  SELECT i, 'T-' || (2040 + i / 1000000) || '-' || lpad((i % 1000000)::text, 6, '0') AS ref,
         $T_EPOCH - 30 * 86400 + (i * 7919) % (30 * 86400) AS created
  FROM generate_series(1::bigint, $count) AS i;
INSERT INTO tickets (ref, partner_code, subscription_id, service, kind, impact, urgency, priority,
  major_incident, status, title, opened_by, requester, created_at, revision, clocks, queue_at,
  updated_at)
SELECT n.ref, s.partner_code, s.id, s.service, 'incident', 'medium', 'medium', 'P' || (1 + n.i % 4),
  false, CASE n.i % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'in_progress' ELSE 'waiting_partner' END,
  'Bench ' || n.i, 'bench', 'bench', n.created, 1, '{}', n.created + 86400, n.created
FROM n JOIN subs s ON s.k = n.i % (SELECT count(*) FROM subs);
INSERT INTO ticket_events (id, ticket_ref, at, kind, status, public, response, body, author, data)
SELECT 'o' || i, ref, created, 'opened', NULL, true, false, 'Bench', 'bench', NULL FROM n
UNION ALL
SELECT 'p' || i, ref, created + 3600, 'status', 'in_progress', true, false, NULL, 'bench', NULL
  FROM n WHERE i % 3 <> 0
UNION ALL
SELECT 'w' || i, ref, created + 7200, 'status', 'waiting_partner', true, true, 'Which one?', 'bench', NULL
  FROM n WHERE i % 3 = 2;
INSERT INTO jobs (id, kind, subject, due_at, next_at, attempts, created_at)
SELECT 'j' || i, 'ticket.escalate', ref, $T_EPOCH + 30 * 86400 + (i * 7919) % (30 * 86400),
       $T_EPOCH + 30 * 86400 + (i * 7919) % (30 * 86400), 0, $T_EPOCH FROM n;
ANALYZE;
SQL
}

# pass NAME: RUNS escalation passes one second apart from T; their median.
pass() {
  local name=$1 at=$T_EPOCH
  start_server "$name" --test-clock "$T"
  for _ in $(seq 1 "$RUNS"); do
    at=$((at + 1))
    curl -fsS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" \
      -H 'Content-Type: application/json' \
      --data "{\"now\": \"$(date -u -d "@$at" +%FT%TZ)\"}" "$BASE/api/v1/test/clock"
  done | sort -n | tee "$OUT/pass-$name.txt" |
    awk -v n="$name" '{a[NR]=$1} END {printf "escalation pass\t%s\tmedian %.2f ms\tmin %.2f ms\tmax %.2f ms\n", n, a[int((NR+1)/2)]*1000, a[1]*1000, a[NR]*1000}' |
    tee -a "$OUT/results.txt"
  stop_server
}

: >"$OUT/results.txt"
echo "# $(date -u +%FT%TZ) nproc=$(nproc) mem=$(free -g | awk '/Mem:/ {print $2}')GiB N=$N SMALL=$SMALL RUNS=$RUNS" | tee -a "$OUT/results.txt"

if [ "${SKIP_PASS:-0}" != 1 ]; then
  fresh "$SMALL"
  pass "n=$SMALL"
fi
fresh "$N"
[ "${SKIP_PASS:-0}" = 1 ] || pass "n=$N"
# The recomputation of the N open tickets (after the passes: they recompute nothing).
start=$(date +%s.%N)
PACTA_DATABASE_URL="$PG_URL/$DB" RUST_LOG=warn /usr/bin/time -f "pacta: %U s user, %S s sys, %e s wall" \
  "$PACTA" ticket recompute 2>&1 | tee "$OUT/recompute.txt"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$N" 'BEGIN {printf "recompute\tn=%s\t%.1f s\t%.0f tickets/s\n", n, e - s, n / (e - s)}' |
  tee -a "$OUT/results.txt"
