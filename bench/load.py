"""Benchmark: many users at once against gunicorn on PostgreSQL (issue 18, "Many users at once").

    .venv/bin/python bench/load.py [--households 200000] [--seconds 120] [--phones 32] [--reviewers 8]
                                   [--offices 4] [--batch 50] [--records-per-phone 400]
                                   [--share 0.85] [--keep]

Everything on this machine, loopback only, as bench/chaos.py sets it up: a throwaway
PostgreSQL cluster of its own, migrated and seeded with `flask demo seed --households N`;
``--share`` of the households outside the phones' villages get a census record by COPY
(bench/reports.py: 70 % approved, 25 % submitted, 5 % returned), so that queues and
dashboards are a county's in mid-census; every village's figures are counted once, as the
recount job would have. Then, created as the county admin would (app.auth.accounts,
app.campaigns.services): one enumerator a village for ``--phones`` villages without records,
each assigned its village's households and given up to ``--records-per-phone`` valid records
of them to push; one village reviewer for each of the first ``--reviewers`` of those villages
(they review what the phones push: the COPY records share one roster's people per household
size, so approving them would stop at "one person, one household"); the offices are the demo's county admin, county approver and
township approver, and one more township approver. gunicorn as deployed (gunicorn.conf.py:
2 workers × 4 threads, ``--no-control-socket``) and the jobs worker (`flask jobs worker`, the
recount after writes) run beside it.

Each client is a thread that signs in through the login form with its own session, then,
closed loop (the next request when the answer has come), until ``--seconds`` have passed:
- a phone, as static/js/sync/engine.js runs: GET /api/session, POST a batch of ``--batch``
  valid records of its village (while it has some left), GET /api/sync/households (with
  the ETag it was given), GET /api/sync/records, GET /api/sync/tasks;
- a reviewer: the queue of submitted records (GET /review/?status=submitted), now and then
  its next page, the first record's page, and approves it with the page's form;
- an office: the dashboard of its place (GET /reports/), then a township's and a village's
  within it, drawn at random;
- baseline, in the same run: one client asking GET /healthz (no database) every 0.2 s.

Then, to size servers from (docs/scaling.md), each kind alone for ``--calibrate`` seconds,
one client: CPU milliseconds of gunicorn and of PostgreSQL per request.

Printed: per kind of request, requests, throughput, p50/p95/p99 and errors (a 5xx, a cut
connection, an unexpected status or answer); records acknowledged per second; the load
average; the CPU seconds gunicorn, PostgreSQL and the jobs worker used during the load (from
/proc, so the figure holds on a machine shared with other work, where latencies do not). At the end, plain SQL checks that every acknowledged record (created or duplicate)
is stored exactly once (one submission, one revision). Exit status 1 on any error or a
record not stored once.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # bench/reports.py imports its neighbours by bare name

from bench.chaos import PG_BIN, Failed, Phone, Postgres, Server, build_records, free_port, migrate_and_seed  # noqa: E402

PASSWORD = "Yunling-load-2026!"  # every user the benchmark creates (the password rule wants a strong one)
HEALTH_PAUSE_S = 0.2
# Goals (issue 18): p95 of a page, and of a push of 50 records.
PAGE_GOAL_MS, PUSH_GOAL_MS = 300, 1000


class Tally:
    """Timings and errors per kind of request, from every client thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def timed(self, kind: str, phone: Phone, method: str, path: str, body=None, content_type=None,
              expect=(200,), headers=None):
        """The request, timed under ``kind``; None when it failed (counted as an error)."""
        started = time.perf_counter()
        try:
            status, data = phone.request(method, path, body, content_type, headers)
        except Failed as error:
            self.error(kind, f"{error}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.times[kind].append(elapsed)
        if status not in expect:
            self.error(kind, f"HTTP {status}")
            return None
        return status, data

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors[kind].append(what)


def cpu_seconds(leader: int) -> float:
    """CPU seconds of a process and its descendants alive now, and of the children it has
    waited for (/proc: utime, stime, cutime, cstime): gunicorn's master and workers, or the
    postmaster and its backends."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = defaultdict(list)
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            stats[int(entry.name)] = fields
            children[int(fields[1])].append(int(entry.name))
    total, waiting = 0.0, [leader]
    while waiting:
        pid = waiting.pop()
        if pid in stats:
            fields = stats[pid]
            # utime and stime always; cutime and cstime (children waited for) counted once, at the leader:
            # a live child's own time is counted as it is found here.
            total += sum(int(value) for value in fields[11:13 if pid != leader else 15])
            waiting += children[pid]
    return total / ticks


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def prepare(app, phones: int, reviewers: int, offices: int, share: float, batch: int, per_phone: int) -> dict:
    """Records by COPY, every village counted, the benchmark's users and their records to push."""
    from reports import add_records
    from sqlalchemy import func, select

    from app.auth import accounts
    from app.auth.models import User
    from app.campaigns import services as campaigns
    from app.census import services as census
    from app.demo import generator
    from app.extensions import db
    from app.figures.store import refill_stale, stale_villages
    from app.geo.models import Area
    from app.households.models import Household

    with app.app_context():
        villages = db.session.scalars(select(Area).where(Area.level == "village").order_by(Area.code)).all()
        if len(villages) < phones or reviewers > phones:
            raise SystemExit(f"{phones} phones need as many villages (the county has {len(villages)}: seed more "
                             f"households), and {reviewers} reviewers as many phones' villages")
        # Villages from every township, not the first few; the reviewers review what the phones push.
        phone_villages = villages[::len(villages) // phones][:phones]
        reviewer_villages = phone_villages[:reviewers]
        started = time.perf_counter()
        records = add_records(share, skip_villages={village.id for village in phone_villages})
        campaign = census.current_campaign()
        versions, lines = stale_villages(campaign)
        refill_stale(campaign, versions, lines)
        print(f"  {records:,} records by COPY, {len(versions)} villages counted in "
              f"{time.perf_counter() - started:.0f} s", flush=True)

        by_name = {login[2]: login[0] for login in generator.LOGINS}
        admin = db.session.scalar(select(User).where(User.username == by_name["county_admin"]))

        def create(username: str, display_name: str, role: str, areas: list) -> str:
            user = accounts.create_user(username, display_name, role, PASSWORD, [area.id for area in areas])
            user.password_change_required = False  # as after their first sign-in
            db.session.commit()
            return username

        enumerators = [create(f"load-enum-{n:02d}", f"压测采集员{n:02d}", "enumerator", [village])
                       for n, village in enumerate(phone_villages, 1)]
        for username, village in zip(enumerators, phone_villages):
            enumerator = db.session.scalar(select(User).where(User.username == username))
            campaigns.assign_area(admin, campaign, village, enumerator)
        reviewer_names = [create(f"load-review-{n:02d}", f"压测审核员{n:02d}", "village_reviewer", [village])
                          for n, village in enumerate(reviewer_villages, 1)]
        townships = db.session.scalars(select(Area).where(Area.level == "township").order_by(Area.code)).all()
        office_users = [(by_name["county_admin"], generator.PASSWORD), (by_name["county_approver"], generator.PASSWORD),
                        (by_name["township_approver"], generator.PASSWORD),
                        (create("load-township", "压测乡镇审核员", "township_approver", [townships[-1]]), PASSWORD)]
        households = dict(db.session.execute(
            select(Household.village_id, func.count()).where(Household.village_id.in_([v.id for v in phone_villages]))
            .group_by(Household.village_id)).all())
        # What each office may open: its dashboards' areas (a county user drills into any township).
        places = {}
        for username, _password in office_users[:offices]:
            user = db.session.scalar(select(User).where(User.username == username))
            top = user.areas[0]
            below = [area for area in townships if top.level == "county"] or [top]
            places[username] = {"townships": [area.id for area in below if area.level == "township"],
                                "villages": db.session.scalars(select(Area.id).where(
                                    Area.level == "village", Area.parent_id.in_([area.id for area in below]))).all()}
        db.engine.dispose()
    started = time.perf_counter()
    outboxes = {username: build_records(app, username, min(per_phone, households[village.id]), random.Random(n))
                for n, (username, village) in enumerate(zip(enumerators, phone_villages))}
    print(f"  {sum(map(len, outboxes.values())):,} records made for {phones} phones "
          f"(batches of {batch}) in {time.perf_counter() - started:.0f} s", flush=True)
    return {"outboxes": outboxes, "reviewers": reviewer_names, "offices": office_users[:offices], "places": places}


def signed_in(port: int, username: str, password: str) -> Phone:
    phone = Phone(port, username, password, timeout=60)
    phone.sign_in()
    phone.session()
    return phone


def run_phone(tally: Tally, phone: Phone, outbox: list[dict], batch: int, until: float, acknowledged: set) -> None:
    etag = None
    while time.monotonic() < until:
        tally.timed("GET /api/session", phone, "GET", "/api/session")
        if outbox:
            records, outbox[:batch] = outbox[:batch], []
            answer = tally.timed(f"POST /api/sync/records ({batch} records)", phone, "POST", "/api/sync/records",
                                 json.dumps({"records": records}).encode(), "application/json")
            if answer is None:
                outbox[:0] = records  # the phone keeps them and sends them again
            else:
                results = json.loads(answer[1])["results"]
                done = [result["id"] for result in results if result["result"] in ("created", "duplicate")]
                with tally.lock:
                    acknowledged.update(done)
                if len(done) < len(records):
                    tally.error(f"POST /api/sync/records ({batch} records)",
                                f"answers {sorted({result['result'] for result in results})}")
        answer = tally.timed("GET /api/sync/households", phone, "GET", "/api/sync/households", expect=(200, 304),
                             headers={"If-None-Match": etag} if etag else None)
        if answer and answer[0] == 200:
            etag = phone.last_headers.get("ETag")
        tally.timed("GET /api/sync/records", phone, "GET", "/api/sync/records")
        tally.timed("GET /api/sync/tasks", phone, "GET", "/api/sync/tasks")


RECORD_LINK = re.compile(rb'href="/review/records/([0-9a-f-]{36})')
NEXT_LINK = re.compile(rb'<a rel="next" href="([^"]+)"')
APPROVE_FORM = re.compile(rb'action="/review/records/[0-9a-f-]{36}/approve"[^>]*>\s*'
                          rb'<input type="hidden" name="csrf_token" value="([^"]+)">'
                          rb'<input type="hidden" name="version" value="(\d+)">')


def run_reviewer(tally: Tally, phone: Phone, until: float, rng: random.Random) -> None:
    from html import unescape
    from urllib.parse import urlencode

    while time.monotonic() < until:
        answer = tally.timed("GET /review/ (submitted)", phone, "GET", "/review/?status=submitted")
        if answer is None:
            continue
        page = answer[1]
        more = NEXT_LINK.search(page)
        if more and rng.random() < 0.3:
            tally.timed("GET /review/ next page", phone, "GET", unescape(more.group(1).decode()))
        found = RECORD_LINK.search(page)
        if found is None:
            time.sleep(1)  # nothing left to approve in this village
            continue
        record = found.group(1).decode()
        answer = tally.timed("GET /review/records/<id>", phone, "GET", f"/review/records/{record}")
        form = answer and APPROVE_FORM.search(answer[1])
        if not form:
            if answer:
                tally.error("GET /review/records/<id>", "no approve form")
            continue
        body = urlencode({"csrf_token": form.group(1).decode(), "version": form.group(2).decode()}).encode()
        tally.timed("POST approve", phone, "POST", f"/review/records/{record}/approve", body,
                    "application/x-www-form-urlencoded", expect=(302, 303))


def run_office(tally: Tally, phone: Phone, places: dict, until: float, rng: random.Random) -> None:
    while time.monotonic() < until:
        tally.timed("GET /reports/ (own place)", phone, "GET", "/reports/")
        if places["townships"] and time.monotonic() < until:
            tally.timed("GET /reports/areas/<township>", phone, "GET",
                        f"/reports/areas/{rng.choice(places['townships'])}")
        if time.monotonic() < until:
            tally.timed("GET /reports/areas/<village>", phone, "GET", f"/reports/areas/{rng.choice(places['villages'])}")


def calibrate(tally: Tally, leaders: dict, seconds: float, kinds: list[tuple], acknowledged: set) -> list[str]:
    """Each kind alone, one client asking again as soon as answered: CPU milliseconds of
    gunicorn and PostgreSQL per request, the per-core rate that sizing starts from."""
    lines = ["| alone, one client | requests | app CPU ms / request | database CPU ms / request |",
             "|---|---:|---:|---:|"]
    for kind, phone, method, path, body in kinds:
        before = {name: cpu_seconds(pid) for name, pid in leaders.items()}
        done, until = 0, time.monotonic() + seconds
        while time.monotonic() < until:
            payload = body() if callable(body) else body
            if payload is None and method == "POST":
                break  # no records left to push
            answer = tally.timed(kind, phone, method, path, payload, "application/json" if payload else None,
                                 expect=(200, 304))
            if answer:
                done += 1
                if method == "POST":
                    acknowledged.update(result["id"] for result in json.loads(answer[1])["results"]
                                        if result["result"] in ("created", "duplicate"))
        used = {name: cpu_seconds(pid) - before[name] for name, pid in leaders.items()}
        if done:
            lines.append(f"| {kind} | {done} | {used['gunicorn'] / done * 1000:.1f} | "
                         f"{used['PostgreSQL'] / done * 1000:.1f} |")
    return lines


def run_health(tally: Tally, port: int, until: float, kind: str = "GET /healthz (baseline)") -> None:
    phone = Phone(port, "", "", timeout=60)
    while time.monotonic() < until:
        tally.timed(kind, phone, "GET", "/healthz")
        time.sleep(HEALTH_PAUSE_S)


def stored_once(app, acknowledged: set) -> tuple[int, int]:
    """Of the acknowledged records: how many are stored with exactly one revision, and how
    many are missing or stored more than once, read with plain SQL."""
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        rows = dict(db.session.execute(text(
            "SELECT s.id, count(r.id) FROM submission s LEFT JOIN submission_revision r ON r.submission_id = s.id "
            "WHERE s.id = ANY(:ids) GROUP BY s.id"), {"ids": list(acknowledged)}).all())
        db.engine.dispose()
    once = sum(1 for record_id in acknowledged if rows.get(record_id) == 1)
    return once, len(acknowledged) - once


def report(tally: Tally, seconds: float, acknowledged: int, loads: list) -> list[str]:
    lines = ["| kind | requests | requests/s | p50 ms | p95 ms | p99 ms | errors | p95 goal |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for kind in sorted(tally.times.keys() | tally.errors.keys(), key=lambda k: ("healthz" not in k, k)):
        times = [t * 1000 for t in tally.times[kind]]
        goal = "" if "healthz" in kind or "session" in kind else \
            PUSH_GOAL_MS if kind.startswith("POST /api/sync/records") else PAGE_GOAL_MS
        p95 = percentile(times, 0.95) if times else float("nan")
        verdict = f"{goal} ms ({'met' if p95 <= goal else 'not met'})" if goal else ""
        lines.append(f"| {kind} | {len(times):,} | {len(times) / seconds:.1f} | "
                     + (" | ".join(f"{percentile(times, s):,.0f}" for s in (0.5, 0.95, 0.99)) if times else "- | - | -")
                     + f" | {len(tally.errors[kind])} | {verdict} |")
    lines.append(f"records acknowledged: {acknowledged:,} ({acknowledged / seconds:.0f} records/s); "
                 f"load average (1 min) at the start / end: {loads[0]:.1f} / {loads[1]:.1f}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--phones", type=int, default=32)
    parser.add_argument("--reviewers", type=int, default=8)
    parser.add_argument("--offices", type=int, default=4, choices=range(1, 5))
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--records-per-phone", type=int, default=400,
                        help="at most; a phone whose records are all sent goes on pulling")
    parser.add_argument("--calibrate", type=float, default=10, help="seconds of each kind alone, after the load")
    parser.add_argument("--reserve", type=int, default=150, help="records the first phone keeps for --calibrate")
    parser.add_argument("--share", type=float, default=0.85, help="share of the other households with a record")
    parser.add_argument("--pg-bin", type=Path, default=PG_BIN)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, database) at the end")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stopped: still remove the cluster (finally)
    work = Path(tempfile.mkdtemp(prefix="ruhu-load-"))
    work.chmod(0o755)  # the postgres user must reach its cluster inside
    env = {**os.environ, "RUHU_INSTANCE_DIR": str(work / "instance"), "SECRET_KEY": secrets.token_hex(32)}
    (work / "instance").mkdir()
    postgres = Postgres(work, options.pg_bin)
    server = worker = None
    try:
        postgres.create()
        env["DATABASE_URL"] = postgres.url
        started = time.perf_counter()
        migrate_and_seed(env, options.households)
        print(f"flask demo seed --households {options.households}: {time.perf_counter() - started:.0f} s", flush=True)
        os.environ.update(RUHU_INSTANCE_DIR=env["RUHU_INSTANCE_DIR"], SECRET_KEY=env["SECRET_KEY"])
        from app import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": postgres.url.replace("postgresql://", "postgresql+psycopg://")})
        setup = prepare(app, options.phones, options.reviewers, options.offices, options.share, options.batch,
                        options.records_per_phone)
        port = free_port()
        server = Server(port, {**env, "RUHU_BIND": f"127.0.0.1:{port}", "RUHU_WORKERS": "2"}, work / "gunicorn.log")
        server.start()
        with (work / "worker.log").open("ab") as log:
            worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"], cwd=ROOT,
                                      env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        server.wait_ready()

        tally, acknowledged = Tally(), set()
        first_outbox = next(iter(setup["outboxes"].values()))
        reserve, first_outbox[:] = first_outbox[-options.reserve:], first_outbox[:-options.reserve]
        run_health(tally, port, time.monotonic() + 5, "GET /healthz, before the load (baseline)")
        rng = random.Random(18)
        clients = [signed_in(port, name, PASSWORD) for name in setup["outboxes"]]
        reviewers = [signed_in(port, name, PASSWORD) for name in setup["reviewers"]]
        offices = [signed_in(port, name, password) for name, password in setup["offices"]]
        print(f"signed in {len(clients)} phones, {len(reviewers)} reviewers, {len(offices)} offices; "
              f"running {options.seconds:.0f} s", flush=True)
        loads = [os.getloadavg()[0]]
        postmaster = int((postgres.data / "postmaster.pid").read_text().split()[0])
        leaders = {"gunicorn": server.process.pid, "PostgreSQL": postmaster, "jobs worker": worker.pid}
        cpu_before = {name: cpu_seconds(pid) for name, pid in leaders.items()}
        until = time.monotonic() + options.seconds
        threads = [threading.Thread(target=run_phone, args=(tally, phone, outbox, options.batch, until, acknowledged))
                   for phone, outbox in zip(clients, setup["outboxes"].values())]
        threads += [threading.Thread(target=run_reviewer, args=(tally, phone, until, random.Random(rng.random())))
                    for phone in reviewers]
        threads += [threading.Thread(target=run_office, args=(tally, phone, setup["places"][name], until,
                                                              random.Random(rng.random())))
                    for phone, (name, _password) in zip(offices, setup["offices"])]
        threads.append(threading.Thread(target=run_health, args=(tally, port, until)))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in leaders.items()}
        pushed = len(acknowledged)
        loads.append(os.getloadavg()[0])
        batches = [reserve[offset:offset + options.batch] for offset in range(0, len(reserve), options.batch)]

        def next_batch():
            if not batches:
                return None
            return json.dumps({"records": batches.pop()}).encode()

        village = setup["places"][setup["offices"][0][0]]["villages"][0]
        alone = Tally()
        calibration = calibrate(alone, leaders, options.calibrate, [
            ("GET /healthz", offices[0], "GET", "/healthz", None),
            (f"POST /api/sync/records ({options.batch} records)", clients[0], "POST", "/api/sync/records", next_batch),
            ("GET /api/sync/households", clients[0], "GET", "/api/sync/households", None),
            ("GET /api/sync/records", clients[0], "GET", "/api/sync/records", None),
            ("GET /api/sync/tasks", clients[0], "GET", "/api/sync/tasks", None),
            ("GET /review/ (submitted)", reviewers[0], "GET", "/review/?status=submitted", None),
            ("GET /reports/ (county)", offices[0], "GET", "/reports/", None),
            ("GET /reports/areas/<village>", offices[0], "GET", f"/reports/areas/{village}", None)], acknowledged)
        once, not_once = stored_once(app, acknowledged)
        print(f"gunicorn (2 workers x 4 threads) on PostgreSQL, {options.households:,} households, "
              f"{elapsed:.0f} s, {len(clients)} phones, {len(reviewers)} reviewers, {len(offices)} offices:")
        print("\n".join(report(tally, elapsed, pushed, loads)))
        requests = sum(len(times) for times in tally.times.values())
        print("CPU during the load: " + ", ".join(f"{name} {seconds:.0f} s ({seconds / elapsed:.2f} cores)"
                                                   for name, seconds in cpu.items())
              + f"; per request served, all kinds: {sum(cpu.values()) / max(1, requests) * 1000:.1f} ms")
        print("\n".join(calibration))
        print(f"acknowledged records stored exactly once: {once:,} of {len(acknowledged):,}"
              f"{f'; NOT stored once: {not_once}' if not_once else ''}")
        errors = {kind: sorted(set(found))[:3] for kind, found in (*tally.errors.items(), *alone.errors.items())
                  if found}
        if errors:
            print(f"errors, first kinds: {errors}")
        return 1 if errors or not_once else 0
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        if server is not None:
            server.stop()
        postgres.stop()
        if options.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
