#!/usr/bin/env python3
"""Issue 10's ingest budget and the storage of results, on SQLite and on PostgreSQL.

Budget: "Ingest of 100,000 results in batches of 1,000: at least 50,000 results/s on SQLite and on
PostgreSQL." Each run starts the release binary, `pacta serve --demo --test-clock T` on a fresh
database (a new SQLite file, or a new PostgreSQL database on PG_URL, dropped after), creates
monitors through the API as the bootstrap admin, and then:

  single      one monitor (tcp, WEB-HOSTING); 100 POSTs of 1,000 results each to
              /api/v1/monitors/{id}/results on one keep-alive connection, in time order: results
              30 s apart (100,000 results = 34.7 days, ending an hour before T), mostly ok, with
              two failure runs per batch (6 and 4 failures: with failures_before_down 3 and
              successes_before_up 2 each opens an outage and closes it; 200 outages in all, each
              one mailed to the service's managers and followed by an error-budget check).
              Timed: the wall time of the 100 POSTs (bodies encoded before). Every answer must
              be 200 with "stored" = 1000. Then, with the server stopped, the bytes of the result
              tables (every table named monitor_… but monitor_seq, with their indexes) after the
              ingest minus before it: SQLite through dbstat, PostgreSQL through
              pg_total_relation_size. Bytes per monitor per day = that / 34.72 days.
  concurrent  four monitors, four threads each with its own keep-alive connection, 25 POSTs
              of 1,000 each (100,000 results in all); timed from the start of the first to
              the end of the last.

  bench/ingest.py                         # RUNS=5, both backends, both variants
  RUNS=3 BACKENDS=sqlite VARIANTS=single SKIP_BUILD=1 bench/ingest.py

Environment: RUNS (5), BACKENDS (sqlite,postgres), VARIANTS (single,concurrent), BATCHES (100),
BATCH (1000), PG_URL (postgres://postgres@127.0.0.1:5432), QUIET_WAIT (600: before each timed
run, wait at most that many seconds for no rustc, cargo or chromium process: the machine is shared),
QUIET_LOAD (unset; e.g. 1.0: also wait, within QUIET_WAIT, for the 1-minute load average under it),
SKIP_BUILD=1 (no `cargo build --release -p pacta --bin pacta`), CARGO_TARGET_DIR, BINARIES
(`base=PATH,new=PATH`: compare those binaries, runs interleaved in each round, nothing built), SERVER_LOG (the
server's RUST_LOG, default warn; `warn,sqlx::query=debug` logs each statement's elapsed time). The binary is
copied to a scratch directory first, so that another engineer's build cannot swap it mid-run.

Prints a line per run and, last, one JSON object: every run and the medians. Raw output (server
logs, the JSON) in bench/out/ingest/.
"""

