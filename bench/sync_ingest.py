"""Benchmark: ingest throughput of the sync batch endpoint against a plain insert.

    .venv/bin/python bench/sync_ingest.py [--households 2000] [--engine sqlite|postgresql|both]

Per engine: a fresh database made by the migrations (a SQLite file; a scratch PostgreSQL
database on 127.0.0.1:5432 as user postgres, dropped at the end), a county of 10 villages
and 3 × N households of 5 members assigned to one enumerator in a campaign (the endpoint
records the first N; each baseline inserts its rows for N others). Each household gets
a realistic record: 5 members, every income, expense and beside item filled (24 money
answers), the phone's own result. Timed: pushing every record through the real HTTP
endpoint (Flask test client, signed in, CSRF header, batches of 50): parse, scope, engine,
validation, one transaction per batch with a savepoint per record. Baselines in the same
run and database: inserting the same submission and revision rows (the server results read
back) straight with SQLAlchemy Core, (1) one transaction per record (what the endpoint paid
before issue 18), and (2) all of them with executemany in one transaction. The figure is the
ratio to (1) (aim ≥ 0.5, issue 4); the ratio to (2) is printed too. bench/ingest_limit.py
measures the endpoint against the engine plus a bulk insert (issue 18).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

from app import clock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BATCH = 50
VILLAGES = 10


def scratch_postgres():
    import psycopg

    name = f"ruhu_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def make_app(url: str):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    with app.app_context():
        upgrade()
    return app


def populate(households: int):
    """County, villages, households of 5 (numbered village by village, as an enumerator's batch
    holds one village's records), a campaign with a threshold, all assigned to 'enum'."""
    from sqlalchemy import insert, select

    from app import identity
    from app.auth.models import User
    from app.campaigns.models import Assignment, Campaign, MonitoringThreshold
    from app.extensions import db
    from app.geo.models import Area
    from app.households.models import Household, Member

    county = Area(code="530102000000", name="县", level="county", code_year=2026)
    township = Area(code="530102100000", name="镇", level="township", parent=county, code_year=2026)
    villages = [Area(code=f"530102100{201 + i:03d}", name=f"村{i}", level="village", parent=township, code_year=2026)
                for i in range(VILLAGES)]
    user = User(username="enum", display_name="采集员", role="enumerator", areas=[county])
    user.set_password("bench-password")
    campaign = Campaign(name="2026", year=2026, form_version="2026.1")
    campaign.thresholds.append(MonitoringThreshold(year=2026, area=county, amount_fen=870000))
    db.session.add_all([county, township, *villages, user, campaign])
    db.session.commit()
    db.session.execute(insert(Household), [
        {"household_number": f"H{n:06d}", "village_id": villages[n * VILLAGES // households].id, "household_type": "ordinary",
         "phone": "13800138000"} for n in range(households)])
    ids = dict(db.session.execute(select(Household.household_number, Household.id)).all())
    people = [("head", "male", 1970), ("spouse", "female", 1972), ("son", "male", 1995), ("daughter", "female", 1998),
              ("mother", "female", 1948)]
    members, sequence = [], 0
    for n in range(households):
        for relation, sex, year in people:
            sequence += 1
            number = sequence * 2 + (1 if sex == "male" else 0)
            born = dt.date(year, 1 + n % 12, 1 + n % 28)
            members.append({"household_id": ids[f"H{n:06d}"], "name": f"成员{n}-{relation}", "relation": relation,
                            "sex": sex, "birth_date": born, "labour_capacity": "ordinary",
                            "residents_medical_insurance": True,
                            "id_number": identity.make(f"53{number // 1000 % 10000:04d}", born, number % 1000)})
    db.session.execute(insert(Member), members)
    db.session.execute(insert(Assignment), [{"campaign_id": campaign.id, "household_id": i, "enumerator_id": user.id}
                                            for i in ids.values()])
    db.session.commit()
    return user.id, campaign.id


def records(campaign_id: int, count: int | None = None) -> list[dict]:
    """One realistic record per household (of the first ``count``) with the phone's result, as
    a phone would send it."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from app.campaigns.models import Campaign
    from app.census import definitions
    from app.extensions import db
    from app.households.models import Household

    campaign = db.session.get(Campaign, campaign_id)
    definition = definitions.get(campaign.form_version)
    households = db.session.scalars(select(Household).options(selectinload(Household.members))
                                    .order_by(Household.id).limit(count))
    return [record_for(household, campaign, definition, n, str(uuid.uuid4())) for n, household in enumerate(households)]


def record_for(household, campaign, definition: dict, n: int, record_id: str, facts=None) -> dict:
    """A complete record of the household as an enumerator fills it in: the roster prefill,
    every money answer filled (amounts vary with ``n``), and the phone's own result.
    ``facts``: the household's, read beforehand for many (``census.services.facts_for``)."""
    from app.census import services

    money = [q["id"] for s in definition["sections"] if s.get("answers") == "income" for q in s["questions"]]
    answers = services.prefill(household, clock.today())
    answers["household"].update(relocation_site=False)
    if not answers["household"].get("phone"):
        answers["household"]["phone"] = "13800138000"  # the roster lacks it: the enumerator asks
    for member in answers["members"]:  # what the roster lacks
        member["ethnicity"] = member.get("ethnicity") or "01"
        member["pension_insurance"] = member.get("pension_insurance") or "residents"
        if not member.get("schooling"):
            member["education_level"] = member.get("education_level") or "junior_secondary"
        if not member.get("residents_medical_insurance") and not member.get("employees_medical_insurance"):
            member["residents_medical_insurance"] = True
    answers["guarantees"] = {g["id"]: True for g in definition["guarantees"]}
    answers["consent"] = {"consent_given": True, "consent_signer": answers["members"][0]["name"]}
    answers["income"] = {item: f"{(n * 37 + index * 113) % 9000 + 100}.{index % 100:02d}"
                         for index, item in enumerate(money)}
    result = services.evaluate(household, campaign, answers, definition, facts)
    asked = [re.fullmatch(r"members\[(\d+)\]\.out_of_school_reason", issue["path"]) for issue in result["issues"]]
    out_of_school = any(issue["code"] == "education_guarantee_out_of_school" for issue in result["issues"])
    if any(asked) or out_of_school:  # a school-age child out of school: the form asks why; schooling is not secured
        for found in filter(None, asked):
            answers["members"][int(found[1])]["out_of_school_reason"] = "长期患病，在家休养"
        if out_of_school:
            answers["guarantees"].update(compulsory_education=False, compulsory_education_note="适龄儿童因病休学")
        result = services.evaluate(household, campaign, answers, definition, facts)
    assert not [i for i in result["issues"] if i["severity"] == "error"], result["issues"]
    return {"id": record_id, "household_id": household.id, "form_version": campaign.form_version,
            "base_revision": None, "answers": answers,
            "client_result": {"income": result["income"], "screening": result["screening"]}, "attachments": []}


def phone_body(batch: list[dict]) -> bytes:
    """A push's body as the phone's JSON.stringify writes it: UTF-8 text as it is (no \\u
    escapes for Chinese, which Python's json.dumps writes by default), no spaces."""
    return json.dumps({"records": batch}, ensure_ascii=False, separators=(",", ":")).encode()


def settled() -> None:
    """Collect, then freeze what the set-up left (the app, the records held for pushing) out
    of the garbage collector, as gunicorn.conf.py freezes a worker's app once it is loaded: a
    full collection then walks only what the run itself made, instead of landing, some 0.1 s
    long, on whichever side of a comparison happens to cross the collector's threshold."""
    gc.collect()
    gc.freeze()


def signed_in(app, user_id: int):
    """A client whose session names the user as a sign-in would (User.get_id), without the password."""
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        session_id = db.session.get(User, user_id).get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
    return client


def ingest_over_http(app, user_id: int, batch_records: list[dict]) -> tuple[float, float]:
    """Wall seconds, and this process's CPU seconds (with SQLite, the database's work too):
    on a shared machine the CPU figure is the steadier one to compare."""
    client = signed_in(app, user_id)
    token = client.get("/api/session").get_json()["csrf_token"]
    start, cpu_start = time.perf_counter(), time.process_time()
    for offset in range(0, len(batch_records), BATCH):
        response = client.post("/api/sync/records", json={"records": batch_records[offset:offset + BATCH]},
                               headers={"X-CSRFToken": token})
        outcomes = {result["result"] for result in response.get_json()["results"]}
        response.close()  # as a server does: the batch's village is counted again after the response
        assert response.status_code == 200 and outcomes == {"created"}, (response.status_code, outcomes)
    return time.perf_counter() - start, time.process_time() - cpu_start


def plain_rows(user_id: int, campaign_id: int) -> list[tuple[dict, dict]]:
    """The stored submission and revision rows again, under new ids, each for a household
    without a record (a household has one record a campaign): what a straight insert writes."""
    from sqlalchemy import select

    from app.extensions import db
    from app.households.models import Household
    from app.records.models import Submission, SubmissionRevision

    stored = db.session.execute(select(SubmissionRevision.__table__)
                                .join(Submission, SubmissionRevision.submission_id == Submission.id)
                                .order_by(Submission.household_id)).all()
    free = db.session.scalars(select(Household.id).where(Household.id.not_in(select(Submission.household_id)))
                              .order_by(Household.id)).all()
    rows = []
    for row, household_id in zip(stored, free):
        new_id = str(uuid.uuid4())
        rows.append(({"id": new_id, "household_id": household_id, "campaign_id": campaign_id,
                      "enumerator_id": user_id, "revision": 1, "status": "submitted", "version": 1,
                      "result_mismatch": False, "complete": True},
                     {"submission_id": new_id, "number": 1, "answers": row.answers,
                      "content_sha256": row.content_sha256, "form_version": row.form_version,
                      "client_result": row.client_result, "server_result": row.server_result,
                      "base_revision": None, "enumerator_id": user_id}))
    db.session.remove()
    return rows


def insert_per_record(rows) -> float:
    """Each record's two rows in a transaction of its own: the durability the endpoint gives."""
    from app.extensions import db
    from app.records.models import Submission, SubmissionRevision

    start = time.perf_counter()
    for submission, revision in rows:
        with db.engine.begin() as connection:
            connection.execute(Submission.__table__.insert(), submission)
            connection.execute(SubmissionRevision.__table__.insert(), revision)
    return time.perf_counter() - start


def insert_in_bulk(rows) -> float:
    """All rows with two executemany calls in one transaction: the fastest a database takes them."""
    from app.extensions import db
    from app.records.models import Submission, SubmissionRevision

    start = time.perf_counter()
    with db.engine.begin() as connection:
        connection.execute(Submission.__table__.insert(), [submission for submission, _ in rows])
        connection.execute(SubmissionRevision.__table__.insert(), [revision for _, revision in rows])
    return time.perf_counter() - start


def run(engine: str, households: int, work: Path) -> None:
    url, drop = (f"sqlite:///{work / 'bench.sqlite3'}", lambda: None) if engine == "sqlite" else scratch_postgres()
    try:
        app = make_app(url)
        with app.app_context():
            user_id, campaign_id = populate(3 * households)  # the endpoint's, and each baseline's
            batch_records = records(campaign_id, households)
        http_seconds, http_cpu_seconds = ingest_over_http(app, user_id, batch_records)
        with app.app_context():
            rows = plain_rows(user_id, campaign_id)
            per_record_seconds = insert_per_record(rows)
            bulk_rows = plain_rows(user_id, campaign_id)[:len(rows)]
            bulk_seconds = insert_in_bulk(bulk_rows)
            from app.extensions import db

            db.engine.dispose()
        count = len(batch_records)
        http_rate = count / http_seconds
        per_record_rate, bulk_rate = len(rows) / per_record_seconds, len(bulk_rows) / bulk_seconds
        print(f"{engine}: {count:,} records (5 members, 24 money items each), batches of {BATCH}")
        print(f"  ingest through POST /api/sync/records       {http_seconds:7.2f} s  {http_rate:8.0f} records/s"
              f"   (CPU of this process {http_cpu_seconds:.2f} s)")
        print(f"  same rows, one transaction per record       {per_record_seconds:7.2f} s  {per_record_rate:8.0f} records/s"
              f"   ratio {http_rate / per_record_rate:5.2f}  (aim >= 0.5)")
        print(f"  same rows, executemany in one transaction   {bulk_seconds:7.2f} s  {bulk_rate:8.0f} records/s"
              f"   ratio {http_rate / bulk_rate:5.2f}")
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ruhu-bench-"))
    os.environ.setdefault("RUHU_INSTANCE_DIR", str(work / "instance"))
    for engine in ("sqlite", "postgresql") if options.engine == "both" else (options.engine,):
        run(engine, options.households, work)


if __name__ == "__main__":
    main()
