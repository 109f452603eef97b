#!/usr/bin/env python3
"""Seeds a year of monitor history and the subscriptions of issue 14's dashboard budgets
straight into a stopped Pacta's database (SQLite file or PostgreSQL URL), for
bench/dashboard.sh. The issue allows seeding roll-ups and outages directly.

  seed-dashboard.py sqlite PATH      NOW [options]
  seed-dashboard.py postgres URL     NOW [options]

NOW is the server's test clock (RFC 3339). The database must hold the catalogue and one
`bench-…` monitor per service (counting for availability, 30 s interval, N = 3, M = 2,
stale_after 60 s: what bench/dashboard.sh imports), none of which has a history yet, and the
demo's partners (`serve --demo` once).

What it writes, mirroring what the ingest and the API leave:

* per `bench-…` monitor, a history from FROM (the 1st, 00:00 Europe/Brussels, of the month
  twelve months before NOW's) to the last 30 s grid point at or before NOW, as if a result had
  come every 30 s and the raw results had been purged (what `Db::seed_monitor_history` and
  `seed_monitor_rollups` write for the demo): `monitor_outages` (failure runs of 3 or more
  results; start = first failure, down_at = third, end = first success, recovered_at = second),
  `monitor_gaps` (from the origin to the first result, and around each span in which the prober
  was away — shared by all monitors, about one a month — from the last result's cover to the next
  result), `monitor_tracks` (the rule's state after the last result, covered until 60 s after
  it; raw_from = the last result) and its `monitor_checkpoints` row, and `monitor_rollups`:
  hours over the whole history, local days (Europe/Brussels; 23- and 25-hour days) over the
  whole history, minutes over the last MINUTE_DAYS days (default 31). Failure runs: about
  RATE a week (default 1.5) per monitor, times a per-monitor factor (0.25–3: some services are
  solid, some flaky); 15 % of them one or two failures (a flap: no outage), 73 % 3–30 results
  (1.5–15 min), 10 % 30 min–2 h, 2 % 2–6 h. OPEN monitors (default 2) are down now: a failure run
  from 25 min before NOW that has not ended (an open outage). Deterministic for a given SEED.
* DEMO-NL (PARTNER) subscribed to each of the SERVICES services (one subscription each, the
  service's first pack), active since FROM: `subscriptions` + three `subscription_events`
  (requested 14 days before, approved 10 days before, activated at the start's midnight), as the
  demo's own subscriptions are written.
* PARTNERS new partners BENCH-0001… (the doc of DEMO-SMALL with its code and name changed), each
  with PER_PARTNER active subscriptions to services i, i+5, i+10, … (mod SERVICES), started on a
  day between FROM and FROM + 180 days: the staff overview's population.

Prints one JSON line: what was written and how long it took.

  seed-dashboard.py check sqlite|postgres PATH|URL DASHBOARD.json

checks a `GET /api/v1/dashboard` answer against the rows seeded: every service's 90 days and
its month so far, downtime and unmonitored seconds as the `outages` rule answers a window from
the stored history (an outage counts in [a, b) only once its third failure came before b, and
until b unless its second success came before b; no maintenance or incident on these
services), and prints a summary as JSON (exit 1 on a mismatch).
"""

import argparse
import csv
import datetime
import io
import json
import random
import sqlite3
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
ORIGIN = -2_209_075_200
INTERVAL = 30
STALE = 60
N_FAIL = 3
M_OK = 2
DAY = 86_400
HOUR = 3_600
MINUTE = 60


# --- the two stores ---------------------------------------------------------------------------


class Sqlite:
    def __init__(self, path):
        self.c = sqlite3.connect(path)

    def rows(self, sql):
        return self.c.execute(sql).fetchall()

    def load(self, table, cols, rows):
        marks = ", ".join("?" for _ in cols.split(","))
        self.c.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)

    def finish(self):
        self.c.commit()
        self.c.execute("ANALYZE")
        self.c.commit()
        self.c.close()


