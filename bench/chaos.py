"""Benchmark: no record is lost or stored twice while the network, the server and the database fail.

    .venv/bin/python bench/chaos.py [--records 5000] [--server-kills 6] [--pg-restarts 4] [--seed 1]
        [--drop-before 0.07] [--cut-request 0.05] [--drop-after 0.09] [--truncate 0.07] [--late 0.02]
        [--timeout 5] [--deadline 900] [--keep]

Everything runs on this machine, nothing shared is touched:
- a throwaway PostgreSQL cluster of its own (initdb on a free port, as the `postgres` user
  when run as root), migrated and seeded with `flask demo seed` (as many households as
  records), the demo enumerator given every village and assigned all their households
  (the admin's verbs, app.auth.accounts and app.campaigns.services);
- gunicorn as deployed (gunicorn.conf.py: 2 workers, 4 threads each, `--no-control-socket`)
  on a free port;
- a loopback proxy (asyncio) in front of it that, per connection and from a seeded random
  draw, drops the connection before forwarding the request, forwards only part of the
  request and cuts both sides, forwards it and drops the answer, truncates the answer, or
  holds the request for about the phone's time-out before forwarding it (the phone gives up
  and sends the batch again, so both copies reach the server at about the same time); when
  the server is down it answers 502 as nginx would;
- a phone-like client that signs in through the proxy (the login form, its session cookie,
  the CSRF token from /api/session) and drains an outbox of N valid records, one for each
  of N assigned households, as static/js/sync/engine.js does: batches of 5 doubling to 50
  while answers come within 2 s, halving after a failure, a time-out or a 5xx; `created`,
  `duplicate`, `conflict` and `invalid` take a record out of the outbox, `error` leaves it
  in for the next run until its fifth (then it needs the enumerator's attention, and fails
  the run); after a failed run it backs off as schedule.js does, with the delays divided by
  1,000; every retry sends the same content under the same id;
- a chaos schedule: at evenly spaced points of the outbox's progress, while a request is in
  flight, kill -9 gunicorn (master and workers: a crash, nothing finishes) and start it
  again, or restart PostgreSQL (`pg_ctl restart`, alternately `-m fast` and `-m immediate`,
  the latter a crash with recovery on start).

At the end the database is read with plain SQL and the script prints: records sent,
acknowledged (by answer), stored, duplicated (a record with more than one revision: the
phone never changed one), lost (acknowledged as created or duplicate but not stored), wrong
(stored answers or content hash not what was sent, or in another household), conflicts kept,
records never acknowledged, the most `error` answers one record got and the records left
needing attention, connections cut by kind and restarts done. Exit status 1 when any of
lost, duplicated, wrong, conflicts, unexpected answers, unacknowledged or needing attention
is above 0.
The run stops pushing after --deadline seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sync_ingest import record_for  # noqa: E402  (after the path is set)

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# static/js/sync/schedule.js: batch sizes, and the retry delay after failed runs
# (30 s doubling to 5 min on the phone; a thousandth of that here, so the run takes minutes).
BATCH_FIRST, BATCH_MIN, BATCH_MAX, BATCH_FAST_S = 5, 1, 50, 2.0
FIRST_RETRY_S, MAX_RETRY_S = 0.03, 0.3
ACKNOWLEDGED = ("created", "duplicate", "conflict", "invalid")
MAX_ERROR_ANSWERS = 5  # static/js/sync/schedule.js: then the record leaves the outbox as needing attention
FATES = ("drop_before", "cut_request", "drop_after", "truncate", "late")
BAD_GATEWAY = (b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\nContent-Length: 14\r\n"
               b"Connection: close\r\n\r\n{\"error\": 502}")
UPSTREAM_TIMEOUT_S = 120  # gunicorn's own worker timeout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def next_batch_size(size: int, ok: bool, elapsed: float = 0.0, full: bool = False) -> int:
    if not ok:
        return max(BATCH_MIN, size // 2)
    return min(BATCH_MAX, size * 2) if full and elapsed < BATCH_FAST_S else size


def retry_delay(failures: int) -> float:
    return min(FIRST_RETRY_S * 2 ** (failures - 1), MAX_RETRY_S) if failures > 0 else 0.0


class Postgres:
    """A cluster of the benchmark's own under ``work``; restarted at will, removed at the end."""

    def __init__(self, work: Path, bin_dir: Path):
        self.root = work / "postgres"
        self.data = self.root / "data"
        self.bin = bin_dir
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None  # initdb refuses to run as root
        self.options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/ruhu"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([str(self.bin / program), *args], user=self.user, check=True, stdout=subprocess.DEVNULL)

    def _ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", *args)

    def create(self) -> None:
        self.root.mkdir()
        if self.user:
            shutil.chown(self.root, self.user)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self._ctl("-o", self.options, "start")
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as connection:
            connection.execute("CREATE DATABASE ruhu")

    def restart(self, mode: str) -> None:
        self._ctl("-m", mode, "-o", self.options, "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._ctl("-m", "fast", "stop")


class Server:
    """gunicorn as deployed, in a process group of its own so that a crash takes every worker."""

    def __init__(self, port: int, env: dict, log: Path):
        self.port, self.env, self.log = port, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on port {self.port}; see {self.log}")

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)  # the group started above, by its leader's id

    def kill(self) -> None:
        self._signal_group(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.kill()


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.IGNORECASE)
    return head + (await reader.readexactly(int(length.group(1))) if length else b"")


