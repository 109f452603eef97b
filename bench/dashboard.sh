#!/usr/bin/env bash
# Issue 14's budgets (the partner dashboard), on SQLite and on PostgreSQL:
#
#   1. the dashboard of a partner with 50 subscribed services and a year of history (roll-ups
#      and outages seeded directly): under 50 ms server time — `GET /api/v1/dashboard?partner=`
#      and the page `/{lang}/dashboard` built from the same function;
#   2. the staff overview across 500 partners × 10 subscriptions: under 200 ms —
#      `GET /api/v1/dashboard/overview` (and the page `/{lang}/admin/overview`);
#   3. the first load of the dashboard page: under 100 KB gzip (HTML + the CSS and scripts it
#      references), no request outside Pacta.
#
#   setup  per backend, on a fresh database (a new SQLite file; a new PostgreSQL database
#          pacta_bench_dashboard, dropped after): a generated catalogue of SERVICES services
#          (bench/gen-catalogue.py, default 50: GEN-0001…) and one HTTP monitor per service
#          (`bench-gen-NNNN`, 30 s), both imported with the CLI; `serve --demo` once (the demo's
#          partners and users; its own catalogue, monitors and subscriptions are skipped, the
#          catalogue not being empty); then, server stopped, bench/seed-dashboard.py writes
#          straight into the tables: a year of history per monitor (from the 1st of the month
#          twelve months before NOW: outages about 1.5 a week times a per-monitor factor, a
#          prober absence about once a month, hour and local-day roll-ups over the year, minute
#          roll-ups over the last 31 days; two monitors down now), DEMO-NL subscribed to the
#          SERVICES services since the history's start, and PARTNERS new partners with
#          PER_PARTNER active subscriptions each (default 500 × 10). The server then runs with
#          `--test-clock NOW` (default 2026-11-20T10:00:00+01:00; "now" stands still and no job
#          runs) and `--no-probes`.
#   check  the dashboard answer against the seeded rows (bench/seed-dashboard.py check: each
#          service's 90 days and month so far, downtime and unmonitored seconds as the rule
#          answers them) and the overview (every active subscription listed, least budget left
#          first, the same figures for every subscriber of a service, the partner's rows equal to
#          its dashboard's months); a mismatch stops the run.
#   timed  curl's time_starttransfer (request sent → first byte: the server's time plus
#          loopback; the answer is built whole before it is sent), RUNS times (default 30) after
#          3 warm-ups, one at a time; the median (and the median time_total), with the 1-minute
#          load average before each series:
#            api-dashboard      GET /api/v1/dashboard?partner=DEMO-NL (bootstrap admin token)
#            api-dashboard-10   the same for BENCH-0001 (10 subscriptions): the cost per service
#            page-dashboard     /en/dashboard as partner-admin@demo-nl.example (session cookie
#                               through the login page; a partner admin also gets each
#                               subscription's badge address)
#            page-dashboard-gzip  the same with Accept-Encoding: gzip, as a browser asks it
#                               (the first byte waits for the first compressed chunk; see also
#                               the total time)
#            page-viewer        /en/dashboard as viewer@demo-nl.example (no badge)
#            api-overview       GET /api/v1/dashboard/overview (bootstrap admin token)
#            page-overview      /en/admin/overview as admin@provider.example (its first page:
#                               the 100 rows with the least budget left, all computed)
#            floor              GET /api/v1/me (token): loopback HTTP and authentication
#   size   the dashboard page as the partner admin with Accept-Encoding: gzip, then every
#          stylesheet, script, image or frame it references (and what the CSS references), each
#          gzip (as sent when the server compresses it); every absolute URL found in the page,
#          requested or only linked, is listed: `requests_outside_pacta` must be empty. Also the
#          overview page's size, plain and gzip.
#   profile (PROFILE=1, default) where the time goes: the CPU per request of the server's
#          threads (tokio workers, SQLite's worker threads) and of every `postgres` process, from
#          /proc over 20 requests of each kind; then the server again with
#          RUST_LOG=sqlx::query=debug: the statements of one request of each kind (count, time
#          inside them).
#
#   bench/dashboard.sh                               # both backends, RUNS=30
#   SKIP_BUILD=1 BACKENDS=sqlite RUNS=15 bench/dashboard.sh
#
# Builds the release binary unless SKIP_BUILD=1 (CARGO_TARGET_DIR honoured) and copies it to a
# scratch directory, so that another build cannot swap it mid-run. Before each timed series it
# waits (up to QUIET_WAIT seconds, default 600) for no rustc, cargo or chromium to be running:
# the machine is shared. Raw output in bench/out/dashboard/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh

