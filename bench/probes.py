#!/usr/bin/env python3
"""Issue 11's probe budgets: N HTTP monitors at a 30 s interval against a local target.

  "10,000 HTTP monitors at a 30 s interval against a local target that the script starts, for at
  least ten intervals: Pacta's process under 25 % of one core on average, RSS under 300 MB,
  scheduling lateness (measured from the target's own log of arrivals: each monitor's gap between
  checks minus its interval) p99 under 100 ms, zero false outages. 1,000 HTTP monitors the same
  way: under 3 % of one core and under 50 MB RSS."

Each run: a fresh SQLite database (`pacta migrate`, the demo catalogue, N monitors of WEB-HOSTING
imported with `pacta monitor import`, each `http://127.0.0.1:PORT/mNNNNN`), a target started here
(asyncio, keep-alive, answers 200 "ok" and logs each request's arrival with a monotonic clock),
and `pacta worker` — the probes and nothing else (on SQLite it holds every shard). After one
interval of warm-up, the worker's CPU (utime + stime from /proc/PID/stat) and RSS (VmRSS,
sampled every second) are measured over INTERVALS intervals. Then: lateness from the target's log
(per monitor, consecutive arrivals' gap minus 30 s; the p50, p99 and max over all gaps in the
measured span), and false outages = rows of monitor_outages for these monitors (the target never
fails), read after the worker stopped.

  MONITORS=1000 INTERVALS=10 bench/probes.py
  MONITORS=10000 INTERVALS=10 PACTA_BIN=/tmp/pacta bench/probes.py

Environment: MONITORS (1000), INTERVALS (10), PACTA_BIN (target/release/pacta; built if missing
and SKIP_BUILD is not 1). Raw output in bench/out/probes/.
"""

import asyncio
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out", "probes")
INTERVAL = 30
MONITORS = int(os.environ.get("MONITORS", "1000"))
INTERVALS = int(os.environ.get("INTERVALS", "10"))
TICK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Target:
    """An HTTP/1.1 keep-alive server on 127.0.0.1 in a thread of its own, logging arrivals."""

    def __init__(self):
        self.arrivals = []  # (monotonic seconds, path)
        self.port = None
        self.ready = threading.Event()
        self.loop = None
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait()

    def _run(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=4096))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _serve(self, reader, writer):
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                now = time.monotonic()
                path = line.split(b" ")[1].decode() if b" " in line else "?"
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                self.arrivals.append((now, path))
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def main():
    os.makedirs(OUT, exist_ok=True)
    binary = os.environ.get("PACTA_BIN", os.path.join(ROOT, "target", "release", "pacta"))
    if not os.access(binary, os.X_OK):
        if os.environ.get("SKIP_BUILD") == "1":
            raise SystemExit(f"missing {binary}")
        subprocess.run(["cargo", "build", "--release", "-p", "pacta", "--bin", "pacta"], cwd=ROOT, check=True)
    scratch = tempfile.mkdtemp(prefix="pacta-probes-bench.")
    worker = None
    try:
        local = os.path.join(scratch, "pacta")
        shutil.copy2(binary, local)
        url = f"sqlite://{scratch}/pacta.db"
        env = dict(os.environ, RUST_LOG="warn")
        env.pop("PACTA_DATABASE_URL", None)

        def pacta(*args):
            subprocess.run([local, "--database-url", url, *args], check=True, env=env,
                           stdout=subprocess.DEVNULL)

        target = Target()
        pacta("migrate")
        pacta("catalogue", "import", os.path.join(ROOT, "demo", "catalogue.yaml"))
        monitors = os.path.join(scratch, "monitors.yaml")
        with open(monitors, "w") as f:
            f.write("monitors:\n")
            for n in range(MONITORS):
                f.write(f"  - code: m{n:05d}\n    name: {{en: M{n}}}\n    service: WEB-HOSTING\n"
                        f"    kind: http\n    settings: {{url: \"http://127.0.0.1:{target.port}/m{n:05d}\"}}\n"
                        f"    interval: {INTERVAL}s\n    timeout: 10s\n")
        t = time.monotonic()
        pacta("monitor", "import", monitors)
        log(f"{MONITORS} monitors imported in {time.monotonic() - t:.1f} s; target on port {target.port}")
        with open(os.path.join(OUT, f"worker-{MONITORS}.log"), "w") as wlog:
            worker = subprocess.Popen([local, "--database-url", url, "worker"], env=env,
                                      stdout=wlog, stderr=wlog)
        log(f"worker pid {worker.pid}; warming up {INTERVAL} s")
        time.sleep(INTERVAL + 2)
        start = time.monotonic()
        cpu0 = cpu_seconds(worker.pid)
        rss = []
        while time.monotonic() - start < INTERVALS * INTERVAL:
            rss.append(rss_mb(worker.pid))
            time.sleep(1)
        end = time.monotonic()
        cpu = cpu_seconds(worker.pid) - cpu0
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
        # Lateness: per monitor, the gaps between its arrivals in the measured span, minus 30 s.
        per = {}
        for at, path in list(target.arrivals):
            per.setdefault(path, []).append(at)
        gaps = []
        checked = 0
        for path, ats in per.items():
            ats = [a for a in ats if start - INTERVAL <= a <= end]
            if ats:
                checked += 1
            gaps.extend((b - a) - INTERVAL for a, b in zip(ats, ats[1:]))
        db = sqlite3.connect(f"{scratch}/pacta.db")
        outages = db.execute("SELECT COUNT(*) FROM monitor_outages").fetchone()[0]
        results = db.execute("SELECT COUNT(*) FROM monitor_results").fetchone()[0]
        failures = db.execute("SELECT COUNT(*) FROM monitor_results WHERE NOT ok").fetchone()[0]
        # Storage: every page of each result table and its indexes (dbstat), per row.
        storage = {}
        for table in ("monitor_results", "monitor_rollups"):
            rows = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            size = db.execute(
                "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name IN "
                "(SELECT name FROM sqlite_master WHERE tbl_name = ?)", (table,)).fetchone()[0]
            storage[table] = {"rows": rows, "bytes": size,
                              "bytes_per_row": round(size / rows, 1) if rows else None}
        db.close()
        secs = end - start
        doc = {
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "nproc": os.cpu_count(), "monitors": MONITORS, "interval_s": INTERVAL, "intervals": INTERVALS,
            "measured_s": round(secs, 1),
            "cpu_percent_of_one_core": round(100 * cpu / secs, 2),
            "rss_mb_mean": round(statistics.mean(rss), 1), "rss_mb_max": round(max(rss), 1),
            "lateness_ms": {
                "gaps": len(gaps),
                "p50": round(1000 * pct(gaps, 50), 1) if gaps else None,
                "p99": round(1000 * pct(gaps, 99), 1) if gaps else None,
                "max": round(1000 * max(gaps), 1) if gaps else None,
                "min": round(1000 * min(gaps), 1) if gaps else None,
            },
            "monitors_checked_in_span": checked,
            "requests_at_target": len(target.arrivals),
            "results_stored": results, "failed_results": failures, "false_outages": outages,
            "sqlite_storage": storage,
            "load_avg": os.getloadavg(),
        }
        with open(os.path.join(OUT, f"probes-{MONITORS}.json"), "w") as f:
            json.dump(doc, f, indent=1)
        print(json.dumps(doc, indent=1))
    finally:
        if worker and worker.poll() is None:
            worker.kill()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
