"""Benchmark: reports at 200,000 households on PostgreSQL (issue 6).

    .venv/bin/python bench/reports.py [--households 200000] [--share 0.85] [--samples 20]

Builds a scratch PostgreSQL database on 127.0.0.1:5432 (user postgres) with the migrations,
seeds the demo county with ``app.demo.services.seed`` (~3.5 members a household), then gives
a share of the households a census record in bulk: submission and revision rows written by
COPY, the answers and server results (income and screening from the real engine) taken from
templates computed once per household size and income level. Of the records, 70 % are
approved, 25 % submitted, 5 % returned. Then it times, through the real routes (Flask test
client, signed in):

(a) the full XLSX household export as the county admin, in a child process so that its peak
    RSS (``resource.getrusage``) is the export's alone; baseline in the same child: the bare
    SELECT of the same rows, streamed (target ≤ 60 s, ≤ 300 MB); then the same as CSV;
(b) the review queue ``GET /review/`` as a village reviewer and as the county admin, median
    of N requests; baseline ``GET /healthz`` (target ≤ 100 ms);
(c) the dashboards: ``GET /reports/``, a township and a village (target ≤ 300 ms), as a
    page is usually met: its villages' figures stored and unchanged since the last view
    (app/reports/figures.py); then the county page after one village changed (a cadre's
    record came in), and after every village changed (the first view after a day's work,
    or after a roster import: every village counted again).
The scratch database is dropped at the end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sync_ingest import make_app, scratch_postgres  # bench/ is on the path when this runs

ROOT = Path(__file__).resolve().parent.parent
INCOME_LEVELS = ("2400", "9000", "30000")  # yuan of migrant wages per household member
STATUSES = (("approved", 0.70), ("submitted", 0.95), ("returned", 1.0))  # cumulative shares


def templates(campaign, sizes) -> dict[tuple[int, int], tuple]:
    """(household size, income level) → answers and server result as JSON text, the answers'
    hash and the record's summary columns, from one real household of each size run through
    the income engine and screening."""
    from sqlalchemy import func, select

    from app.census import definitions, services
    from app.extensions import db
    from app.households.models import Household, Member
    from app.sync.models import summary

    definition = definitions.get(campaign.form_version)
    built = {}
    for size in sizes:
        household_id = db.session.scalar(
            select(Member.household_id).group_by(Member.household_id).having(func.count() == size).limit(1))
        household = db.session.get(Household, household_id)
        for level, per_head in enumerate(INCOME_LEVELS):
            answers = services.prefill(household, dt.date.today())
            answers["household"].update(relocation_site=False)
            for member in answers["members"]:
                member.setdefault("ethnicity", "01")
            answers["guarantees"] = {g["id"]: level > 0 for g in definition["guarantees"]}
            answers["consent"] = {"consent_given": True, "consent_signer": answers["members"][0]["name"]}
            answers["income"] = {"wage_migrant": str(int(per_head) * size), "crops": "1200.50"}
            result = services.evaluate(household, campaign, answers, definition)
            server = {"income": result["income"], "screening": result["screening"], "issues": result["issues"]}
            text = json.dumps(answers, ensure_ascii=False)
            built[(size, level)] = (text, json.dumps(server, ensure_ascii=False),
                                    hashlib.sha256(text.encode()).hexdigest(), *summary(server).values())
    return built


def add_records(share: float) -> int:
    """Records for ``share`` of the households, written by COPY in one transaction."""
    from sqlalchemy import func, select

    from app.auth.models import User
    from app.campaigns.models import Campaign
    from app.extensions import db
    from app.households.models import Member
    from app.sync.models import summary

    summary_columns = ", ".join(summary({}))
    campaign = db.session.scalar(select(Campaign))
    enumerator_id = db.session.scalar(select(User.id).where(User.role == "enumerator").limit(1))
    sizes = dict(db.session.execute(select(Member.household_id, func.count()).group_by(Member.household_id)).all())
    made = templates(campaign, sorted(set(sizes.values())))
    rng = random.Random(6)
    chosen = [household_id for household_id in sorted(sizes) if rng.random() < share]
    submissions, revisions = [], []
    for household_id in chosen:
        roll = rng.random()
        status = next(name for name, upto in STATUSES if roll < upto)
        answers, server, sha, *summarised = made[(sizes[household_id], rng.randrange(len(INCOME_LEVELS)))]
        record_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        submissions.append((record_id, household_id, campaign.id, enumerator_id, 1, status, 1, False, True,
                            *summarised))
        revisions.append((record_id, 1, answers, sha, campaign.form_version, server, server, enumerator_id))
    connection = db.session.connection().connection
    with connection.cursor() as cursor:
        with cursor.copy("COPY submission (id, household_id, campaign_id, enumerator_id, revision, status, version, "
                         f"result_mismatch, complete, {summary_columns}) FROM STDIN") as copy:
            for row in submissions:
                copy.write_row(row)
        with cursor.copy("COPY submission_revision (submission_id, number, answers, content_sha256, form_version, "
                         "client_result, server_result, enumerator_id) FROM STDIN") as copy:
            for row in revisions:
                copy.write_row(row)
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))  # fresh statistics, as autovacuum would give them after a bulk load
    db.session.commit()
    return len(chosen)


def signed_in(app, user_id: int):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(user_id), True
    return client


def median_ms(client, url: str, samples: int, before_each=None) -> tuple[float, int]:
    """Median time of ``samples`` requests after a warming one, and how many were taken: a
    page slower than 5 s is timed 3 times only, so that the run ends. ``before_each`` runs,
    untimed, before every request."""
    timings = []
    while len(timings) < 1 + (samples if not timings or timings[0] < 5000 else 3):
        if before_each:
            before_each()
        start = time.perf_counter()
        response = client.get(url)
        response.get_data()
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings[1:]), len(timings) - 1


def export_child(url: str, admin_id: int) -> None:
    """Run in a fresh process: the bare SELECT, then the export through the route."""
    from app.auth.models import User
    from app.census.services import current_campaign
    from app.extensions import db
    from app.reports import exports

    app = make_app(url)
    with app.test_request_context():
        admin, campaign = db.session.get(User, admin_id), current_campaign()
        start = time.perf_counter()
        rows = sum(1 for _row in exports.household_rows(admin, campaign))
        select_seconds = time.perf_counter() - start
        db.session.remove()
    client = signed_in(app, admin_id)
    figures = {"rows": rows, "select": select_seconds}
    for file_format in ("xlsx", "csv"):
        start = time.perf_counter()
        response = client.get(f"/reports/exports/households.{file_format}")
        figures[f"{file_format}_bytes"] = sum(len(chunk) for chunk in response.response)
        response.close()
        figures[file_format] = time.perf_counter() - start
        assert response.status_code == 200
        figures[f"{file_format}_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--share", type=float, default=0.85, help="share of households with a record")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--export-child", nargs=2, metavar=("URL", "ADMIN_ID"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    os.environ.setdefault("RUHU_INSTANCE_DIR", tempfile.mkdtemp(prefix="ruhu-bench-"))
    if options.export_child:
        export_child(options.export_child[0], int(options.export_child[1]))
        return

    from sqlalchemy import select

    from app.auth.models import User
    from app.demo import services
    from app.extensions import db
    from app.geo.models import Area
    from app.reports.models import mark_changed

    url, drop = scratch_postgres()
    try:
        app = make_app(url)
        with app.app_context():
            start = time.perf_counter()
            seeded = services.seed(1, options.households)
            seed_seconds = time.perf_counter() - start
            start = time.perf_counter()
            records = add_records(options.share)
            records_seconds = time.perf_counter() - start
            admin_id = db.session.scalar(select(User.id).where(User.role == "county_admin").limit(1))
            reviewer_id = db.session.scalar(select(User.id).where(User.role == "village_reviewer").limit(1))
            township_id = db.session.scalar(select(Area.id).where(Area.level == "township").order_by(Area.code))
            village_id = db.session.scalar(select(Area.id).where(Area.level == "village").order_by(Area.code))
            db.session.remove()
        print(f"seeded {seeded.households:,} households / {seeded.members:,} members in {seed_seconds:.0f} s; "
              f"{records:,} records by COPY in {records_seconds:.0f} s", flush=True)

        child = subprocess.run([sys.executable, __file__, "--export-child", url, str(admin_id)], check=True,
                               capture_output=True, text=True)
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"(a) export of {figures['rows']:,} households as the county admin")
        print(f"    bare SELECT of the same rows, streamed (baseline)  {figures['select']:6.1f} s")
        print(f"    GET /reports/exports/households.xlsx               {figures['xlsx']:6.1f} s   target 60 s"
              f"   ({figures['xlsx_bytes'] / 1e6:.1f} MB)")
        print(f"    peak RSS of the exporting process after it         {figures['xlsx_peak_mb']:6.0f} MB  target 300 MB")
        print(f"    GET /reports/exports/households.csv                {figures['csv']:6.1f} s"
              f"   ({figures['csv_bytes'] / 1e6:.1f} MB; peak RSS after both {figures['csv_peak_mb']:.0f} MB)",
              flush=True)

        def villages_changed(which):
            def change():  # what a write does to the villages it touches (app/reports/models.py)
                with app.app_context():
                    mark_changed(which)
                    db.session.commit()
            return change

        pages = [("GET /healthz (baseline)", admin_id, "/healthz", None, None),
                 ("GET /review/ as a village reviewer", reviewer_id, "/review/", 100, None),
                 ("GET /review/ as the county admin", admin_id, "/review/", 100, None),
                 ("GET /reports/ (county)", admin_id, "/reports/", 300, None),
                 ("GET a township dashboard", admin_id, f"/reports/areas/{township_id}", 300, None),
                 ("GET a village dashboard", admin_id, f"/reports/areas/{village_id}", 300, None),
                 ("  county, after one village changed", admin_id, "/reports/", 300, villages_changed([village_id])),
                 ("  county, after every village changed", admin_id, "/reports/", 300, villages_changed(None))]
        print("(b, c) median of the requests after a warming one")
        for label, user_id, page, target, before_each in pages:
            figure, taken = median_ms(signed_in(app, user_id), page, options.samples, before_each)
            print(f"    {label:<40} {figure:9.1f} ms  ({taken} requests)" + (f"   target {target} ms" if target else ""),
                  flush=True)
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