RUNS=${RUNS:-30}
SERVICES=${SERVICES:-50}
PARTNERS=${PARTNERS:-500}
PER_PARTNER=${PER_PARTNER:-10}
NOW=${NOW:-2026-11-20T10:00:00+01:00}
BACKENDS=${BACKENDS:-sqlite postgres}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PROFILE=${PROFILE:-1}
QUIET_WAIT=${QUIET_WAIT:-600}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=bench/out/dashboard
TOKEN=bench-admin-token
PARTNER=DEMO-NL
PG_DB=pacta_bench_dashboard
mkdir -p "$OUT"

scratch_binary dashboard
SERVER=""
cleanup() {
  stop_server
  if [[ " $BACKENDS " == *" postgres "* ]]; then
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
  fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

# start_server NAME [ARGS…]: `serve` on $URL; sets BASE.
start_server() {
  local name=$1 port
  shift
  port=$(free_port)
  BASE=http://127.0.0.1:$port
  PACTA_DATABASE_URL="$URL" PACTA_ADMIN_TOKEN=$TOKEN RUST_LOG=${SERVER_LOG:-warn} \
    "$PACTA" serve --no-probes --listen "127.0.0.1:$port" "$@" >"$OUT/server-$BACKEND-$name.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not start (see $OUT/server-$BACKEND-$name.log)" >&2
  exit 1
}

# timed NAME URL [CURL ARGS…]: RUNS requests after 3 warm-ups; appends a line to results.txt.
timed() {
  local name=$1 url=$2 load
  shift 2
  wait_quiet
  load=$(cut -d' ' -f1 /proc/loadavg)
  for _ in 1 2 3; do curl -fsS -o /dev/null "$@" "$url"; done
  for _ in $(seq 1 "$RUNS"); do
    curl -fsS -o /dev/null -w '%{time_starttransfer} %{time_total} %{size_download}\n' "$@" "$url"
  done >"$OUT/runs-$BACKEND-$name.txt"
  python3 - "$OUT/runs-$BACKEND-$name.txt" "$BACKEND" "$name" "$load" <<'PY' | tee -a "$OUT/results.txt"
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
ttfb = sorted(r[0] * 1000 for r in rows)
q = lambda p: ttfb[min(len(ttfb) - 1, int(p * len(ttfb)))]
total = statistics.median(r[1] * 1000 for r in rows)
print(f"{sys.argv[2]:8s} {sys.argv[3]:19s} median {statistics.median(ttfb):7.1f} ms  "
      f"min {ttfb[0]:6.1f}  p90 {q(0.9):6.1f}  max {ttfb[-1]:6.1f} ms  (total {total:6.1f} ms)  "
      f"{int(rows[0][2]):>9,} B  n={len(rows)}  load {sys.argv[4]}")
PY
}

# cookie EMAIL: a session cookie's value, through the login page.
cookie() { python3 bench/logins.py "$BASE" cookie "$1"; }

python3 bench/gen-catalogue.py "$SERVICES" >"$SCRATCH/catalogue.yaml"
python3 - "$SERVICES" >"$SCRATCH/monitors.yaml" <<'PY'
import sys
print("monitors:")
for i in range(1, int(sys.argv[1]) + 1):
    print(f"""  - code: bench-gen-{i:04d}
    name: {{en: "GEN-{i:04d} front end", nl: "GEN-{i:04d} front-end", fr: "GEN-{i:04d} frontal", de: "GEN-{i:04d} Frontend"}}
    service: GEN-{i:04d}
    kind: http
    settings:
      url: https://gen-{i:04d}.example.invalid/health
    interval: 30s
    timeout: 10s""")
PY

{
  echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo ' + uncommitted changes in crates/') nproc=$(nproc) $(awk '/MemTotal/ {print "MemTotal=" $2 "kB"}' /proc/meminfo)"
  echo "# binary built $(date -u -r "$TARGET/release/pacta" +%FT%TZ); NOW=$NOW SERVICES=$SERVICES PARTNERS=$PARTNERS PER_PARTNER=$PER_PARTNER RUNS=$RUNS"
} | tee -a "$OUT/results.txt"

