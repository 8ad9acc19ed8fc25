"""Benchmark: a department's 100,000-row warning list matched against 700,000 members on
PostgreSQL, through the real import service.

    .venv/bin/python bench/clue_matching.py [--members 700000] [--rows 100000]

Builds a scratch PostgreSQL database on 127.0.0.1:5432 (user postgres) with the migrations:
a county of 200 villages, households of 3 or 4 members written by COPY (member.person_key
filled as the ORM would), each assigned to an enumerator in the current campaign. The list
(CSV) names 90 % members picked at random (some households get several rows) and 10 %
persons in no household. Times, through app.clues.services.import_list: a dry run, the
import (rows stored, matched in one UPDATE, one clue per household, assigned), and the same
file again (must change nothing). Baseline in the same run: reading and checking the file
alone (app.files.sheets + app.clues.checks), which every import pays before it matches.
Target (issue 16): matching the list in ≤ 30 s.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from sync_ingest import make_app, scratch_postgres  # noqa: E402  (bench/ is on the path when this runs)

TARGET_SECONDS = 30
VILLAGES = 200


def timed(work):
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def populate(members: int) -> list[str]:
    """The county, its households and members by COPY; the members' ID numbers."""
    from sqlalchemy import insert, literal, select, text

    from app import identity
    from app.auth.models import User
    from app.campaigns.models import Assignment, Campaign
    from app.clues.models import DEPARTMENTS, Department
    from app.extensions import db
    from app.geo.models import Area
    from app.households.models import Household

    county = Area(code="530102000000", name="县", level="county", code_year=2026)
    township = Area(code="530102100000", name="镇", level="township", parent=county, code_year=2026)
    villages = [Area(code=f"530102100{201 + i:03d}", name=f"村{i}", level="village", parent=township, code_year=2026)
                for i in range(VILLAGES)]
    db.session.add_all([county, township, *villages])
    admin = User(username="admin", display_name="admin", role="county_admin")
    admin.set_password("bench password 42")
    admin.areas = [county]
    enumerator = User(username="enum", display_name="enum", role="enumerator")
    enumerator.set_password("bench password 42")
    enumerator.areas = [township]
    campaign = Campaign(name="2026", year=2026, form_version="2026.2")
    db.session.add_all([admin, enumerator, campaign])
    if db.session.get(Department, DEPARTMENTS[0][0]) is None:
        db.session.execute(insert(Department), [{"code": c, "name_zh": z, "name_en": e} for c, z, e in DEPARTMENTS])
    db.session.commit()
    village_ids = [village.id for village in villages]

    households, people, ids = io.StringIO(), io.StringIO(), []
    made = household = 0
    born = dt.date(1950, 1, 1)
    while made < members:
        household += 1
        households.write(f"{household}\tH{household:08d}\t{village_ids[household % VILLAGES]}\tordinary\n")
        for seat in range(min(3 + household % 2, members - made)):
            made += 1
            number = identity.make(f"53{made // 1000 % 10000:04d}", born + dt.timedelta(days=made // 1000 % 20000),
                                   made % 1000)
            ids.append(number)
            relation = "head" if seat == 0 else "son"
            people.write(f"{household}\t人{made}\t{number}\t{number}\tmale\t1970-01-01\t{relation}\tordinary\n")
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy("COPY household (id, household_number, village_id, household_type) FROM STDIN") as copy:
            copy.write(households.getvalue())
        with cursor.copy("COPY member (household_id, name, id_number, person_key, sex, birth_date, relation, "
                         "labour_capacity) FROM STDIN") as copy:
            copy.write(people.getvalue())
    households_table = Household.__table__
    db.session.execute(insert(Assignment).from_select(
        ["campaign_id", "household_id", "enumerator_id"],
        select(literal(campaign.id), households_table.c.id, literal(enumerator.id))))
    db.session.execute(text("SELECT setval('household_id_seq', (SELECT max(id) FROM household))"))
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return ids


def warning_list(path: Path, ids: list[str], rows: int) -> None:
    from app import identity

    chooser = random.Random(16)
    found = chooser.sample(ids, int(rows * 0.9))
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["证件号码", "姓名", "预警事项", "发生日期", "金额", "备注"])
        for index, number in enumerate(found):
            writer.writerow([number, f"人{index}", "住院自付费用高", "2026-06-03", f"{chooser.randint(100, 90000)}.50", ""])
        for index in range(rows - len(found)):
            stranger = identity.make("110105", dt.date(1985, 1, 1) + dt.timedelta(days=index // 900), index % 900 + 1)
            writer.writerow([stranger, f"外{index}", "住院自付费用高", "2026-06-03", "", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=700_000)
    parser.add_argument("--rows", type=int, default=100_000)
    options = parser.parse_args()
    url, drop = scratch_postgres()
    try:
        app = make_app(url)
        with app.app_context(), app.test_request_context():
            from sqlalchemy import func, select

            from app.auth.models import User
            from app.clues import checks, services
            from app.clues.models import Clue
            from app.extensions import db
            from app.files import sheets

            ids, seeded = timed(lambda: populate(options.members))
            path = Path(tempfile.mkdtemp(prefix="ruhu-bench-")) / "medical.csv"
            warning_list(path, ids, options.rows)
            data = path.read_bytes()
            digest = services.file_hash(data)
            admin = db.session.scalar(select(User).where(User.username == "admin"))
            today = dt.date(2026, 7, 1)
            parsed, read_seconds = timed(lambda: checks.parse(sheets.read_path(path), today))
            assert not parsed.problems
            dry, dry_seconds = timed(lambda: services.import_list(admin, sheets.read_path(path), "medical_insurance",
                                                                  path.name, digest, dry_run=True, today=today))
            report, import_seconds = timed(lambda: services.import_list(admin, sheets.read_path(path),
                                                                        "medical_insurance", path.name, digest,
                                                                        today=today))
            again, again_seconds = timed(lambda: services.import_list(admin, sheets.read_path(path),
                                                                      "medical_insurance", path.name, digest,
                                                                      today=today))
            clues = db.session.scalar(select(func.count()).select_from(Clue))
            assert again.file_already_imported and clues == report.clues
            print(f"seed: {options.members:,} members by COPY in {seeded:.1f} s")
            print(f"list: {report.rows_read:,} rows; {report.households_matched:,} households matched, "
                  f"{report.persons_not_found:,} persons not found; {clues:,} clues")
            print(f"baseline, read and check the file:  {read_seconds:6.1f} s")
            print(f"dry run (read, check, match, roll back): {dry_seconds:6.1f} s  "
                  f"(matching {dry_seconds - read_seconds:.1f} s)")
            print(f"import (read, check, match, write): {import_seconds:6.1f} s  "
                  f"(matching {import_seconds - read_seconds:.1f} s; target {TARGET_SECONDS} s)")
            print(f"the same file again:                {again_seconds:6.1f} s  (nothing changed)")
            assert dry.households_matched == report.households_matched
    finally:
        drop()


if __name__ == "__main__":
    main()
