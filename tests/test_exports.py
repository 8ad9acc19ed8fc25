"""Exports: content and headers (Chinese by default, English on request), scoping by the
user's areas, XLSX that opens, CSV with a BOM, and streaming."""
from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest

from app.extensions import db
from app.files import tables, xlsx
from app.files.tables import XLSX
from app.roster.columns import COLUMNS, column_for
from tests import factories
from tests.monitoring_setup import LOW_INCOME, approved_record
from tests.sync_setup import field

CJK = re.compile(r"[\u4e00-\u9fff]")
HOUSEHOLD_HEADER = ["户编号", "户主姓名", "所在村代码", "所在组代码", "联系电话", "户类型", "脱贫户属性", "监测对象类别",
                    "整户无劳动能力", "易地搬迁", "村名称", "村民小组名称", "家庭人口数", "提交状态", "人均纯收入（元）",
                    "风险标识代码", "风险标识"]


@pytest.fixture
def setup(county, app):
    """Village A: A-1 (two members, low income: flagged) and A-2 approved; village B: B-1 sent."""
    built = field(county)
    built.reviewer = factories.user("reviewer", "village_reviewer", [county.village_a])
    built.reviewer_b = factories.user("reviewer_b", "village_reviewer", [county.village_b])
    built.admin = factories.user("admin", "county_admin", [county.county])
    approved_record(app, built, built.household, built.reviewer, income=LOW_INCOME)
    approved_record(app, built, built.second, built.reviewer)
    approved_record(app, built, built.other, built.reviewer_b, income=LOW_INCOME)
    built.household.monitored_category = "marginal"
    built.other.monitored_category = "marginal"
    db.session.commit()
    return built


def signed_in(app, user):
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": factories.PASSWORD})
    return client


def read_csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    response.close()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[tuple]:
    content = response.get_data()
    response.close()
    return read_xlsx_bytes(content)