for BACKEND in $BACKENDS; do
  echo "== $BACKEND: setup"
  if [ "$BACKEND" = sqlite ]; then
    WHERE=$SCRATCH/dashboard.db
    rm -f "$WHERE"*
    URL="sqlite://$WHERE?mode=rwc"
  else
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" -c "CREATE DATABASE $PG_DB" >/dev/null
    WHERE=$PG_URL/$PG_DB
    URL=$WHERE
  fi
  PACTA_DATABASE_URL=$URL "$PACTA" catalogue import "$SCRATCH/catalogue.yaml" >"$OUT/import-$BACKEND.log" 2>&1
  PACTA_DATABASE_URL=$URL "$PACTA" monitor import "$SCRATCH/monitors.yaml" >>"$OUT/import-$BACKEND.log" 2>&1
  start_server setup --demo --test-clock "$NOW"
  stop_server
  python3 bench/seed-dashboard.py "$BACKEND" "$WHERE" "$NOW" --services "$SERVICES" \
    --partners "$PARTNERS" --per-partner "$PER_PARTNER" | tee "$OUT/seed-$BACKEND.json"
  start_server bench --test-clock "$NOW"

  echo "== $BACKEND: check"
  curl -fsS -o "$SCRATCH/dashboard.json" -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/dashboard?partner=$PARTNER"
  python3 bench/seed-dashboard.py check "$BACKEND" "$WHERE" "$SCRATCH/dashboard.json" | tee "$OUT/check-$BACKEND.json"
  curl -fsS -o "$SCRATCH/overview.json" -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/dashboard/overview"
  python3 - "$SCRATCH/overview.json" "$((PARTNERS * PER_PARTNER + SERVICES))" "$SCRATCH/dashboard.json" <<'PY' | tee "$OUT/check-overview-$BACKEND.json"
import json, sys
d = json.load(open(sys.argv[1]))
board = {s["subscription"]: s["month"] for s in json.load(open(sys.argv[3]))["services"]}
items = d["items"]
out = {"items": len(items), "expected": int(sys.argv[2]),
       "partners": len({i["partner"] for i in items}),
       "attention": sum(1 for i in items if i["attention"]),
       "met": sum(1 for i in items if i["met"]),
       "first": {k: items[0][k] for k in ("partner", "service", "availability_percent", "budget_left_seconds", "burn_rate")},
       "sorted_by_budget_left": all(a["budget_left_seconds"] <= b["budget_left_seconds"] for a, b in zip(items, items[1:]))}
# Every subscription is active the whole month on its service's one monitor, on the same pack:
# the same service must have the same figures whoever subscribes.
by_service = {}
for i in items:
    by_service.setdefault(i["service"], set()).add((i["downtime_seconds"], i["unmonitored_seconds"], i["target"]))
out["services_with_differing_figures"] = sorted(s for s, f in by_service.items() if len(f) > 1)
# The partner's rows are its dashboard's months.
out["rows_unlike_the_dashboard_month"] = [
    i["subscription"] for i in items if i["subscription"] in board and (
        i["downtime_seconds"], i["allowed_downtime_seconds"], i["availability_percent"], i["met"]) != (
        board[i["subscription"]]["downtime_seconds"], board[i["subscription"]]["allowed_downtime_seconds"],
        board[i["subscription"]]["availability_percent"], board[i["subscription"]]["met"])]
print(json.dumps(out))
sys.exit(0 if out["items"] == out["expected"] and not out["services_with_differing_figures"]
         and not out["rows_unlike_the_dashboard_month"] else 1)
PY

  ADMIN_COOKIE=$(cookie "partner-admin@$(echo "$PARTNER" | tr 'A-Z' 'a-z').example")
  VIEWER_COOKIE=$(cookie "viewer@$(echo "$PARTNER" | tr 'A-Z' 'a-z').example")
  STAFF_COOKIE=$(cookie admin@provider.example)

  echo "== $BACKEND: size of the first load"
  python3 - "$BASE" "$ADMIN_COOKIE" <<'PY' | tee "$OUT/first-load-$BACKEND.json"
import gzip, html.parser, json, re, sys, urllib.parse, urllib.request
base, cookie = sys.argv[1], sys.argv[2]
def get(path):
    r = urllib.request.urlopen(urllib.request.Request(urllib.parse.urljoin(base + "/", path), headers={
        "Accept-Encoding": "gzip", "Cookie": f"pacta_session={cookie}"}))
    raw = r.read()
    enc = r.headers.get("Content-Encoding")
    body = gzip.decompress(raw) if enc == "gzip" else raw
    # What goes over the wire gzip: as sent when the server compressed it, else gzipped here.
    return body.decode("utf-8", "replace"), len(raw) if enc == "gzip" else len(gzip.compress(raw, 6)), enc, len(body)