class Postgres:
    SEP = "\x1f"

    def __init__(self, url):
        self.url = url

    def rows(self, sql):
        out = subprocess.run(
            ["psql", self.url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-F", self.SEP, "-c", sql],
            check=True, capture_output=True, text=True,
        ).stdout
        return [tuple(line.split(self.SEP)) for line in out.splitlines() if line]

    def load(self, table, cols, rows):
        p = subprocess.Popen(
            ["psql", self.url, "-Xq", "-v", "ON_ERROR_STOP=1", "-c",
             f"\\copy {table} ({cols}) FROM STDIN WITH (FORMAT csv)"],
            stdin=subprocess.PIPE, text=True,
        )
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        n = 0
        for r in rows:
            # None is an empty unquoted field: NULL in PostgreSQL's CSV.
            w.writerow(["" if v is None else v for v in r])
            n += 1
            if n % 50_000 == 0:
                p.stdin.write(buf.getvalue())
                buf.seek(0)
                buf.truncate()
        p.stdin.write(buf.getvalue())
        p.stdin.close()
        if p.wait() != 0:
            raise SystemExit(f"\\copy {table} failed")

    def finish(self):
        subprocess.run(["psql", self.url, "-Xq", "-c", "VACUUM ANALYZE"], check=True)


# --- time -----------------------------------------------------------------------------------


def parse_instant(s):
    return int(datetime.datetime.fromisoformat(s).timestamp())


def local_midnight(d):
    return int(datetime.datetime(d.year, d.month, d.day, tzinfo=BRUSSELS).timestamp())


def local_date(t):
    return datetime.datetime.fromtimestamp(t, BRUSSELS).date()


def ceil_grid(t):
    return -((-t) // INTERVAL) * INTERVAL


def grid_count(a, b):
    """Grid points (multiples of INTERVAL) in [a, b)."""
    return max(0, ceil_grid(b) // INTERVAL - ceil_grid(a) // INTERVAL)


class Uuid7:
    """UUIDv7 strings as the store makes them: the stamp's milliseconds first, so ids made in
    time order sort in that order (a counter within one millisecond)."""

    def __init__(self, rng):
        self.rng = rng
        self.last = (-1, 0)

    def at(self, seconds):
        ms = seconds * 1000
        counter = self.last[1] + 1 if ms == self.last[0] else self.rng.getrandbits(8)
        self.last = (ms, counter)
        value = (ms & ((1 << 48) - 1)) << 80
        value |= 0x7 << 76
        value |= (counter & 0xFFF) << 64
        value |= 0b10 << 62
        value |= self.rng.getrandbits(62)
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# --- a monitor's history --------------------------------------------------------------------


def away_spans(first, last, rng):
    """About one span a month in which the prober was away (no monitor has a result): 20–90 min,
    none in the last two days."""
    spans = []
    d = local_date(first)
    while True:
        d = (d.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        start = local_midnight(d) + rng.randrange(2, 27) * DAY + rng.randrange(0, DAY // 60) * 60
        if start > last - 2 * DAY:
            return spans
        if start > first + DAY:
            spans.append((start, start + rng.randrange(20, 91) * 60))


def failure_runs(first, last, now, rng, rate, open_now, away):
    """(start, results) of each failure run, in time order; the open one (if any) last with
    results None (it lasts to the last result)."""
    factor = rng.choice([0.25, 0.5, 1, 1, 1, 1.5, 2, 3])
    p = min(1.0, rate * factor / 7)
    runs = []
    busy = [(a - 600, b + 600) for a, b in away]
    end_of_closed = last - 2 * HOUR
    day = first
    while day < end_of_closed:
        if rng.random() < p:
            u = rng.random()
            if u < 0.15:
                k = rng.randint(1, 2)
            elif u < 0.88:
                k = rng.randint(3, 30)
            elif u < 0.98:
                k = rng.randint(60, 240)
            else:
                k = rng.randint(240, 720)
            f = ceil_grid(day + rng.randrange(0, DAY))
            span = (f - 600, f + k * INTERVAL + 600)
            if span[1] < end_of_closed and not any(a < span[1] and span[0] < b for a, b in busy):
                runs.append((f, k))
                busy.append(span)
        day += DAY
    runs.sort()
    if open_now:
        runs.append((ceil_grid(now - 25 * MINUTE), None))
    return runs


def history(seq, first, last, now, runs, away):
    """Outages, gaps, the tracker's state and the number of results."""
    outages, gaps = [], [(ORIGIN, first)]
    for x, y in away:
        a = ceil_grid(x) - INTERVAL  # the last result before the span
        b = ceil_grid(y)  # the first after it
        if b > a + STALE:
            gaps.append((a + STALE, b))
    state = {"down": False, "run": 0, "run_start": ORIGIN, "outage_start": ORIGIN,
             "down_at": ORIGIN, "last_at": last, "covered_until": last + STALE}
    for f, k in runs:
        if k is None:  # down now
            state.update(down=True, run=0, run_start=f, outage_start=f, down_at=f + (N_FAIL - 1) * INTERVAL)
            outages.append((seq, f, state["down_at"], None, None))
            continue
        if k < N_FAIL:  # a flap: the run is broken by the next success
            state.update(run=0, run_start=f)
            continue
        end = f + k * INTERVAL
        outages.append((seq, f, f + (N_FAIL - 1) * INTERVAL, end, end + (M_OK - 1) * INTERVAL))
        state.update(run=0, run_start=end, outage_start=f, down_at=f + (N_FAIL - 1) * INTERVAL)
    results = grid_count(first, last + 1) - sum(grid_count(a, b) for a, b in away)
    return outages, gaps, state, results


def per_bucket(spans, size, offset=0):
    """Grid points of [a, b) spans per bucket of `size` seconds."""
    out = {}
    for a, b in spans:
        t = ceil_grid(a)
        while t < b:
            bucket = t - (t - offset) % size
            out[bucket] = out.get(bucket, 0) + 1
            t += INTERVAL
    return out


def rollups(seq, first, last, runs, away, minute_from, rng, base):
    """(monitor_seq, grain, bucket, checks, ok, latency_count, latency_sum, latency_max) rows:
    minutes from `minute_from`, hours and local days over the whole history."""
    failing = [(f, f + (k if k is not None else 10**9) * INTERVAL) for f, k in runs]
    failing = [(a, min(b, last + 1)) for a, b in failing]
    fail_min, fail_hour = per_bucket(failing, MINUTE), per_bucket(failing, HOUR)
    away_min, away_hour = per_bucket(away, MINUTE), per_bucket(away, HOUR)
    rows = []
    hours = {}
    # Minutes: each result's latency drawn; the hours of that stretch add their minutes up.
    t = minute_from - minute_from % MINUTE
    while t <= last:
        checks = grid_count(max(t, first), min(t + MINUTE, last + 1)) - away_min.get(t, 0)
        if checks > 0:
            ok = checks - fail_min.get(t, 0)
            lat = [base + rng.randrange(0, 120) for _ in range(ok)]
            mx = max(lat) if lat else None
            rows.append((seq, 1, t, checks, ok, ok, sum(lat), mx))
            h = hours.setdefault(t - t % HOUR, [0, 0, 0, None])
            h[0] += checks
            h[1] += ok
            h[2] += sum(lat)
            if mx is not None:
                h[3] = mx if h[3] is None else max(h[3], mx)
        t += MINUTE
    # Hours before that: a daily rhythm and some noise around the monitor's base latency.
    t = first - first % HOUR
    while t <= last:
        if t not in hours:
            checks = grid_count(max(t, first), min(t + HOUR, last + 1)) - away_hour.get(t, 0)
            if checks > 0:
                ok = checks - fail_hour.get(t, 0)
                local_hour = datetime.datetime.fromtimestamp(t, BRUSSELS).hour
                mean = base + 40 + (30 if 8 <= local_hour < 18 else 0) + rng.randrange(0, 25)
                hours[t] = [checks, ok, ok * mean, (mean + 60 + rng.randrange(0, 200)) if ok else None]
        t += HOUR
    days = {}
    midnight_of = {}
    for t in sorted(hours):
        checks, ok, lsum, mx = hours[t]
        rows.append((seq, 2, t, checks, ok, ok, lsum, mx))
        d = local_date(t)
        if d not in midnight_of:
            midnight_of[d] = local_midnight(d)
        day = days.setdefault(midnight_of[d], [0, 0, 0, None])
        day[0] += checks
        day[1] += ok
        day[2] += lsum
        if mx is not None:
            day[3] = mx if day[3] is None else max(day[3], mx)
    for b in sorted(days):
        checks, ok, lsum, mx = days[b]
        rows.append((seq, 3, b, checks, ok, ok, lsum, mx))
    return rows


# --- main -----------------------------------------------------------------------------------


def rule_window(outages, gaps, a, b):
    """Downtime and unmonitored seconds of [a, b) from a stored history (pacta_core's
    sla::history::window: the outages it lists, the gaps clipped)."""
    down = 0
    for start, down_at, end, recovered in outages:
        if down_at >= b:
            continue
        if end is not None and recovered < b:
            if end > a:
                down += end - max(start, a)
        else:
            down += b - max(start, a)
    unmonitored = sum(max(0, min(e, b) - max(s, a)) for s, e in gaps)
    return down, unmonitored


def check(backend, where, path):
    d = json.load(open(path))
    db = Sqlite(where) if backend == "sqlite" else Postgres(where)
    now = parse_instant(d["at"])
    opt = lambda v: None if v in (None, "") else int(v)
    mismatches, days, below, with_unmonitored, clipped = [], 0, 0, 0, 0
    statuses = {}
    for s in d["services"]:
        statuses[s["status"]] = statuses.get(s["status"], 0) + 1
        (seq,) = db.rows(f"SELECT seq FROM monitors WHERE code = '{s['monitors'][0]['code']}'")[0]
        outages = [tuple(opt(v) for v in r) for r in db.rows(
            f"SELECT start_at, down_at, end_at, recovered_at FROM monitor_outages WHERE monitor_seq = {seq}")]
        gaps = [tuple(int(v) for v in r) for r in db.rows(
            f"SELECT start_at, end_at FROM monitor_gaps WHERE monitor_seq = {seq}")]
        windows = []
        for day in s["days"]:
            dt = datetime.date.fromisoformat(day["date"])
            a, b = local_midnight(dt), min(now, local_midnight(dt + datetime.timedelta(days=1)))
            windows.append((day["date"], a, b, day))
            days += 1
            below += day["availability_percent"] is not None and day["availability_percent"] < 100
            with_unmonitored += day["unmonitored_seconds"] > 0
            # Where the rule's window differs from a plain cut of the stored outages at the day's
            # bounds: a failure run across midnight whose third failure came after it (its seconds
            # before midnight are in neither day), or a day ending between an outage's first and
            # second success.
            naive = sum(max(0, min(e if e is not None else now, b) - max(st, a)) for st, _, e, _ in outages)
            clipped += naive != rule_window(outages, gaps, a, b)[0]
        m = s["month"]
        windows.append((m["month"], parse_instant(m["from"]), parse_instant(m["to"]), m))
        for name, a, b, fig in windows:
            down, unmonitored = rule_window(outages, gaps, a, b)
            if (fig["downtime_seconds"], fig["unmonitored_seconds"]) != (down, unmonitored):
                mismatches.append({"service": s["service"], "window": name,
                                   "answered": [fig["downtime_seconds"], fig["unmonitored_seconds"]],
                                   "expected": [down, unmonitored]})
    out = {"services": len(d["services"]),
           "days_each": sorted({len(s["days"]) for s in d["services"]}),
           "days": days, "days_below_100": below, "days_with_unmonitored": with_unmonitored,
           "days_where_the_rule_differs_from_a_plain_cut": clipped,
           "statuses": statuses,
           "months_met": sum(1 for s in d["services"] if s["month"]["met"]),
           "month_availability_min_median_max": [
               min(x := sorted(s["month"]["availability_percent"] for s in d["services"])),
               x[len(x) // 2], max(x)],
           "mismatches": len(mismatches), "first_mismatches": mismatches[:5]}
    print(json.dumps(out))
    return 1 if mismatches else 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "check":
        return check(*sys.argv[2:5])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("backend", choices=["sqlite", "postgres"])
    ap.add_argument("where", help="SQLite file or PostgreSQL URL")
    ap.add_argument("now", help="the server's test clock (RFC 3339)")
    ap.add_argument("--partner", default="DEMO-NL")
    ap.add_argument("--services", type=int, default=50)
    ap.add_argument("--partners", type=int, default=500)
    ap.add_argument("--per-partner", type=int, default=10)
    ap.add_argument("--minute-days", type=int, default=31)
    ap.add_argument("--rate", type=float, default=1.5, help="failure runs a week per monitor")
    ap.add_argument("--open", type=int, default=2, help="monitors down now")
    ap.add_argument("--seed", default="issue-14")
    a = ap.parse_args()
    started = time.monotonic()
    db = Sqlite(a.where) if a.backend == "sqlite" else Postgres(a.where)
    now = parse_instant(a.now)
    today = local_date(now)
    first_of_month = today.replace(day=1)
    y, m = first_of_month.year, first_of_month.month - 12
    while m < 1:
        y, m = y - 1, m + 12
    start_date = datetime.date(y, m, 1)
    frm = local_midnight(start_date)
    first, last = ceil_grid(frm), (now // INTERVAL) * INTERVAL
    rng = random.Random(a.seed)
    ids = Uuid7(random.Random(a.seed + "-ids"))

    monitors = [(int(s), c, svc) for s, c, svc in db.rows(
        "SELECT seq, code, service FROM monitors WHERE code LIKE 'bench-%' ORDER BY service")]
    if len(monitors) < a.services:
        raise SystemExit(f"{len(monitors)} bench monitors, {a.services} wanted")
    monitors = monitors[: a.services]
    services = [svc for _, _, svc in monitors]
    versions = {}
    for code, version, doc in db.rows(
        "SELECT v.code, v.version, v.doc FROM service_versions v WHERE v.version = "
        "(SELECT MAX(version) FROM service_versions w WHERE w.code = v.code)"
    ):
        versions[code] = (int(version), json.loads(doc)["packs"][0]["code"])
    missing = [s for s in services if s not in versions]
    if missing:
        raise SystemExit(f"no published version of {missing[:5]}")
    taken = [r[0] for r in db.rows(
        "SELECT monitor_seq FROM monitor_tracks UNION SELECT monitor_seq FROM monitor_rollups")]
    if any(int(s) in {seq for seq, _, _ in monitors} for s in taken):
        raise SystemExit("a bench monitor has a history already: seed a fresh database")

    # History and roll-ups.
    away = away_spans(first, last, random.Random(a.seed + "-away"))
    minute_from = max(first, now - a.minute_days * DAY)
    totals = {"outages": 0, "open_outages": 0, "gaps": 0, "rollups": 0, "results_stood_for": 0}
    open_idx = set(range(3, 3 + 7 * a.open, 7))
    outage_rows, gap_rows, track_rows, checkpoint_rows = [], [], [], []
    rollup_rows = []
    for i, (seq, code, _) in enumerate(monitors):
        mrng = random.Random(f"{a.seed}-{code}")
        runs = failure_runs(first, last, now, mrng, a.rate, i in open_idx, away)
        outages, gaps, state, results = history(seq, first, last, now, runs, away)
        outage_rows += outages
        gap_rows += [(seq, s, e) for s, e in gaps]
        doc = json.dumps(state, separators=(",", ":"))
        track_rows.append((seq, doc, state["last_at"], state["covered_until"], results, state["last_at"]))
        checkpoint_rows.append((seq, state["last_at"], doc))
        rollup_rows += rollups(seq, first, last, runs, away, minute_from, mrng, 40 + 10 * (i % 7))
        totals["outages"] += len(outages)
        totals["open_outages"] += sum(1 for o in outages if o[3] is None)
        totals["gaps"] += len(gaps)
        totals["results_stood_for"] += results
    totals["rollups"] = len(rollup_rows)
    totals["rollups_by_grain"] = {g: sum(1 for r in rollup_rows if r[1] == n)
                                  for g, n in (("minute", 1), ("hour", 2), ("day", 3))}
    db.load("monitor_outages", "monitor_seq, start_at, down_at, end_at, recovered_at", outage_rows)
    db.load("monitor_gaps", "monitor_seq, start_at, end_at", gap_rows)
    db.load("monitor_tracks", "monitor_seq, state, last_at, covered_until, results, raw_from", track_rows)
    db.load("monitor_checkpoints", "monitor_seq, at, state", checkpoint_rows)
    db.load("monitor_rollups",
            "monitor_seq, grain, bucket, checks, ok, latency_count, latency_sum, latency_max", rollup_rows)
    del rollup_rows

    # Subscriptions.
    subs, events = [], []

    def subscribe(partner, service, start, quantity):
        version, pack = versions[service]
        active_at = local_midnight(start)
        requested, approved = active_at - 14 * DAY, active_at - 10 * DAY
        sid = ids.at(requested)
        requester = f"partner-admin@{partner.lower()}.example"
        subs.append((sid, partner, service, version, pack, None, "[]", quantity, start.isoformat(),
                     None, "active", requester, 3, requested, active_at))
        manager = "service-manager@provider.example"
        events.append((ids.at(requested), sid, requested, requester, "request", None, "requested", None, None, None))
        events.append((ids.at(approved), sid, approved, manager, "approve", "requested", "approved", None, None, None))
        events.append((ids.at(active_at), sid, active_at, "pacta", "activate", "approved", "active", None, None, None))

    for svc in services:
        subscribe(a.partner, svc, start_date, 25)
    (small_doc,) = db.rows("SELECT doc FROM partners WHERE code = 'DEMO-SMALL'")[0]
    partner_rows = []
    for p in range(1, a.partners + 1):
        code = f"BENCH-{p:04d}"
        doc = json.loads(small_doc)
        doc["code"] = code
        doc["name"] = {lang: f"Bench partner {p}" for lang in ("nl", "fr", "de", "en")}
        partner_rows.append((code, json.dumps(doc, ensure_ascii=False), 1, frm))
        for j in range(a.per_partner):
            svc = services[(p + 5 * j) % len(services)]
            subscribe(code, svc, start_date + datetime.timedelta(days=rng.randrange(0, 181)), 10)
    db.load("partners", "code, doc, revision, updated_at", partner_rows)
    db.load("subscriptions",
            "id, partner_code, service, service_version, pack, level, options, quantity, start_date, "
            "end_date, state, requested_by, revision, created_at, updated_at", subs)
    db.load("subscription_events",
            "id, subscription_id, at, actor, action, from_state, to_state, reason, from_version, "
            "to_version", events)
    db.finish()
    print(json.dumps({
        "now": a.now, "history_from": start_date.isoformat(), "monitors": len(monitors),
        "away_spans": len(away), **totals, "partner": a.partner, "partner_subscriptions": a.services,
        "bench_partners": a.partners, "bench_subscriptions": a.partners * a.per_partner,
        "seconds": round(time.monotonic() - started, 1),
    }))


if __name__ == "__main__":
    sys.exit(main())