class Proxy:
    """Loopback proxy with a seeded fate per connection (the client sends one request a connection)."""

    def __init__(self, upstream_port: int, rates: dict[str, float], seed: int, late_s: float):
        self.upstream_port, self.rates, self.late_s = upstream_port, rates, late_s
        self.rng = random.Random(seed)
        self.counts: Counter = Counter()  # written by the loop's thread only
        self.loop = asyncio.new_event_loop()
        self.port = 0
        started = threading.Event()
        self.thread = threading.Thread(target=self._serve, args=(started,), daemon=True)
        self.thread.start()
        started.wait()

    def _serve(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        started.set()
        self.loop.run_forever()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()

    def _fate(self) -> str:
        draw = self.rng.random()
        for fate in FATES:
            if draw < self.rates[fate]:
                return fate
            draw -= self.rates[fate]
        return "forwarded"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fate = self._fate()
        self.counts[fate] += 1
        try:
            request = await _read_request(reader)
            if fate == "drop_before":
                return
            if fate == "late":
                await asyncio.sleep(self.rng.uniform(0.8, 1.3) * self.late_s)
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            except OSError:
                self.counts["server_down_502"] += 1
                writer.write(BAD_GATEWAY)
                await writer.drain()
                return
            try:
                if fate == "cut_request":
                    upstream_writer.write(request[:self.rng.randrange(1, len(request))])
                    await upstream_writer.drain()
                    return
                upstream_writer.write(request)
                await upstream_writer.drain()
                response = await asyncio.wait_for(upstream_reader.read(), UPSTREAM_TIMEOUT_S)
            finally:
                upstream_writer.close()
            if fate == "drop_after":
                return
            if fate == "truncate" and len(response) > 1:
                response = response[:self.rng.randrange(1, len(response))]
            writer.write(response)
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            self.counts["broken_midway"] += 1  # the server died while answering, or the client gave up
        finally:
            writer.close()


class Failed(Exception):
    """No usable answer: the connection was cut or refused, the answer truncated or late, or a 5xx."""


class SignedOut(Exception):
    """401: the phone keeps everything and signs in again."""


def parsed(data: bytes):
    """The answer's JSON; an answer cut inside its headers (no Content-Length left) reads as a short body."""
    try:
        return json.loads(data)
    except ValueError as error:
        raise Failed("truncated answer") from error


class Phone:
    """The phone's HTTP: its cookies, the CSRF token, one request per connection, a time-out."""

    def __init__(self, port: int, username: str, password: str, timeout: float):
        self.port, self.username, self.password, self.timeout = port, username, password, timeout
        self.cookies: dict[str, str] = {}
        self.csrf_token: str | None = None
        self.busy = threading.Event()  # a request is in flight: when the chaos strikes
        self.stats: Counter = Counter()
        self.last_headers = None  # of the last answer

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None,
                extra_headers: dict | None = None):
        headers = {"Connection": "close", "Accept": "application/json", **(extra_headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        if method != "GET" and self.csrf_token:
            headers["X-CSRFToken"] = self.csrf_token
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.busy.set()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except TimeoutError as error:
            self.stats["timed out"] += 1
            raise Failed("time-out") from error
        except (OSError, http.client.HTTPException) as error:
            self.stats["no usable answer"] += 1
            raise Failed(type(error).__name__) from error
        finally:
            self.busy.clear()
            connection.close()
        self.stats[f"HTTP {response.status}"] += 1
        self.last_headers = response.headers
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        if response.status >= 500:
            raise Failed(str(response.status))
        return response.status, data

    def sign_in(self) -> None:
        """The sign-in page as a person uses it: its form's CSRF token, then username and password."""
        status, page = self.request("GET", "/login")
        if status == 302:
            return  # still signed in
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        if status != 200 or token is None:
            raise Failed(f"login page {status}")
        form = urlencode({"csrf_token": token.group(1).decode(), "username": self.username,
                          "password": self.password}).encode()
        status, _page = self.request("POST", "/login", form, "application/x-www-form-urlencoded")
        if status != 302:
            raise Failed(f"sign-in {status}")

    def session(self) -> None:
        status, data = self.request("GET", "/api/session")
        if status == 401:
            raise SignedOut
        if status != 200:
            raise Failed(f"session {status}")
        self.csrf_token = parsed(data)["csrf_token"]


class Sync:
    """static/js/sync/engine.js's runOnce and pushRecords over an outbox held in memory."""

    def __init__(self, phone: Phone, records: list[dict]):
        self.phone = phone
        self.outbox = {record["id"]: record for record in records}  # in the order the records were made
        self.acknowledged: dict[str, dict] = {}
        self.answers: Counter = Counter()  # every per-record answer, retries included
        self.errors: Counter = Counter()  # `error` answers per record
        self.attention: set[str] = set()  # records the phone stopped sending after MAX_ERROR_ANSWERS errors
        self.batch_size = BATCH_FIRST
        self.failures = 0
        self.sends = 0  # records put on the wire, retries included

    def drain(self, deadline: float) -> None:
        while self.outbox and time.monotonic() < deadline:
            try:
                self.phone.session()
                self.push_records()
                self.failures = 0
                if self.outbox:  # only records answered `error` are left: the phone looks again later
                    time.sleep(MAX_RETRY_S)
            except SignedOut:
                self.phone.stats["signed out"] += 1
                try:
                    self.phone.sign_in()
                except Failed:
                    self.back_off()
            except Failed:
                self.back_off()

    def back_off(self) -> None:
        self.failures += 1
        time.sleep(retry_delay(self.failures))

    def push_records(self) -> None:
        answered_error = set()  # this run's: sent again in the next run, not at once (engine.js)
        while waiting := [record for record_id, record in self.outbox.items() if record_id not in answered_error]:
            batch = waiting[:self.batch_size]
            started = time.monotonic()
            self.sends += len(batch)
            try:
                status, data = self.phone.request("POST", "/api/sync/records", json.dumps({"records": batch}).encode(),
                                                  "application/json")
            except Failed:
                self.batch_size = next_batch_size(self.batch_size, ok=False)
                raise
            if status == 401:
                raise SignedOut
            if status == 413:
                self.batch_size = next_batch_size(self.batch_size, ok=False)
                continue
            if status != 200:
                raise Failed(str(status))
            results = parsed(data)["results"]
            self.batch_size = next_batch_size(self.batch_size, ok=True, elapsed=time.monotonic() - started,
                                              full=len(batch) == self.batch_size)
            for result in results:
                self.answers[result["result"]] += 1
                if result["result"] in ACKNOWLEDGED and result["id"] in self.outbox:
                    self.acknowledged[result["id"]] = result
                    del self.outbox[result["id"]]
                elif result["result"] == "error" and result["id"] in self.outbox:
                    answered_error.add(result["id"])
                    self.errors[result["id"]] += 1
                    if self.errors[result["id"]] >= MAX_ERROR_ANSWERS:
                        self.attention.add(result["id"])
                        del self.outbox[result["id"]]

    def progress(self) -> float:
        return len(self.acknowledged) / (len(self.acknowledged) + len(self.outbox))


def chaos_plan(server_kills: int, pg_restarts: int, rng: random.Random) -> list[tuple[float, str]]:
    """Evenly spaced points of the outbox's progress, each with a failure; the kinds in a seeded order."""
    kinds = ["server"] * server_kills + [("pg fast", "pg immediate")[i % 2] for i in range(pg_restarts)]
    rng.shuffle(kinds)
    return [((index + 1) / (len(kinds) + 1), kind) for index, kind in enumerate(kinds)]


class Chaos(threading.Thread):
    def __init__(self, plan, sync: Sync, server: Server, postgres: Postgres, rng: random.Random, started: float):
        super().__init__(daemon=True)
        self.plan, self.sync, self.server, self.postgres, self.rng = plan, sync, server, postgres, rng
        self.started = started
        self.done: Counter = Counter()
        self.mid_request = 0  # of the strikes, those that came while the phone waited for an answer
        self.stopping = threading.Event()

    def run(self) -> None:
        for point, kind in self.plan:
            while self.sync.progress() < point:
                if self.stopping.wait(0.02):
                    return
            self.sync.phone.busy.wait(timeout=5)  # strike while a request is in flight
            time.sleep(self.rng.uniform(0, 0.3))
            self.mid_request += self.sync.phone.busy.is_set()
            if kind == "server":
                self.server.kill()
                self.server.start()
            else:
                self.postgres.restart(kind.split()[1])
            self.done[kind] += 1
            print(f"  {time.monotonic() - self.started:6.1f} s  at {self.sync.progress():4.0%}  {kind} restarted",
                  flush=True)


def assign_every_village(app) -> tuple[str, str]:
    """As the county admin does on the admin pages: the demo enumerator covers every village
    and is assigned every household in the current campaign. Returns the enumerator's login."""
    from sqlalchemy import select

    from app.auth import accounts
    from app.auth.models import User
    from app.campaigns import services as campaigns
    from app.census import services as census
    from app.demo import generator
    from app.extensions import db
    from app.geo.models import Area

    username = next(login[0] for login in generator.LOGINS if login[2] == "enumerator")
    admin_name = next(login[0] for login in generator.LOGINS if login[2] == "county_admin")
    with app.app_context():
        admin, enumerator = (db.session.scalar(select(User).where(User.username == name))
                             for name in (admin_name, username))
        villages = db.session.scalars(select(Area).where(Area.level == "village").order_by(Area.code)).all()
        accounts.update_user(admin, enumerator, enumerator.display_name, enumerator.role,
                             [village.id for village in villages])
        campaign = census.current_campaign()
        for village in villages:
            campaigns.assign_area(admin, campaign, village, enumerator)
        db.engine.dispose()
    return username, generator.PASSWORD


def build_records(app, username: str, count: int, rng: random.Random) -> list[dict]:
    """One valid record for each of ``count`` households assigned to ``username`` (a household
    has one record a campaign), ids from the seeded generator."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from app import clock
    from app.auth.models import User
    from app.campaigns.models import Assignment
    from app.census import definitions
    from app.census import services as census
    from app.extensions import db
    from app.households.models import Household

    with app.app_context():
        campaign = census.current_campaign()
        definition = definitions.get(campaign.form_version)
        households = db.session.scalars(
            select(Household).join(Assignment, Assignment.household_id == Household.id)
            .join(User, User.id == Assignment.enumerator_id)
            .where(Assignment.campaign_id == campaign.id, User.username == username)
            .options(selectinload(Household.members)).order_by(Household.id).limit(count)).all()
        if len(households) < count:
            raise SystemExit(f"{count} records need as many households; the county has {len(households)}")
        # The facts each record is checked against, read for all the households at once.
        facts = census.facts_for(campaign, [(household, census.prefill(household, clock.today()))
                                            for household in households])
        records = [record_for(household, campaign, definition, n, str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                              facts[n])
                   for n, household in enumerate(households)]
        db.engine.dispose()
    return records


def audit(app, sent: list[dict], sync: Sync) -> dict:
    """What the database holds against what the phone sent and was told, read with plain SQL."""
    from sqlalchemy import JSON, text

    from app.extensions import db
    from app.records.canonical import content_sha256

    with app.app_context():
        submissions = {row.id: row for row in db.session.execute(text("SELECT id, household_id FROM submission"))}
        revisions: dict[str, list] = {}
        for row in db.session.execute(text(  # answers decoded as the JSON type does, on either database
                "SELECT submission_id, number, content_sha256, answers FROM submission_revision ORDER BY number")
                .columns(answers=JSON)):
            revisions.setdefault(row.submission_id, []).append(row)
        conflicts = db.session.scalar(text("SELECT count(*) FROM sync_conflict"))
        db.engine.dispose()
    sent_ids = {record["id"] for record in sent}
    stored = [record for record in sent if record["id"] in submissions]
    wrong = sum(1 for record in stored
                if submissions[record["id"]].household_id != record["household_id"]
                or revisions[record["id"]][-1].content_sha256 != content_sha256(record["answers"])
                or revisions[record["id"]][-1].answers != record["answers"])
    same_content = sum(1 for record_id in sent_ids & submissions.keys()
                       if len({row.content_sha256 for row in revisions[record_id]}) < len(revisions[record_id]))
    told = Counter(result["result"] for result in sync.acknowledged.values())
    return {
        "sent": len(sent),
        "acknowledged": len(sync.acknowledged),
        "acknowledged as": dict(told),
        "stored": len(stored),
        "duplicated": sum(1 for record in stored if len(revisions[record["id"]]) > 1),
        "of which same content": same_content,
        "lost": sum(1 for record_id, result in sync.acknowledged.items()
                    if result["result"] in ("created", "duplicate") and record_id not in submissions),
        "wrong": wrong,
        "stored but never sent": len(submissions.keys() - sent_ids),
        "conflicts kept": conflicts,
        "unexpected answers (conflict, invalid)": told["conflict"] + told["invalid"],
        "never acknowledged": len(sync.outbox),
        "most error answers to one record": max(sync.errors.values(), default=0),
        "needs attention (error answered 5 times)": len(sync.attention),
    }


FAILING = ("duplicated", "lost", "wrong", "stored but never sent", "conflicts kept",
           "unexpected answers (conflict, invalid)", "never acknowledged", "needs attention (error answered 5 times)")


def migrate_and_seed(env: dict, households: int) -> None:
    """The deployed stack's database made as `make run` makes it: migrations, then the demo county."""
    for command in (["db", "upgrade"], ["demo", "seed", "--households", str(households)]):
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"flask {' '.join(command)} failed:\n{done.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--server-kills", type=int, default=6)
    parser.add_argument("--pg-restarts", type=int, default=4, help="alternately -m fast and -m immediate")
    parser.add_argument("--drop-before", type=float, default=0.07, help="share of connections dropped unforwarded")
    parser.add_argument("--cut-request", type=float, default=0.05, help="share forwarded in part, then cut")
    parser.add_argument("--drop-after", type=float, default=0.09, help="share whose answer is dropped")
    parser.add_argument("--truncate", type=float, default=0.07, help="share whose answer is truncated")
    parser.add_argument("--late", type=float, default=0.02, help="share held for about the phone's time-out")
    parser.add_argument("--timeout", type=float, default=5, help="the phone's time-out, seconds (30 on the phone)")
    parser.add_argument("--deadline", type=float, default=900, help="stop pushing after this many seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-bin", type=Path, default=PG_BIN)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, database) at the end")
    options = parser.parse_args()
    rng = random.Random(options.seed)

    work = Path(tempfile.mkdtemp(prefix="ruhu-chaos-"))
    work.chmod(0o755)  # the postgres user must reach its cluster inside
    env = {**os.environ, "RUHU_INSTANCE_DIR": str(work / "instance"), "SECRET_KEY": secrets.token_hex(32)}
    (work / "instance").mkdir()
    postgres = Postgres(work, options.pg_bin)
    server = None
    proxy = None
    try:
        postgres.create()
        env["DATABASE_URL"] = postgres.url
        migrate_and_seed(env, options.records)
        os.environ.update(RUHU_INSTANCE_DIR=env["RUHU_INSTANCE_DIR"], SECRET_KEY=env["SECRET_KEY"])
        from app import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": postgres.url.replace("postgresql://", "postgresql+psycopg://")})
        username, password = assign_every_village(app)
        records = build_records(app, username, options.records, rng)

        port = free_port()
        server = Server(port, {**env, "RUHU_BIND": f"127.0.0.1:{port}", "RUHU_WORKERS": "2"}, work / "gunicorn.log")
        server.start()
        server.wait_ready()
        rates = {fate: getattr(options, fate) for fate in FATES}
        proxy = Proxy(port, rates, options.seed, options.timeout)
        phone = Phone(proxy.port, username, password, options.timeout)
        sync = Sync(phone, records)
        plan = chaos_plan(options.server_kills, options.pg_restarts, rng)
        print(f"{len(records):,} records of {len({r['household_id'] for r in records}):,} households; "
              f"{sum(rates.values()):.0%} of connections cut or held; chaos: {', '.join(kind for _point, kind in plan) or 'none'}",
              flush=True)
        started = time.monotonic()
        chaos = Chaos(plan, sync, server, postgres, rng, started)
        chaos.start()
        sync.drain(started + options.deadline)
        elapsed = time.monotonic() - started
        chaos.stopping.set()
        chaos.join()
        server.wait_ready()  # the last restart's server is up before the counts are read
        proxy.stop()

        figures = audit(app, records, sync)
        print(f"pushed in {elapsed:.1f} s ({len(records) / elapsed:.0f} records/s), {sync.sends:,} record sends")
        for name, value in figures.items():
            print(f"  {name:<40} {value}")
        print(f"  {'answers over the run':<40} {dict(sync.answers)}")
        print(f"  {'connections through the proxy':<40} {sum(proxy.counts[f] for f in (*FATES, 'forwarded')):,}")
        print(f"  {'connections cut':<40} { {fate: proxy.counts[fate] for fate in FATES} }")
        print(f"  {'proxy also saw':<40} server down (502) {proxy.counts['server_down_502']}, "
              f"broken midway {proxy.counts['broken_midway']}")
        print(f"  {'phone saw':<40} {dict(sorted(phone.stats.items()))}")
        print(f"  {'restarts done':<40} {dict(chaos.done)} of {len(plan)} planned, "
              f"{chaos.mid_request} while a request was in flight")
        failed = [name for name in FAILING if figures[name]] + (["restarts"] if sum(chaos.done.values()) < len(plan)
                                                              else [])
        print("FAILED: " + ", ".join(failed) if failed else "OK: nothing lost, duplicated or wrong")
        return 1 if failed else 0
    finally:
        if proxy is not None and proxy.thread.is_alive():
            proxy.stop()
        if server is not None:
            server.stop()
        postgres.stop()
        if options.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