page, page_gz, page_enc, page_len = get("/en/dashboard")
class Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.requested, self.linked = [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {"stylesheet", "icon", "preload", "modulepreload", "manifest"}:
            self.requested.append(a["href"])
        elif tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and a.get("src"):
            self.requested.append(a["src"])
        elif tag == "link" and a.get("href"):
            self.linked.append(a["href"])
        if tag == "a" and a.get("href"):
            self.linked.append(a["href"])
        for k in ("action", "hx-get", "hx-post", "srcset", "poster", "data"):
            if a.get(k):
                self.linked.append(a[k])
refs = Refs()
refs.feed(page)
assets = []
for src in dict.fromkeys(refs.requested):
    body, gz, enc, length = get(src)
    assets.append({"url": src, "bytes": length, "gzip": gz, "sent_gzip": enc == "gzip"})
    if src.endswith(".css"):
        for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", body) + re.findall(r"@import\s+['\"]([^'\"]+)", body):
            if not u.startswith("data:"):
                refs.requested.append(u)
                b2, gz2, enc2, l2 = get(urllib.parse.urljoin(src, u))
                assets.append({"url": u, "bytes": l2, "gzip": gz2, "sent_gzip": enc2 == "gzip"})
host = urllib.parse.urlsplit(base).netloc
def outside(u):
    p = urllib.parse.urlsplit(urllib.parse.urljoin(base + "/", u))
    return p.scheme in ("http", "https") and p.netloc != host
absolute = sorted({u for u in re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", page)})
total = page_gz + sum(a["gzip"] for a in assets)
print(json.dumps({
    "page_bytes": page_len, "page_gzip": page_gz, "page_sent_gzip": page_enc == "gzip",
    "assets": assets, "total_gzip": total, "total_kb": round(total / 1024, 1),
    "requests_outside_pacta": [u for u in refs.requested if outside(u)],
    "links_outside_pacta": sorted({u for u in refs.linked if outside(u)}),
    "absolute_urls_in_page": len(absolute),
    "absolute_urls_not_pacta": sorted({u for u in absolute if urllib.parse.urlsplit(u if "://" in u else "http:" + u).netloc != host})[:10],
}))
PY

  printf 'the overview page /en/admin/overview (%s subscriptions): %s bytes, %s bytes gzip\n' \
    "$((PARTNERS * PER_PARTNER + SERVICES))" \
    "$(curl -fsS -o /dev/null -w '%{size_download}' -H "Cookie: pacta_session=$STAFF_COOKIE" "$BASE/en/admin/overview")" \
    "$(curl -fsS -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' -H "Cookie: pacta_session=$STAFF_COOKIE" "$BASE/en/admin/overview")" \
    | tee "$OUT/overview-page-$BACKEND.txt"

  echo "== $BACKEND: timed ($RUNS requests each after 3 warm-ups; curl time_starttransfer)"
  H_TOKEN=(-H "Authorization: Bearer $TOKEN")
  timed api-dashboard "$BASE/api/v1/dashboard?partner=$PARTNER" "${H_TOKEN[@]}"
  timed api-dashboard-10 "$BASE/api/v1/dashboard?partner=BENCH-0001" "${H_TOKEN[@]}"
  timed page-dashboard "$BASE/en/dashboard" -H "Cookie: pacta_session=$ADMIN_COOKIE"
  timed page-dashboard-gzip "$BASE/en/dashboard" -H "Cookie: pacta_session=$ADMIN_COOKIE" -H 'Accept-Encoding: gzip'
  timed page-viewer "$BASE/en/dashboard" -H "Cookie: pacta_session=$VIEWER_COOKIE"
  timed api-overview "$BASE/api/v1/dashboard/overview" "${H_TOKEN[@]}"
  timed page-overview "$BASE/en/admin/overview" -H "Cookie: pacta_session=$STAFF_COOKIE"
  timed floor "$BASE/api/v1/me" "${H_TOKEN[@]}"

  if [ "$PROFILE" = 1 ]; then
    echo "== $BACKEND: CPU per request, by thread"
    for what in "api-dashboard|/api/v1/dashboard?partner=$PARTNER|Authorization: Bearer $TOKEN" \
                "api-dashboard-10|/api/v1/dashboard?partner=BENCH-0001|Authorization: Bearer $TOKEN" \
                "page-dashboard|/en/dashboard|Cookie: pacta_session=$ADMIN_COOKIE" \
                "api-overview|/api/v1/dashboard/overview|Authorization: Bearer $TOKEN"; do
      IFS='|' read -r name path header <<<"$what"
      wait_quiet
      python3 - "$SERVER" "$BASE" "$path" "$header" "$name" <<'PY'
import collections, http.client, os, sys, time, urllib.parse
pid, base, path, header, name = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
n = 20
tick = os.sysconf("SC_CLK_TCK")
def cpu(stat):
    f = open(stat).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
def snap():
    out = collections.Counter()
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            comm = open(f"/proc/{pid}/task/{t}/comm").read().strip()
            out["sqlite workers" if comm.startswith("sqlx-sqlite") else "tokio workers" if comm.startswith("tokio") else comm] += cpu(f"/proc/{pid}/task/{t}/stat")
        except (FileNotFoundError, ProcessLookupError):
            pass
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            if open(f"/proc/{p}/comm").read().strip() == "postgres":
                out["postgres (all)"] += cpu(f"/proc/{p}/stat")
        except (FileNotFoundError, ProcessLookupError):
            pass
    return out
u = urllib.parse.urlsplit(base)
c = http.client.HTTPConnection(u.hostname, u.port)
k, v = header.split(": ", 1)
for _ in range(3):
    c.request("GET", path, headers={k: v}); c.getresponse().read()
a, t0 = snap(), time.perf_counter()
for _ in range(n):
    c.request("GET", path, headers={k: v}); r = c.getresponse(); r.read()
    assert r.status == 200, r.status
wall = (time.perf_counter() - t0) / n * 1000
b = snap()
parts = ", ".join(f"{k} {(b[k] - a[k]) * 1000 / tick / n:.1f}" for k in sorted(b) if b[k] > a[k])
print(f"{name:17s} wall {wall:6.1f} ms per request; CPU ms per request: {parts}")
PY
    done | tee "$OUT/cpu-$BACKEND.txt"
  fi
  stop_server

  if [ "$PROFILE" = 1 ]; then
    echo "== $BACKEND: statements per request (RUST_LOG=sqlx::query=debug)"
    SERVER_LOG='warn,sqlx::query=debug' start_server profile --test-clock "$NOW"
    log=$OUT/server-$BACKEND-profile.log
    for what in "api-dashboard|$BASE/api/v1/dashboard?partner=$PARTNER|Authorization: Bearer $TOKEN" \
                "page-dashboard|$BASE/en/dashboard|Cookie: pacta_session=$ADMIN_COOKIE" \
                "page-viewer|$BASE/en/dashboard|Cookie: pacta_session=$VIEWER_COOKIE" \
                "api-overview|$BASE/api/v1/dashboard/overview|Authorization: Bearer $TOKEN"; do
      IFS='|' read -r name url header <<<"$what"
      curl -fsS -o /dev/null -H "$header" "$url" # warm
      sleep 0.5
      before=$(wc -l <"$log")
      took=$(curl -fsS -o /dev/null -w '%{time_starttransfer}' -H "$header" "$url")
      sleep 0.5
      tail -n +"$((before + 1))" "$log" | python3 -c '
import collections, re, sys
name, took = sys.argv[1], float(sys.argv[2])
count, spent = collections.Counter(), collections.Counter()
for line in sys.stdin:
    m = re.search(r"summary=\"([^\"]*)\".*elapsed_secs=([\d.e-]+)", line)
    if m:
        count[m[1]] += 1
        spent[m[1]] += float(m[2])
print(f"{name}: {sum(count.values())} statements, {sum(spent.values()) * 1000:.1f} ms inside them, "
      f"request {took * 1000:.1f} ms (with debug logging)")
for k, v in sorted(spent.items(), key=lambda kv: -kv[1])[:8]:
    print(f"   {count[k]:5d} × {k[:70]:70s} {v * 1000:7.2f} ms")' "$name" "$took"
    done | tee "$OUT/profile-$BACKEND.txt"
    stop_server
  fi
  if [ "$BACKEND" = postgres ]; then
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null
  fi
done
echo "($(date -u +%FT%TZ); raw output in $OUT/)"