import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out", "ingest")
TOKEN = "bench-admin-token"
# The server's clock; the results end an hour before it (in May 2026, a month the demo closes).
CLOCK = "2026-06-01T09:00:00+02:00"
INTERVAL = 30
RUNS = int(os.environ.get("RUNS", "5"))
BACKENDS = os.environ.get("BACKENDS", "sqlite,postgres").split(",")
VARIANTS = os.environ.get("VARIANTS", "single,concurrent").split(",")
BATCHES = int(os.environ.get("BATCHES", "100"))
BATCH = int(os.environ.get("BATCH", "1000"))
THREADS = 4
PG_URL = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
QUIET_WAIT = int(os.environ.get("QUIET_WAIT", "600"))
# Also wait for the 1-minute load average to drop under this (unset: not checked). Other
# sessions' test binaries run without a rustc or a cargo around them.
QUIET_LOAD = float(os.environ["QUIET_LOAD"]) if os.environ.get("QUIET_LOAD") else None
BUDGET = 50_000
# The server's RUST_LOG: `warn,sqlx::query=debug` logs every statement with its elapsed time.
SERVER_LOG = os.environ.get("SERVER_LOG", "warn")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------
# The server.


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(db, sql):
    """Runs `sql` on database `db` of PG_URL; the output, unaligned, tuples only."""
    r = subprocess.run(["psql", f"{PG_URL}/{db}", "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"psql {db}: {sql}: {r.stderr.strip()}")
    return r.stdout.strip()


class Server:
    """`pacta serve --demo --test-clock CLOCK` on a fresh database of `backend`."""

    def __init__(self, binary, scratch, backend, name):
        self.backend = backend
        self.name = name
        if backend == "sqlite":
            self.path = os.path.join(scratch, f"{name}.db")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.path + suffix):
                    os.remove(self.path + suffix)
            self.url = f"sqlite://{self.path}?mode=rwc"
        else:
            self.db = f"pacta_bench_ingest_{os.getpid()}_{name.replace('-', '_')}"
            psql("postgres", f'DROP DATABASE IF EXISTS "{self.db}"')
            psql("postgres", f'CREATE DATABASE "{self.db}"')
            self.url = f"{PG_URL}/{self.db}"
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, PACTA_DATABASE_URL=self.url, PACTA_ADMIN_TOKEN=TOKEN, RUST_LOG=SERVER_LOG)
        self.log = open(os.path.join(OUT, f"server-{backend}-{name}.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "serve", "--demo", "--test-clock", CLOCK, "--listen", f"127.0.0.1:{port}"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    c.close()
                    break
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit(f"the server did not start: see {self.log.name}")
            time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def drop(self):
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(self.path + suffix):
                    os.remove(self.path + suffix)
        else:
            psql("postgres", f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')

    def storage(self):
        """{table: bytes} of the result tables (monitor_… but monitor_seq), indexes included."""
        if self.backend == "sqlite":
            # Read-only, through the WAL if the server is still up.
            c = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                rows = c.execute(
                    "SELECT m.tbl_name, SUM(d.pgsize) FROM dbstat d JOIN sqlite_master m ON d.name = m.name "
                    "WHERE m.tbl_name LIKE 'monitor\\_%' ESCAPE '\\' AND m.tbl_name <> 'monitor_seq' "
                    "GROUP BY m.tbl_name").fetchall()
            except sqlite3.OperationalError:
                # No dbstat: the whole file (the caller subtracts a before from an after).
                pages, size = c.execute("PRAGMA page_count").fetchone()[0], c.execute("PRAGMA page_size").fetchone()[0]
                rows = [("(whole file: no dbstat)", pages * size)]
            finally:
                c.close()
            return dict(rows)
        out = psql(self.db,
                   "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' "
                   "AND relname LIKE 'monitor\\_%' AND relname <> 'monitor_seq' ORDER BY relname")
        return {r.split("|")[0]: int(r.split("|")[1]) for r in out.splitlines() if r}

    def rows(self, seqs):
        """{table: rows} of the result tables for the monitors `seqs` (by monitor_seq)."""
        tables = list(self.storage().keys())
        where = f"monitor_seq IN ({', '.join(str(s) for s in seqs)})"
        out = {}
        if self.backend == "sqlite":
            c = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                for t in tables:
                    out[t] = c.execute(f"SELECT COUNT(*) FROM {t} WHERE {where}").fetchone()[0]
                if "monitor_rollups" in tables:
                    for g, n in c.execute(f"SELECT grain, COUNT(*) FROM monitor_rollups WHERE {where} GROUP BY grain"):
                        out[f"monitor_rollups grain {g}"] = n
            finally:
                c.close()
        else:
            for t in tables:
                out[t] = int(psql(self.db, f"SELECT COUNT(*) FROM {t} WHERE {where}"))
            if "monitor_rollups" in tables:
                for r in psql(self.db, f"SELECT grain, COUNT(*) FROM monitor_rollups WHERE {where} GROUP BY grain").splitlines():
                    g, n = r.split("|")
                    out[f"monitor_rollups grain {g}"] = int(n)
        return out


class Api:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

    def call(self, method, path, body=None, expect=200):
        self.conn.request(method, path, body=body, headers=self.headers)
        r = self.conn.getresponse()
        text = r.read()
        if r.status != expect:
            raise SystemExit(f"{method} {path}: {r.status} (expected {expect}): {text[:500]!r}")
        return json.loads(text) if text else None

    def close(self):
        self.conn.close()


# ------------------------------------------------------------------------------------------------
# The results.


def create_monitor(api, i):
    doc = api.call("POST", "/api/v1/monitors", json.dumps({
        "code": f"bench-{i}", "name": {"en": f"Bench {i}"}, "service": "WEB-HOSTING", "kind": "tcp",
        "settings": {"host": f"bench-{i}.example.invalid", "port": 443},
        "interval": f"{INTERVAL}s", "timeout": "5s"}), expect=201)
    return doc["id"]


def bodies(batches, salt=0):
    """`batches` JSON bodies of BATCH results each, 30 s apart in time order, ending an hour before
    CLOCK; two failure runs per batch (6 then 4 failures), each an outage that opens and closes."""
    end = datetime.datetime.fromisoformat(CLOCK).astimezone(datetime.timezone.utc) - datetime.timedelta(hours=1)
    n = batches * BATCH
    first = end - datetime.timedelta(seconds=INTERVAL * n)
    out = []
    for b in range(batches):
        items = []
        for j in range(BATCH):
            k = b * BATCH + j
            at = first + datetime.timedelta(seconds=INTERVAL * k)
            ok = not (300 <= j < 306 or 700 <= j < 704)
            latency = 20 + (k * 7919 + salt) % 180 if ok else 5000
            items.append({"at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "ok": ok, "latency_ms": latency})
        out.append(json.dumps(items, separators=(",", ":")).encode())
    return out, first, n


def post_all(api, monitor, batch_bodies):
    path = f"/api/v1/monitors/{monitor}/results"
    for body in batch_bodies:
        r = api.call("POST", path, body)
        if r.get("stored") != BATCH:
            raise SystemExit(f"POST {path}: stored {r.get('stored')}, expected {BATCH}: {r}")


# ------------------------------------------------------------------------------------------------
# Runs.


def wait_quiet():
    """Until no rustc (another session's build), no cargo (its test runs: their test binaries
    load the machine without a rustc) and no chromium (browser tests) runs, and the load average
    is under QUIET_LOAD if set; at most QUIET_WAIT seconds. Returns the seconds waited."""
    waited = 0

    def busy():
        for name, exact in (("rustc", False), ("cargo", True), ("chromium", True)):
            r = subprocess.run(["pgrep", "-x" if exact else "-f", name], capture_output=True)
            if r.returncode == 0 and r.stdout.strip():
                return True
        return False

    while (busy() or (QUIET_LOAD is not None and load() >= QUIET_LOAD)) and waited < QUIET_WAIT:
        if waited == 0:
            log("   (waiting for a build or a browser test to finish…)")
        time.sleep(10)
        waited += 10
    return waited


def cpu_seconds(pids):
    """User + system CPU seconds of the processes `pids` (those still there)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / tick


def postgres_pids():
    r = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)
    return [int(p) for p in r.stdout.split()]


class Cpu:
    """CPU seconds spent during a timed part: by the server, by PostgreSQL (every postgres
    process: on a shared machine other sessions' queries count too) and by this client."""

    def __init__(self, srv):
        self.srv = srv

    def __enter__(self):
        self.pg = postgres_pids() if self.srv.backend == "postgres" else []
        self.s0, self.p0, self.c0 = cpu_seconds([self.srv.proc.pid]), cpu_seconds(self.pg), time.process_time()
        return self

    def __exit__(self, *exc):
        self.server = round(cpu_seconds([self.srv.proc.pid]) - self.s0, 2)
        self.postgres = round(cpu_seconds(self.pg) - self.p0, 2)
        self.client = round(time.process_time() - self.c0, 2)

    def doc(self):
        out = {"server": self.server, "client": self.client}
        if self.srv.backend == "postgres":
            out["postgres"] = self.postgres
        return out


def load():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def run_single(binary, scratch, backend, i):
    srv = Server(binary, scratch, backend, f"single-{i}{os.path.basename(binary)[5:]}")
    try:
        api = Api(srv.base)
        monitor = create_monitor(api, 1)
        seq_before = monitor_seqs(srv)
        batch_bodies, first, n = bodies(BATCHES)
        before = srv.storage()
        waited = wait_quiet()
        l0 = load()
        with Cpu(srv) as cpu:
            t0 = time.perf_counter()
            post_all(api, monitor, batch_bodies)
            secs = time.perf_counter() - t0
        api.close()
        srv.stop()
        after = srv.storage()
        seq = seq_before[monitor]
        rows = srv.rows([seq])
    finally:
        srv.stop()
        srv.drop()
    days = n * INTERVAL / 86400
    tables = {t: after.get(t, 0) - before.get(t, 0) for t in sorted(set(after) | set(before))}
    total = sum(tables.values())
    return {"backend": backend, "variant": "single", "run": i, "results": n, "seconds": round(secs, 3),
            "results_per_s": round(n / secs), "load_before": l0, "waited_s": waited, "cpu_s": cpu.doc(),
            "days": round(days, 2), "bytes": total, "bytes_per_day": round(total / days),
            "bytes_per_result": round(total / n, 1), "bytes_by_table": tables, "rows": rows}


def monitor_seqs(srv):
    """{monitor id: seq} of every monitor."""
    if srv.backend == "sqlite":
        c = sqlite3.connect(f"file:{srv.path}?mode=ro", uri=True)
        try:
            return dict(c.execute("SELECT id, seq FROM monitors").fetchall())
        finally:
            c.close()
    out = psql(srv.db, "SELECT id, seq FROM monitors")
    return {r.split("|")[0]: int(r.split("|")[1]) for r in out.splitlines() if r}


def run_concurrent(binary, scratch, backend, i):
    srv = Server(binary, scratch, backend, f"concurrent-{i}{os.path.basename(binary)[5:]}")
    try:
        api = Api(srv.base)
        monitors = [create_monitor(api, t + 1) for t in range(THREADS)]
        api.close()
        per = BATCHES // THREADS
        work = [bodies(per, salt=t)[0] for t in range(THREADS)]
        apis = [Api(srv.base) for _ in range(THREADS)]
        errors = []
        start = threading.Barrier(THREADS + 1)

        def worker(t):
            try:
                start.wait()
                post_all(apis[t], monitors[t], work[t])
            except BaseException as e:  # SystemExit from a bad answer, too
                errors.append(f"thread {t}: {e}")

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
        for th in threads:
            th.start()
        waited = wait_quiet()
        l0 = load()
        with Cpu(srv) as cpu:
            start.wait()
            t0 = time.perf_counter()
            for th in threads:
                th.join()
            secs = time.perf_counter() - t0
        if errors:
            raise SystemExit("; ".join(errors))
        for a in apis:
            a.close()
    finally:
        srv.stop()
        srv.drop()
    n = per * THREADS * BATCH
    return {"backend": backend, "variant": "concurrent", "run": i, "results": n, "threads": THREADS,
            "seconds": round(secs, 3), "results_per_s": round(n / secs), "load_before": l0, "waited_s": waited,
            "cpu_s": cpu.doc()}


def main():
    # A SIGTERM unwinds like an error, so that the servers stop and the databases are dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.makedirs(OUT, exist_ok=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    # BINARIES="base=/tmp/a,new=/tmp/b": those binaries, runs interleaved, nothing built.
    given = [b.split("=", 1) for b in os.environ.get("BINARIES", "").split(",") if b]
    if not given and os.environ.get("SKIP_BUILD", "0") != "1":
        subprocess.run(["cargo", "build", "--release", "-p", "pacta", "--bin", "pacta"], cwd=ROOT, check=True)
    sources = given or [["", os.path.join(target, "release", "pacta")]]
    for _, built in sources:
        if not os.access(built, os.X_OK):
            raise SystemExit(f"missing {built}")
    scratch = tempfile.mkdtemp(prefix="pacta-ingest-bench.")
    try:
        binaries = []
        for label, built in sources:
            binary = os.path.join(scratch, f"pacta{'-' + label if label else ''}")
            shutil.copy2(built, binary)
            binaries.append((label, binary))
            log(f"== ingest: {BATCHES} × {BATCH} results; backends {BACKENDS}; variants {VARIANTS}; {RUNS} runs; "
                f"binary {label or ''} {built} "
                f"({datetime.datetime.fromtimestamp(os.path.getmtime(built)).isoformat(timespec='seconds')})")
        runs = []
        for i in range(1, RUNS + 1):
            for backend in BACKENDS:
                for variant in VARIANTS:
                    for label, binary in binaries:
                        r = (run_single if variant == "single" else run_concurrent)(binary, scratch, backend, i)
                        r["binary"] = label
                        runs.append(r)
                        extra = (f" | {r['bytes']:,} bytes → {r['bytes_per_day']:,} bytes/day, {r['bytes_per_result']} per result"
                                 if variant == "single" else "")
                        log(f"run {i} {label + ' ' if label else ''}{backend:8s} {variant:10s}: {r['results']:,} results "
                            f"in {r['seconds']:.3f} s → "
                            f"{r['results_per_s']:,} results/s | load {r['load_before']} | CPU s {r['cpu_s']}{extra}")
        summary = {}
        for label, _ in binaries:
            for backend in BACKENDS:
                for variant in VARIANTS:
                    rs = [r for r in runs if r["backend"] == backend and r["variant"] == variant
                          and r["binary"] == label]
                    if not rs:
                        continue
                    med = statistics.median(r["results_per_s"] for r in rs)
                    s = {"median_results_per_s": round(med), "runs_results_per_s": [r["results_per_s"] for r in rs],
                         "budget_results_per_s": BUDGET, "met": med >= BUDGET}
                    if variant == "single":
                        s["median_bytes_per_day"] = round(statistics.median(r["bytes_per_day"] for r in rs))
                        s["runs_bytes_per_day"] = [r["bytes_per_day"] for r in rs]
                    summary[f"{label + ' ' if label else ''}{backend} {variant}"] = s
        doc = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "nproc": os.cpu_count(), "batches": BATCHES, "batch": BATCH, "summary": summary, "runs": runs}
        with open(os.path.join(OUT, "ingest.json"), "w") as f:
            json.dump(doc, f, indent=1)
        print(json.dumps(doc, indent=1))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
