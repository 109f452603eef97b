#!/usr/bin/env python3
"""Makes subscriptions in a running Pacta through the API, as the bootstrap admin (bearer
token), for bench/jobs.sh and bench/home.sh. One keep-alive connection; every answer is
checked (a status other than the expected one stops the run with exit 1).

  subscribe.py URL TOKEN jobs N FIRST_DAY [ADMINS]
      N approved subscriptions whose start dates spread over the 30 days from FIRST_DAY
      (YYYY-MM-DD, after the clock's today), so each has a `subscription.activate` job due
      within those 30 days. A live subscription per partner, service and pack is unique, so
      they go to new partners BENCH-0001, BENCH-0002, …, each subscribed to every pack of every
      published service before the next is made. Each new partner gets ADMINS partner admins
      (default 1; 0 for none), who are mailed on approval and on activation; the service
      managers are mailed on each request.
  subscribe.py URL TOKEN home PARTNER N TODAY [REQUESTED]
      N more subscriptions of PARTNER (an existing one), each to a service and pack that it has
      no live subscription to yet — every service's first pack before any second one — all
      approved on TODAY (the clock's date, so they are active at once) but the last REQUESTED
      (default 0), which start two weeks later and wait for approval (open requests).

Prints one JSON object: what was made and how long the setup took.
"""

import datetime
import http.client
import json
import sys
import time
import urllib.parse


class Api:
    def __init__(self, base, token):
        url = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        self.auth = {"Authorization": f"Bearer {token}"}

    def call(self, method, path, body=None, expect=200):
        headers = dict(self.auth)
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        r = self.conn.getresponse()
        text = r.read().decode()
        if r.status != expect:
            raise SystemExit(f"{method} {path} {body!r}: {r.status} (expected {expect}): {text[:500]}")
        return json.loads(text) if text else None


def combinations(api):
    """(service, pack) of every published service, in the list's order."""
    out = []
    offset = 0
    while True:
        page = api.call("GET", f"/api/v1/services?limit=200&offset={offset}")
        for s in page["items"]:
            if s.get("status", "published") != "published":
                continue
            detail = api.call("GET", f"/api/v1/services/{urllib.parse.quote(s['code'])}")
            out.extend((s["code"], p["code"]) for p in detail["packs"])
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return out


def subscribe(api, partner, service, pack, start):
    s = api.call(
        "POST",
        "/api/v1/subscriptions",
        {"partner": partner, "service": service, "pack": pack, "options": [], "quantity": 1,
         "start_date": start.isoformat()},
        expect=201,
    )
    return api.call("POST", f"/api/v1/subscriptions/{s['id']}/approve", expect=200)


def jobs(api, n, first_day, admins):
    combos = combinations(api)
    partners = 0
    made = 0
    while made < n:
        partners += 1
        code = f"BENCH-{partners:04d}"
        api.call("POST", "/api/v1/partners",
                 {"code": code, "name": {"en": f"Bench partner {partners}"}, "lang": "en"}, expect=201)
        for a in range(admins):
            api.call("POST", "/api/v1/users",
                     {"email": f"admin-{a + 1}@{code.lower()}.example", "name": f"Admin {a + 1} of {code}",
                      "partner": code, "roles": [{"role": "partner-admin", "scope": []}]}, expect=201)
        for service, pack in combos:
            if made == n:
                break
            s = subscribe(api, code, service, pack, first_day + datetime.timedelta(days=made % 30))
            if s["state"] != "approved":
                raise SystemExit(f"subscription {s['id']} is {s['state']}, expected approved")
            made += 1
    return {"subscriptions": made, "partners": partners, "admins_per_partner": admins,
            "combinations_per_partner": len(combos)}


def home(api, partner, n, today, requested):
    combos = combinations(api)
    # Every service's first pack, then every second one, …: as many services as can be.
    rank = {}
    for c in combos:
        rank[c] = sum(1 for d in combos[: combos.index(c)] if d[0] == c[0])
    combos.sort(key=lambda c: rank[c])
    live = {"requested", "approved", "active", "suspended"}
    taken = set()
    offset = 0
    while True:
        page = api.call("GET", f"/api/v1/subscriptions?partner={partner}&limit=200&offset={offset}")
        taken.update((s["service"], s["pack"]) for s in page["items"] if s["state"] in live)
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            break
    free = [c for c in combos if c not in taken]
    if len(free) < n:
        raise SystemExit(
            f"{partner} can have only {len(free)} more live subscriptions ({len(combos)} service × pack "
            f"combinations, {len(taken)} taken); a live subscription per partner, service and pack is unique"
        )
    for i, (service, pack) in enumerate(free[:n]):
        if i >= n - requested:
            s = api.call(
                "POST",
                "/api/v1/subscriptions",
                {"partner": partner, "service": service, "pack": pack, "options": [], "quantity": 1,
                 "start_date": (today + datetime.timedelta(days=14)).isoformat()},
                expect=201,
            )
            continue
        s = subscribe(api, partner, service, pack, today)
        if s["state"] != "active":
            raise SystemExit(f"subscription {s['id']} is {s['state']}, expected active")
    return {"made": n, "active": n - requested, "requested": requested, "already_live": len(taken),
            "services": len({c[0] for c in free[:n]}), "combinations": len(combos)}


def main():
    base, token, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    api = Api(base, token)
    started = time.perf_counter()
    if mode == "jobs":
        admins = int(sys.argv[6]) if len(sys.argv) > 6 else 1
        out = jobs(api, int(sys.argv[4]), datetime.date.fromisoformat(sys.argv[5]), admins)
    elif mode == "home":
        requested = int(sys.argv[7]) if len(sys.argv) > 7 else 0
        out = home(api, sys.argv[4], int(sys.argv[5]), datetime.date.fromisoformat(sys.argv[6]), requested)
    else:
        raise SystemExit(f"unknown mode {mode}")
    out["setup_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
