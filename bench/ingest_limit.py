"""Benchmark: the sync batch endpoint's ingest rate beside the limit for one process.

    .venv/bin/python bench/ingest_limit.py [--households 1000] [--database sqlite|postgresql|both]

The limit (issue 18) is the time to compute and validate a record with the engine (no
database: the facts a batch reads first are read beforehand, untimed) plus the time to
insert its rows in bulk: its submission, revision and people rows with executemany, one
transaction per 50 records. The endpoint is POST /api/sync/records through the Flask test
client (signed in, CSRF header, batches of 50 encoded as JSON beforehand as the phone does,
each response closed as a server does, so the recount asked for after it is in the time).

Per database: a fresh database made by the migrations (SQLite file, or a scratch PostgreSQL
database on 127.0.0.1:5432 dropped at the end) with 2 × N households of 5 members
(bench/sync_ingest.py's county and records): the endpoint stores the records of the first
N, the limit's rows go to the other N (a household has one record per campaign). The two
are timed batch by batch in turn, so that both meet the same load on a shared machine.
Printed: both rates, and their ratio (aim >= 0.7).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the app, which bench/sync_ingest.py imports first
sys.path.insert(0, str(ROOT / "bench"))

from sync_ingest import BATCH, make_app, phone_body, populate, records, scratch_postgres, settled, signed_in  # noqa: E402


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float

    @classmethod
    def now(cls) -> Timing:
        return cls(time.perf_counter(), time.process_time())

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)

    def __sub__(self, other: Timing) -> Timing:
        return Timing(self.wall - other.wall, self.cpu - other.cpu)


def facts_of(campaign, households: dict, batch: list[dict]) -> list:
    """What the endpoint reads once per batch before the engine runs (untimed here)."""
    from app.census import services as census

    return census.facts_for(campaign, [(households[record["household_id"]], record["answers"]) for record in batch])


def engine_and_bulk_insert(user_id: int, campaign, households: dict, definition: dict, batch: list[dict],
                           facts: list) -> tuple[Timing, Timing]:
    """The time to evaluate the batch's records, and to insert their rows with executemany."""
    from sqlalchemy import insert

    from app.census import services as census
    from app.extensions import db
    from app.households.models import RecordPerson
    from app.records.canonical import content_sha256
    from app.records.models import Submission, SubmissionRevision, people_rows, summary

    start = Timing.now()
    results = [census.evaluate(households[record["household_id"]], campaign, record["answers"], definition, found)
               for record, found in zip(batch, facts)]
    evaluated = Timing.now()
    submissions, revisions, people = [], [], []
    for record, result in zip(batch, results):
        server_result = {"income": result["income"], "screening": result["screening"], "issues": result["issues"]}
        submissions.append({"id": record["id"], "household_id": record["household_id"], "campaign_id": campaign.id,
                            "enumerator_id": user_id, "revision": 1, "status": "submitted", "version": 1,
                            "result_mismatch": False, "complete": True, **summary(server_result)})
        revisions.append({"submission_id": record["id"], "number": 1, "answers": record["answers"],
                          "content_sha256": content_sha256(record["answers"]), "form_version": record["form_version"],
                          "client_result": record["client_result"], "server_result": server_result,
                          "base_revision": None, "enumerator_id": user_id})
        people += people_rows(record["id"], record["household_id"], campaign.id, record["answers"])
    with db.engine.begin() as connection:
        connection.execute(insert(Submission.__table__), submissions)
        connection.execute(insert(SubmissionRevision.__table__), revisions)
        connection.execute(insert(RecordPerson.__table__), people)
    return evaluated - start, Timing.now() - evaluated


def push(client, token: str, body: bytes) -> Timing:
    """One batch, its JSON encoded beforehand: encoding it is the phone's work, not the endpoint's."""
    start = Timing.now()
    response = client.post("/api/sync/records", data=body, content_type="application/json",
                           headers={"X-CSRFToken": token})
    outcomes = {result["result"] for result in response.get_json()["results"]}
    response.close()
    seconds = Timing.now() - start
    assert response.status_code == 200 and outcomes == {"created"}, (response.status_code, outcomes)
    return seconds


def run(database: str, households: int, work: Path) -> None:
    url, drop = (f"sqlite:///{work / f'limit-{households}.sqlite3'}", lambda: None) if database == "sqlite" \
        else scratch_postgres()
    try:
        app = make_app(url)
        with app.app_context():
            from sqlalchemy import select
            from sqlalchemy.orm import selectinload

            from app.campaigns.models import Campaign
            from app.census import definitions
            from app.extensions import db
            from app.households.models import Household

            user_id, campaign_id = populate(2 * households)
            made = records(campaign_id)
            pushed, inserted = made[:households], made[households:]
        client = signed_in(app, user_id)
        token = client.get("/api/session").get_json()["csrf_token"]
        endpoint = engine = bulk = Timing(0.0, 0.0)
        with app.app_context():
            campaign = db.session.get(Campaign, campaign_id)
            definition = definitions.get(campaign.form_version)
            by_id = {household.id: household for household in db.session.scalars(
                select(Household).options(selectinload(Household.village), selectinload(Household.group)))}
            bodies = [phone_body(pushed[offset:offset + BATCH]) for offset in range(0, households, BATCH)]
            settled()
            for offset, body in zip(range(0, households, BATCH), bodies):
                endpoint += push(client, token, body)
                batch = inserted[offset:offset + BATCH]
                seconds = engine_and_bulk_insert(user_id, campaign, by_id, definition, batch,
                                                 facts_of(campaign, by_id, batch))
                engine, bulk = engine + seconds[0], bulk + seconds[1]
            db.engine.dispose()
        limit = engine + bulk
        print(f"{database}: {households:,} records each way (5 members, 24 money items), batches of {BATCH};"
              " wall seconds, and this process's CPU seconds (with SQLite, the database's work too)")
        for name, timing in (("engine alone (compute + validate)", engine),
                             ("rows with executemany, a commit a batch", bulk),
                             ("limit: engine + bulk insert", limit), ("POST /api/sync/records", endpoint)):
            print(f"  {name:40} {timing.wall:7.2f} s  {households / timing.wall:7.0f} records/s"
                  f"   CPU {timing.cpu:6.2f} s  {households / timing.cpu:7.0f} records/s")
        print(f"  ratio endpoint / limit: {limit.wall / endpoint.wall:4.2f} by wall time, "
              f"{limit.cpu / endpoint.cpu:4.2f} by CPU time (aim >= 0.7)")
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ruhu-bench-"))
    os.environ.setdefault("RUHU_INSTANCE_DIR", str(work / "instance"))
    for database in ("sqlite", "postgresql") if options.database == "both" else (options.database,):
        run(database, options.households, work)


if __name__ == "__main__":
    main()
