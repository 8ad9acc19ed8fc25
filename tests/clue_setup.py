"""Builders for the department-warning tests: a county admin, a list written as CSV, and the
import run as the upload page runs it."""
from __future__ import annotations

import csv
import datetime as dt
import io

from app import identity
from app.clues import services
from app.clues.models import DEPARTMENTS, Department
from app.extensions import db
from app.files import sheets
from tests import factories

HEADERS = ["证件号码", "姓名", "预警事项", "发生日期", "金额", "备注"]
TODAY = dt.date(2026, 7, 1)


def csv_bytes(rows, headers=HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def run(admin, data: bytes, department: str = "medical_insurance", *, dry_run: bool = False,
        today: dt.date = TODAY, name: str = "医保预警.csv") -> services.Report:
    sheet = sheets.read_upload(io.BytesIO(data), name)
    return services.import_list(admin, sheet, department, name, services.file_hash(data), dry_run=dry_run,
                                today=today)


def county_admin(county):
    """The county admin, and the departments migration 0017 seeds (the tests empty every table)."""
    if db.session.get(Department, DEPARTMENTS[0][0]) is None:
        db.session.add_all(Department(code=code, name_zh=zh, name_en=en) for code, zh, en in DEPARTMENTS)
    return factories.user("admin", "county_admin", [county.county])


def id_ending_in_x() -> str:
    """A valid ID number whose check character is X."""
    for sequence in range(1, 1000):
        number = identity.make("530102", dt.date(1960, 1, 1), sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


def full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "0" <= char <= "9" or char == "X" else char for char in text)