def read_xlsx_bytes(content: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = [tuple("" if cell is None else cell for cell in row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


def by_number(rows: list) -> dict:
    return {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}


def test_household_csv_has_chinese_headers_and_the_figures_to_recompute_totals(setup, app):
    response = signed_in(app, setup.reviewer).get("/reports/exports/households.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == HOUSEHOLD_HEADER
    found = by_number(rows)
    assert sorted(found) == ["A-1", "A-2"]
    flagged = found["A-1"]
    assert (flagged["户主姓名"], flagged["村名称"], flagged["村民小组名称"], flagged["家庭人口数"]) == \
        ("王五", "Village A", "Group A1", "2")
    assert (flagged["户类型"], flagged["监测对象类别"], flagged["提交状态"]) == ("一般农户", "边缘易致贫户", "已通过")
    assert flagged["人均纯收入（元）"] == "3000.00"  # 6,000 yuan for two people
    assert (flagged["风险标识代码"], flagged["风险标识"]) == ("below_threshold", "低于监测范围")
    assert found["A-2"]["人均纯收入（元）"] == "18000.00" and found["A-2"]["风险标识代码"] == ""


def test_english_headers_and_labels_on_request(setup, app):
    rows = read_csv(signed_in(app, setup.reviewer).get("/reports/exports/households.csv?headers=en"))
    assert rows[0][:2] == ["Household number", "Head of household"]
    assert not [header for header in rows[0] if CJK.search(header)]
    plain = by_number(rows)["A-2"]
    assert (plain["Household type"], plain["Submission status"]) == ("Ordinary household", "Approved")
    assert signed_in(app, setup.reviewer).get("/reports/exports/households.csv?headers=fr").status_code == 404


@pytest.mark.parametrize("name", ["households", "members", "register"])
def test_a_village_reviewer_never_exports_another_village(setup, app, name):
    for file_format in ("csv", "xlsx"):
        response = signed_in(app, setup.reviewer).get(f"/reports/exports/{name}.{file_format}")
        rows = read_csv(response) if file_format == "csv" else read_xlsx(response)
        numbers = {row[0] for row in rows[1:]}
        assert "A-1" in numbers and "B-1" not in numbers, (name, file_format)
    county_wide = read_csv(signed_in(app, setup.admin).get(f"/reports/exports/{name}.csv"))
    assert "B-1" in {row[0] for row in county_wide[1:]}


def test_household_xlsx_opens_with_numbers_for_yuan(setup, app):
    response = signed_in(app, setup.reviewer).get("/reports/exports/households.xlsx")
    assert response.mimetype == XLSX
    content = response.get_data()
    response.close()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = [tuple("" if value is None else value for value in row) for row in sheet.iter_rows(values_only=True)]
    assert list(rows[0]) == HOUSEHOLD_HEADER
    flagged = by_number(rows)["A-1"]
    assert flagged["人均纯收入（元）"] == 3000 and flagged["家庭人口数"] == 2 and flagged["提交状态"] == "已通过"
    assert sheet.cell(row=2, column=HOUSEHOLD_HEADER.index("人均纯收入（元）") + 1).number_format == "0.00"


def test_members_export_is_a_roster_that_reimports(setup, app):
    rows = read_csv(signed_in(app, setup.reviewer).get("/reports/exports/members.csv"))
    assert rows[0] == [column.header for column in COLUMNS]
    assert [column_for(header).field for header in rows[0]] == [column.field for column in COLUMNS]
    first = [dict(zip(rows[0], row)) for row in rows[1:] if row[0] == "A-1"]
    assert [(row["姓名"], row["与户主关系"], row["性别"], row["健康状况"]) for row in first] == \
        [("王五", "户主", "男", "健康"), ("李梅", "配偶", "女", "健康")]
    assert first[0]["证件号码"] == setup.household.head.id_number and first[0]["所在村代码"] == "530102100201"
    english = read_csv(signed_in(app, setup.reviewer).get("/reports/exports/members.csv?headers=en"))
    assert not [header for header in english[0] if CJK.search(header)]


def test_csv_is_streamed_from_a_generator(setup, app, monkeypatch):
    monkeypatch.setattr(tables, "CHUNK_ROWS", 1)
    response = signed_in(app, setup.admin).get("/reports/exports/households.csv")
    assert response.is_streamed
    chunks = list(response.response)
    assert len(chunks) >= 3  # header with the first row, then a chunk per row
    assert b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in chunks).startswith(
        "\ufeff户编号".encode())


def test_xlsx_is_streamed_as_it_is_written(setup, app, monkeypatch):
    monkeypatch.setattr(xlsx, "CHUNK_ROWS", 1)
    response = signed_in(app, setup.admin).get("/reports/exports/households.xlsx")
    assert response.is_streamed
    chunks = [chunk for chunk in response.response if chunk]
    response.close()
    # The first parts leave with the first row; the compressor holds small rows back until it has a block.
    assert len(chunks) >= 2 and chunks[0].startswith(b"PK") and b"[Content_Types].xml" in chunks[0]
    rows = read_xlsx_bytes(b"".join(chunks))
    assert [row[0] for row in rows] == ["户编号", "A-1", "A-2", "B-1"]


def test_enumerators_get_403_and_the_page_lists_every_export(setup, app):
    enumerator = signed_in(app, setup.enumerator)
    for url in ("/reports/exports", "/reports/exports/households.csv", "/reports/exports/members.xlsx",
                "/reports/exports/register.csv"):
        assert enumerator.get(url).status_code == 403, url
    assert app.test_client().get("/reports/exports/households.csv").status_code == 302
    page = signed_in(app, setup.reviewer).get("/reports/exports").get_data(as_text=True)
    for link in ("households.xlsx", "households.csv?headers=en", "members.csv", "register.xlsx?headers=en",
                 f"/monitoring/notice.csv?village={setup.county.village_a.id}"):
        assert link in page, link
    assert f"notice.csv?village={setup.county.village_b.id}" not in page
