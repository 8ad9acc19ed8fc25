"""Benchmark: records per second pushed over real HTTP to gunicorn on PostgreSQL.

    .venv/bin/python bench/http_ingest.py [--records 4000] [--clients 8] [--batch 50]

Everything on this machine, as bench/chaos.py sets it up: a throwaway PostgreSQL cluster of
its own, migrated and seeded with `flask demo seed` (as many households as records), the
demo enumerator given every village and assigned every household, and gunicorn as deployed
(gunicorn.conf.py: 2 workers, 4 threads each, `--no-control-socket`) on a free port. Then
``--clients`` phone-like clients (threads, each signed in through the login form with its
own session, each with its own share of the records) push batches of ``--batch`` records to
POST /api/sync/records over loopback, one connection a request, as fast as answers come.

Printed: records/s from the first request to the last answer, the batches' p50/p95/max
time, and the answers; every record must answer ``created`` and be stored once (checked with
plain SQL at the end). Baseline in the same run: GET /healthz (no database) for the same
clients, the rate of requests the server answers at all. And the CPU time gunicorn (master
and workers), PostgreSQL (postmaster and backends) and the clients (this process) used during
the push, from /proc (bench/load.py's ``cpu_seconds``), per record: on a machine whose cores
are shared by all three, what the rate per core of the server would be.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.chaos import (  # noqa: E402  (after the path is set)
    PG_BIN,
    Phone,
    Postgres,
    Server,
    assign_every_village,
    build_records,
    free_port,
    migrate_and_seed,
)
from bench.load import cpu_seconds  # noqa: E402
from bench.sync_ingest import phone_body  # noqa: E402


def push_all(port: int, username: str, password: str, shares: list[list[dict]], batch: int) -> dict:
    """Each client signs in, then pushes its share; returns the timing and the answers."""
    phones = [Phone(port, username, password, timeout=120) for _share in shares]
    for phone in phones:
        phone.sign_in()
        phone.session()
    times: list[float] = []
    answers: Counter = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(len(phones) + 1)

    def client(phone: Phone, share: list[dict]) -> None:
        start_line.wait()
        for offset in range(0, len(share), batch):
            body = phone_body(share[offset:offset + batch])
            started = time.perf_counter()
            try:
                status, data = phone.request("POST", "/api/sync/records", body, "application/json")
            except Exception as error:  # a failed request is reported, not retried: the rate would lie
                with lock:
                    failures.append(repr(error))
                continue
            elapsed = time.perf_counter() - started
            results = json.loads(data)["results"] if status == 200 else []
            with lock:
                times.append(elapsed)
                answers.update(result["result"] for result in results)
                if status != 200:
                    failures.append(f"HTTP {status}")

    threads = [threading.Thread(target=client, args=(phone, share)) for phone, share in zip(phones, shares)]
    for thread in threads:
        thread.start()
    start_line.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return {"seconds": time.perf_counter() - started, "times": sorted(times), "answers": answers,
            "failures": failures}


def health_rate(port: int, clients: int, seconds: float) -> float:
    """Requests/s GET /healthz answers for ``clients`` clients, one connection a request."""
    done = Counter()
    until = time.perf_counter() + seconds

    def client(index: int) -> None:
        phone = Phone(port, "", "", timeout=30)
        while time.perf_counter() < until:
            phone.request("GET", "/healthz")
            done[index] += 1

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done.values()) / (time.perf_counter() - started)


def stored(app, records: list[dict]) -> tuple[int, int]:
    """(records stored, revisions stored) among those sent, read with plain SQL."""
    from sqlalchemy import text

    from app.extensions import db

    ids = {record["id"] for record in records}
    with app.app_context():
        rows = db.session.execute(text("SELECT s.id, count(r.id) FROM submission s "
                                       "JOIN submission_revision r ON r.submission_id = s.id GROUP BY s.id")).all()
        db.engine.dispose()
    return sum(1 for record_id, _count in rows if record_id in ids), \
        sum(count for record_id, count in rows if record_id in ids)


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--pg-bin", type=Path, default=PG_BIN)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ruhu-http-ingest-"))
    work.chmod(0o755)  # the postgres user must reach its cluster inside
    env = {**os.environ, "RUHU_INSTANCE_DIR": str(work / "instance"), "SECRET_KEY": secrets.token_hex(32)}
    (work / "instance").mkdir()
    postgres = Postgres(work, options.pg_bin)
    server = None
    try:
        postgres.create()
        env["DATABASE_URL"] = postgres.url
        seed_started = time.perf_counter()
        migrate_and_seed(env, options.records)
        os.environ.update(RUHU_INSTANCE_DIR=env["RUHU_INSTANCE_DIR"], SECRET_KEY=env["SECRET_KEY"])
        from app import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": postgres.url.replace("postgresql://", "postgresql+psycopg://")})
        username, password = assign_every_village(app)
        records = build_records(app, username, options.records, random.Random(1))
        print(f"seeded {options.records:,} households and made their records in "
              f"{time.perf_counter() - seed_started:.0f} s", flush=True)
        port = free_port()
        server = Server(port, {**env, "RUHU_BIND": f"127.0.0.1:{port}", "RUHU_WORKERS": "2"}, work / "gunicorn.log")
        server.start()
        server.wait_ready()
        baseline = health_rate(port, options.clients, 5.0)
        # Contiguous shares: a phone's households are its own village's, as in the field.
        size = -(-len(records) // options.clients)
        shares = [records[index:index + size] for index in range(0, len(records), size)]
        postmaster = int((postgres.data / "postmaster.pid").read_text().split()[0])
        leaders = {"gunicorn": server.process.pid, "PostgreSQL": postmaster}
        cpu_before = {name: cpu_seconds(pid) for name, pid in leaders.items()}
        clients_before = time.process_time()
        run = push_all(port, username, password, shares, options.batch)
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in leaders.items()}
        cpu["clients"] = time.process_time() - clients_before
        count, revisions = stored(app, records)
        times = run["times"]
        print(f"gunicorn (2 workers x 4 threads) on PostgreSQL, {len(shares)} clients, batches of {options.batch}:")
        print(f"  baseline GET /healthz              {baseline:8.0f} requests/s")
        print(f"  POST /api/sync/records             {len(records) / run['seconds']:8.0f} records/s"
              f"   ({len(records):,} records in {run['seconds']:.1f} s; goal >= 1,000)")
        if times:
            print(f"  a batch: p50 {statistics.median(times) * 1000:.0f} ms, p95 {percentile(times, 0.95) * 1000:.0f} ms,"
                  f" max {times[-1] * 1000:.0f} ms")
        print(f"  answers {dict(run['answers'])}; failed requests {len(run['failures'])}"
              f"{' ' + str(Counter(run['failures']).most_common(3)) if run['failures'] else ''}")
        print(f"  stored {count:,} of {len(records):,} records, {revisions:,} revisions")
        print("  CPU during the push: " + ", ".join(
            f"{name} {seconds:.1f} s ({seconds / len(records) * 1000:.2f} ms a record)" for name, seconds in cpu.items()))
        server_cpu = cpu["gunicorn"] + cpu["PostgreSQL"]
        print(f"  records per CPU second of the server (gunicorn + PostgreSQL): {len(records) / server_cpu:.0f};"
              f" the load average after the push: {os.getloadavg()[0]:.1f}")
        return 0 if count == revisions == len(records) and run["answers"]["created"] == len(records) else 1
    finally:
        if server is not None:
            server.stop()
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
