#!/usr/bin/env python3
"""Signs demo users in to a running Pacta through the login page, as a browser does: GET the
form (its CSRF token and login cookie), then POST the e-mail and password. Only the POST is
timed: it is the one that checks the password (argon2id).

  logins.py URL sequential N            # N logins one after another; prints the latencies
  logins.py URL rate PER_SECOND SECONDS # an open-loop load: one login started every 1/rate s
  logins.py URL cookie EMAIL            # prints a session cookie's value for EMAIL

Prints one JSON object. A login that does not end in a session (303 with `pacta_session`) is
an error: the run stops with exit 1.
"""

import concurrent.futures
import http.client
import json
import re
import statistics
import sys
import time
import urllib.parse

PASSWORD = "pacta-demo"
# Demo users of every kind (bench/auth.sh runs `serve --demo`); spread over them so that no
# account's own figures dominate.
USERS = [
    "admin@provider.example",
    "helpdesk-agent@provider.example",
    "service-manager@provider.example",
    "prm@provider.example",
    "partner-admin@demo-nl.example",
    "viewer@demo-fr.example",
    "local-helpdesk@demo-de.example",
    "partner-user@demo-small.example",
]


def login(base, email):
    """One sign-in; returns (seconds the POST took, the session cookie's value)."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("GET", "/en/login")
        r = conn.getresponse()
        page = r.read().decode()
        cookie = next(
            v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("pacta_login=")
        )
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf": csrf, "next": ""})
        started = time.perf_counter()
        conn.request(
            "POST",
            "/en/login",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        r = conn.getresponse()
        r.read()
        took = time.perf_counter() - started
        session = [v for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("pacta_session=")]
        if r.status != 303 or not session:
            raise SystemExit(f"login of {email}: status {r.status}, no session")
        return took, session[0].split(";")[0].split("=", 1)[1]
    finally:
        conn.close()


def summary(latencies):
    ms = sorted(x * 1000 for x in latencies)
    p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
    return {
        "logins": len(ms),
        "median_ms": round(statistics.median(ms), 1),
        "p99_ms": round(p99, 1),
        "max_ms": round(ms[-1], 1),
    }


def main():
    base, mode = sys.argv[1], sys.argv[2]
    if mode == "sequential":
        n = int(sys.argv[3])
        print(json.dumps(summary([login(base, USERS[i % len(USERS)])[0] for i in range(n)])))
    elif mode == "rate":
        rate, seconds = float(sys.argv[3]), float(sys.argv[4])
        total = int(rate * seconds)
        start = time.perf_counter()

        def scheduled(i):
            # Open loop: each login starts at its own time, whether or not earlier ones are done.
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            return login(base, USERS[i % len(USERS)])[0]

        with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
            latencies = list(pool.map(scheduled, range(total)))
        out = summary(latencies)
        out["achieved_per_second"] = round(total / (time.perf_counter() - start), 1)
        print(json.dumps(out))
    elif mode == "cookie":
        print(login(base, sys.argv[3])[1])
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
