"""Benchmark: reports at 200,000 households on PostgreSQL (issue 6), and at 2,000,000 (issue 18).

    .venv/bin/python bench/reports.py [--households 200000] [--share 0.85] [--samples 20]
                                      [--database NAME] [--downloads households.xlsx,...]
                                      [--dashboard-only]

Builds a scratch PostgreSQL database on 127.0.0.1:5432 (user postgres) with the migrations,
seeds the demo county with ``app.demo.services.seed`` (~3.5 members a household, villages
of about 700 households), then gives a share of the households a census record in bulk:
submission and revision rows written by COPY, the answers and server results (income and
screening from the real engine) taken from templates computed once per household size and
income level. Of the records, 70 % are approved, 25 % submitted, 5 % returned. Then it
times, through the real routes (Flask test client, signed in):

(a) the full XLSX household export as the county admin, in a child process so that its peak
    RSS (``resource.getrusage``) is the export's alone; baseline in the same child: the bare
    SELECT of the same rows, streamed (target ≤ 60 s, ≤ 300 MB); then the same as CSV, and
    the members (~700,000 rows) as XLSX (``--downloads`` picks which); then, in another fresh
    process, the households XLSX export as a job, asked as the page asks it and run by the
    worker's code (target at 2,000,000 households: ≤ 5 minutes, the worker's peak RSS ≤ 300 MB);
(b) the review queue ``GET /review/`` as a village reviewer and as the county admin, median
    of N requests; baseline ``GET /healthz`` (target ≤ 100 ms);
(c) the dashboards: ``GET /reports/``, the largest township and a village (target ≤ 300 ms),
    as a page is usually met: its villages' figures stored (app/figures/); what
    counting one changed village again costs the request that changed it, after its
    response; then the county page when villages changed and nobody counted them yet: one
    village, 50 villages (a day's census in a county), every village (after a roster import).

``--database NAME`` keeps the database: made and filled when it does not exist, reused as it
is when it does (the timings then start at once).

``--dashboard-only`` times the county dashboard alone (after counting every village's figures):
its first view of the month, the median of the views after it, and the median when one
village changed before each view; run it with another checkout's ``app`` first on PYTHONPATH
(``git archive main``) for a baseline on the same database in the same run.
"""
from __future__ import annotations

import argparse
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

from sync_ingest import make_app, scratch_postgres, signed_in  # bench/ is on the path when this runs

from app import clock

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
    from app.records.models import summary

    definition = definitions.get(campaign.form_version)
    built = {}
    for size in sizes:
        household_id = db.session.scalar(
            select(Member.household_id).group_by(Member.household_id).having(func.count() == size).limit(1))
        household = db.session.get(Household, household_id)
        for level, per_head in enumerate(INCOME_LEVELS):
            answers = services.prefill(household, clock.today())
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


def add_records(share: float, skip_villages: frozenset[int] = frozenset()) -> int:
    """Records for ``share`` of the households outside ``skip_villages``, written by COPY in
    one transaction."""
    from sqlalchemy import func, select

    from app.auth.models import User
    from app.campaigns.models import Campaign
    from app.extensions import db
    from app.households.models import Household, Member
    from app.records.models import summary

    summary_columns = ", ".join(summary({}))
    campaign = db.session.scalar(select(Campaign))
    enumerator_id = db.session.scalar(select(User.id).where(User.role == "enumerator").limit(1))
    sizes = dict(db.session.execute(select(Member.household_id, func.count()).group_by(Member.household_id)).all())
    made = templates(campaign, sorted(set(sizes.values())))
    rng = random.Random(6)
    skipped = set(db.session.scalars(select(Household.id).where(Household.village_id.in_(skip_villages))))
    chosen = [household_id for household_id in sorted(sizes) if rng.random() < share and household_id not in skipped]
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


def timed_download(client, url: str) -> tuple[float, float, int]:
    """Seconds to the first byte and to the last, and the bytes, of a streamed download."""
    start = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    first, size = None, 0
    for chunk in response.response:
        if chunk and first is None:
            first = time.perf_counter() - start
        size += len(chunk)
    response.close()
    return first, time.perf_counter() - start, size


