"""Benchmark: import a 50,000-member roster on SQLite through the real roster service.

    .venv/bin/python bench/roster_import.py [--members 50000] [--format xlsx|csv]

Builds a fresh SQLite database with the migrations, a county of 100 villages, and a roster
file of valid members (3 or 4 to a household). Times the two steps of the browser flow
through the real code: the dry run (read the file, check, plan, keep the rows) and the
import (load the kept rows, check and plan again against the database, write), then a
second import of the same file, which must change nothing. Baselines measured in the same
run: reading the file alone, and inserting the same households and members with a plain
executemany into an empty database. Target: dry run + import under 60 s.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_SECONDS = 60
COUNTY = "530102000000"
USER_ID = 1  # the uploader's id only names the kept file


def villages() -> list[str]:
    return [f"530102{100 + township:03d}{201 + village:03d}" for township in range(10) for village in range(10)]


def roster_rows(members: int):
    """Rows of a valid roster: household columns repeated on each member row."""
    from app import identity

    headers = ["户编号", "户主姓名", "姓名", "证件号码", "与户主关系", "性别", "民族", "文化程度", "在校生状况", "健康状况",
               "残疾等级", "劳动技能", "务工时间（月）", "务工地点", "是否公益性岗位", "城乡居民基本医疗保险",
               "职工基本医疗保险", "养老保险", "是否享受低保", "是否特困供养", "户类型", "联系电话", "所在村代码",
               "整户无劳动能力", "易地搬迁"]
    yield headers
    codes = villages()
    born = dt.date(1950, 1, 1)
    sequence = 0

    def next_id(sex: str, birth: dt.date) -> str:
        nonlocal sequence
        sequence += 1
        number = sequence * 2 + (1 if sex == "男" else 0)  # odd sequence = male
        return identity.make(f"53{number // 1000 % 10000:04d}", birth, number % 1000)

    made = household = 0
    while made < members:
        household += 1
        size = min(3 + household % 2, members - made)
        village = codes[household % len(codes)]
        number = f"{village}{household:06d}"
        kind = "脱贫户（低保）" if household % 5 == 0 else "一般农户"
        people = [("户主", "男"), ("配偶", "女"), ("之子", "男"), ("之女", "女")][:size]
        birth = born + dt.timedelta(days=household % 9000)
        names = [f"户{household}成员{index}" for index in range(size)]
        for index, (relation, sex) in enumerate(people):
            child = relation in ("之子", "之女")
            yield [number, names[0], names[index], next_id(sex, birth + dt.timedelta(days=index)), relation, sex,
                   "汉族", "" if child else "初中", "在读初中" if child else "", "长期慢性病" if index == 1 else "健康",
                   "", "无劳动力" if child else "普通劳动力", "" if child else "8", "" if child else "省外", "否", "是",
                   "否", "城乡居民基本养老保险", "是" if kind != "一般农户" else "否", "否", kind, "13800138000",
                   village, "否", "否"]
        made += size


def write_roster(path: Path, members: int) -> None:
    if path.suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8-sig") as stream:
            csv.writer(stream).writerows(roster_rows(members))
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in roster_rows(members):
        sheet.append(row)
    workbook.save(path)


def make_app(database: Path):
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
    return app


def add_county() -> None:
    from app.extensions import db
    from app.geo.models import Area

    county = Area(code=COUNTY, name="县", level="county", code_year=2026)
    db.session.add(county)
    townships = {}
    for code in villages():
        township_code = code[:9] + "000"
        if township_code not in townships:
            townships[township_code] = Area(code=township_code, name=township_code, level="township", parent=county,
                                            code_year=2026)
        db.session.add(Area(code=code, name=code, level="village", parent=townships[township_code], code_year=2026))
    db.session.commit()


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def plain_executemany(plan) -> None:
    """Baseline: the same households and members written with a bare executemany, no checks."""
    from app.extensions import db
    from app.households.models import Household, Member

    with db.engine.begin() as connection:
        connection.execute(Household.__table__.insert(), plan.household_inserts)
        ids = dict(connection.execute(Household.__table__.select().with_only_columns(
            Household.__table__.c.household_number, Household.__table__.c.id)).all())
        connection.execute(Member.__table__.insert(),
                           [{**values, "household_id": ids[number]} for number, values in plan.member_inserts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ruhu-bench-"))
    os.environ.setdefault("RUHU_INSTANCE_DIR", str(work / "instance"))
    from app.extensions import db
    from app.files import sheets
    from app.households.models import Member
    from app.roster import services, storage

    roster = work / f"roster.{options.format}"
    _, generate = timed(lambda: write_roster(roster, options.members))
    app = make_app(work / "bench.sqlite3")
    with app.app_context():
        add_county()
        sheet, read_only = timed(lambda: sheets.read_path(roster))

        def dry_run_step():
            sheet = sheets.read_path(roster)
            return services.check(sheet), storage.keep(sheet, USER_ID)

        def import_step(token):
            return services.import_roster(storage.load(USER_ID, token))

        (dry, token), dry_run = timed(dry_run_step)
        assert dry.ok, [(p.row, p.column, p.message) for p in dry.problems[:10]]
        (first, imported), import_time = timed(lambda: import_step(token))
        assert imported and db.session.scalar(db.select(db.func.count(Member.id))) == options.members
        (second, again), second_time = timed(lambda: services.import_roster(sheets.read_path(roster)))
        assert again and second.counts.members_unchanged == options.members and second.counts.members_new == 0

    baseline_app = make_app(work / "baseline.sqlite3")
    with baseline_app.app_context():
        add_county()
        _, executemany = timed(lambda: plain_executemany(dry))

    total = dry_run + import_time
    print(f"roster: {options.members:,} members in {first.counts.households_new:,} households, "
          f"{options.format.upper()} {roster.stat().st_size / 1e6:.1f} MB (generated in {generate:.1f} s)")
    print(f"  read the file alone (baseline)            {read_only:6.1f} s")
    print(f"  plain executemany insert (baseline)       {executemany:6.1f} s")
    print(f"  dry run (read + check + plan + keep)      {dry_run:6.1f} s")
    print(f"  import (load kept rows + check + write)   {import_time:6.1f} s")
    print(f"  dry run + import                          {total:6.1f} s   target < {TARGET_SECONDS} s: "
          f"{'met' if total < TARGET_SECONDS else 'NOT MET'}")
    print(f"  second import, from the file (no change)  {second_time:6.1f} s")


if __name__ == "__main__":
    main()