def export_child(url: str, admin_id: int, downloads: list[str]) -> None:
    """Run in a fresh process: the bare SELECT, then the exports through the routes."""
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
    for name in downloads:
        figures[name] = timed_download(client, f"/reports/exports/{name}")
        figures[f"{name} peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


RSS_EVERY_ROWS = 100_000


def rss_mb() -> float:
    """The process's resident set now (VmRSS); ``ru_maxrss`` gives only its peak."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def job_child(url: str, admin_id: int) -> None:
    """Run in a fresh process: the households export asked as the county admin asks it on the
    page, run by the worker's code (app.jobs.services.run, in Huey's immediate mode), with the
    RSS every 100,000 rows (where memory grows, if it does)."""
    os.environ["RUHU_JOBS_IMMEDIATE"] = "1"
    from app.auth.models import User
    from app.census.services import current_campaign
    from app.extensions import db
    from app.jobs import services as jobs
    from app.reports.jobs import EXPORT_JOB, export_params

    trail, counted = {}, jobs.Progress.count

    def count(progress, rows):  # the rows as the job counts them, the RSS noted on the way
        for done, row in enumerate(counted(progress, rows), 1):
            yield row
            if done % RSS_EVERY_ROWS == 0:
                trail[done] = round(rss_mb())

    jobs.Progress.count = count
    app = make_app(url)
    with app.test_request_context():
        admin = db.session.get(User, admin_id)
        start = time.perf_counter()
        job = jobs.ask(EXPORT_JOB, admin, export_params("households", "xlsx", "zh", current_campaign()))
        seconds = time.perf_counter() - start
        size = (jobs.jobs_dir() / job.result_path).stat().st_size if job.result_path else 0
        print(json.dumps({"state": job.state, "rows": job.rows_done, "seconds": seconds, "bytes": size,
                          "peak MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rss": trail}))


def prepare(households: int, share: float) -> str:
    """Seed and fill the database, unless it holds a county already; what was done."""
    from app.demo import services

    if not services.is_empty():
        return "database reused as it is"
    start = time.perf_counter()
    seeded = services.seed(1, households)
    seed_seconds = time.perf_counter() - start
    start = time.perf_counter()
    records = add_records(share)
    return (f"seeded {seeded.households:,} households / {seeded.members:,} members in {seed_seconds:.0f} s; "
            f"{records:,} records by COPY in {time.perf_counter() - start:.0f} s")


def kept_postgres(name: str):
    """The database ``name``, made if missing, never dropped."""
    import psycopg
    from sync_ingest import PG_ADMIN_URL

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", lambda: None


def dashboard_only(app, admin_id: int, village_id: int, villages_changed, samples: int) -> None:
    """The county dashboard: its first view (which counts what nothing stored yet: with the
    ranking stored, the month's overdue visits once), then the views after it, then views
    each after a change to one village (a visit recorded) that no worker counted yet."""
    client = signed_in(app, admin_id)
    start = time.perf_counter()
    response = client.get("/reports/")
    response.get_data()
    first = (time.perf_counter() - start) * 1000
    assert response.status_code == 200
    print("(c) the county dashboard alone")
    print(f"    GET /healthz (baseline)                                    {median_ms(client, '/healthz', samples)[0]:7.1f} ms")
    print(f"    GET /reports/ (county), first view of the month            {first:7.1f} ms")
    figure, taken = median_ms(client, "/reports/", samples)
    print(f"    GET /reports/ (county), median                             {figure:7.1f} ms  ({taken} requests)"
          "   target 300 ms", flush=True)
    figure, taken = median_ms(client, "/reports/", samples, villages_changed([village_id]))
    print(f"    GET /reports/ (county), 1 village changed, not counted yet {figure:7.1f} ms  ({taken} requests)",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--share", type=float, default=0.85, help="share of households with a record")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--database", help="keep (or reuse) this PostgreSQL database")
    parser.add_argument("--downloads", default="households.xlsx,households.csv,members.xlsx",
                        help="streamed downloads to time, comma-separated (empty: none)")
    parser.add_argument("--dashboard-only", action="store_true", help="time the county dashboard alone")
    parser.add_argument("--skip-exports", action="store_true", help="time the pages alone, not the exports (a)")
    parser.add_argument("--export-child", nargs=2, metavar=("URL", "ADMIN_ID"), help=argparse.SUPPRESS)
    parser.add_argument("--job-child", nargs=2, metavar=("URL", "ADMIN_ID"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    os.environ.setdefault("RUHU_INSTANCE_DIR", tempfile.mkdtemp(prefix="ruhu-bench-"))
    downloads = [name for name in options.downloads.split(",") if name]
    if options.export_child:
        export_child(options.export_child[0], int(options.export_child[1]), downloads)
        return
    if options.job_child:
        job_child(options.job_child[0], int(options.job_child[1]))
        return

    from sqlalchemy import func, select

    from app.auth.models import User
    from app.census.services import current_campaign
    from app.extensions import db
    from app.figures import store as figures
    from app.figures.models import mark_changed
    from app.geo.models import Area
    from app.households.models import Household

    url, drop = kept_postgres(options.database) if options.database else scratch_postgres()
    try:
        app = make_app(url)
        with app.app_context():
            print(prepare(options.households, options.share), flush=True)
            admin_id = db.session.scalar(select(User.id).where(User.role == "county_admin").limit(1))
            reviewer_id = db.session.scalar(select(User.id).where(User.role == "village_reviewer").limit(1))
            village_id = db.session.scalar(
                select(Area.id).join(User.areas).where(User.id == reviewer_id))  # 大坪村
            village_households = db.session.scalar(select(func.count()).where(Household.village_id == village_id))
            villages = db.session.scalars(select(Area.id).where(Area.level == "village").order_by(Area.code)).all()
            township_id, township_villages = db.session.execute(
                select(Area.parent_id, func.count()).where(Area.level == "village").group_by(Area.parent_id)
                .order_by(func.count().desc(), Area.parent_id).limit(1)).one()
            db.session.remove()

        def child(flag):
            done = subprocess.run([sys.executable, __file__, flag, url, str(admin_id), "--downloads",
                                   ",".join(downloads)], check=True, capture_output=True, text=True)
            return json.loads(done.stdout.strip().splitlines()[-1])

        if not (options.dashboard_only or options.skip_exports):
            found = child("--export-child")
            print(f"(a) exports of {found['rows']:,} households as the county admin: first byte / whole file")
            print(f"    bare SELECT of the households' rows, streamed (baseline)       {found['select']:6.1f} s")
            for name in downloads:
                first, whole, size = found[name]
                target = "   target 60 s, 300 MB" if name == "households.xlsx" else ""
                print(f"    GET /reports/exports/{name:<16} {first:5.2f} s / {whole:6.1f} s  ({size / 1e6:5.1f} MB)"
                      f"  peak RSS after it {found[f'{name} peak MB']:4.0f} MB{target}", flush=True)
            job = child("--job-child")
            print(f"    households.xlsx as a job, the worker's code ({job['state']}, {job['rows']:,} rows)"
                  f"   {job['seconds']:6.1f} s  ({job['bytes'] / 1e6:5.1f} MB)  peak RSS {job['peak MB']:4.0f} MB", flush=True)
            print("      RSS (MB) after each 100,000 rows: "
                  + " ".join(f"{int(rows) // 1000}k:{mb}" for rows, mb in job["rss"].items()), flush=True)

        def villages_changed(which):
            def change():  # what a write does to the villages it touches (app/figures/models.py)
                with app.app_context():
                    mark_changed(which)
                    db.session.commit()
            return change

        def recount():  # what the recount job does (app/figures/jobs.py), in one go
            with app.app_context():
                campaign = current_campaign()
                start = time.perf_counter()
                figures.refill_stale(campaign, *figures.stale_villages(campaign))
                return (time.perf_counter() - start) * 1000

        print(f"    every village counted, as the recount job would   {recount() / 1000:7.1f} s", flush=True)
        if options.dashboard_only:
            dashboard_only(app, admin_id, village_id, villages_changed, options.samples)
            with app.app_context():
                db.engine.dispose()
            return

        def count_after_a_write():  # what the worker does once a request changed one village
            villages_changed([village_id])()
            return recount()

        counting = sorted(count_after_a_write() for _ in range(options.samples))
        pages = [("GET /healthz (baseline)", admin_id, "/healthz", None, None),
                 (f"GET /review/ as a village reviewer ({village_households} households)", reviewer_id, "/review/",
                  100, None),
                 ("GET /review/ as the county admin", admin_id, "/review/", 100, None),
                 ("GET /reports/ (county)", admin_id, "/reports/", 300, None),
                 (f"GET the largest township's dashboard ({township_villages} villages)", admin_id,
                  f"/reports/areas/{township_id}", 300, None),
                 (f"GET a village dashboard ({village_households} households)", admin_id,
                  f"/reports/areas/{village_id}", 300, None),
                 ("  county, 1 village changed, not counted yet", admin_id, "/reports/", 300,
                  villages_changed([village_id])),
                 ("  county, 50 villages changed, not counted yet", admin_id, "/reports/", 300,
                  villages_changed(villages[::max(1, len(villages) // 50)][:50])),
                 (f"  county, all {len(villages)} villages changed, not counted yet", admin_id, "/reports/", 300,
                  villages_changed(None))]
        print("(b, c) median of the requests after a warming one")
        print(f"    the recount job counting one changed village again              "
              f"{statistics.median(counting):7.1f} ms  (median of {len(counting)})")
        for label, user_id, page, target, before_each in pages:
            figure, taken = median_ms(signed_in(app, user_id), page, options.samples, before_each)
            print(f"    {label:<64} {figure:7.1f} ms  ({taken} requests)" + (f"   target {target} ms" if target else ""),
                  flush=True)
        with app.app_context():
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
