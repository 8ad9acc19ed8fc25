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
from tests.sync_setup import answers, field, push, record

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


FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def formula_household(setup):
    """A-1's head renamed to a spreadsheet formula, as a hostile roster file could."""
    setup.household.head.name = FORMULA
    db.session.commit()
    return setup


@pytest.mark.parametrize("name, column", [("households", "户主姓名"), ("members", "姓名")])
def test_csv_cells_that_a_spreadsheet_would_run_as_a_formula_start_with_a_quote(formula_household, app, name, column):
    """OWASP's CSV injection rule: a text cell starting with = + - @, tab or CR is prefixed
    with a single quote, so Excel and WPS show it as text instead of running it."""
    rows = read_csv(signed_in(app, formula_household.reviewer).get(f"/reports/exports/{name}.csv"))
    cells = [row[rows[0].index(column)] for row in rows[1:] if row[0] == "A-1"]
    assert cells[0] == "'" + FORMULA
    assert not [cell for row in rows[1:] for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_csv_neutralises_text_but_leaves_numbers_numbers(app_context):
    from decimal import Decimal

    fields = [tables.Field(name, name, tables.text_cell) for name in ("text", "amount", "count")]
    cases = [("+86 139", Decimal("-1200.50"), -3), ("-1", Decimal("0.00"), 0), ("@sum", None, 7),
             ("\tx", None, None), ("\r=1", None, None), ("王五", None, None), ("a=b", None, None)]
    rows = [type("Row", (), dict(zip(("text", "amount", "count"), case))) for case in cases]
    text = "".join(tables.csv_chunks(fields, rows, "zh_Hans"))
    assert list(csv.reader(io.StringIO(text[1:])))[1:] == [
        ["'+86 139", "-1200.50", "-3"], ["'-1", "0.00", "0"], ["'@sum", "", "7"], ["'\tx", "", ""],
        ["'\r=1", "", ""], ["王五", "", ""], ["a=b", "", ""]]


def test_xlsx_writes_text_as_inline_strings_which_a_spreadsheet_never_runs(formula_household, app):
    """XLSX needs no quote: text is an inline string (t="inlineStr"), never a formula (<f>),
    so the name arrives exactly as typed and is shown, not evaluated."""
    import zipfile

    response = signed_in(app, formula_household.reviewer).get("/reports/exports/members.xlsx")
    content = response.get_data()
    response.close()
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<c r="[A-Z]+\d+" t="inlineStr"><is><t>' + re.escape(FORMULA) + "</t></is></c>", sheet)
    assert "<f>" not in sheet and "<f " not in sheet
    assert FORMULA in {cell for row in read_xlsx_bytes(content) for cell in row}



# Every export read whole by a bare client, as a real server streams it: no outer application
# context keeps the request's objects alive (../shared/TESTING.md).

EXPORTS = ["/reports/exports/households.csv", "/reports/exports/households.xlsx", "/reports/exports/members.csv",
           "/reports/exports/members.xlsx", "/reports/exports/register.csv", "/reports/exports/register.xlsx",
           "/reports/exports/answers.csv", "/reports/exports/answers.xlsx"]


def bare_get(app, user_id: str, url: str):
    """GET ``url`` signed in as ``user_id``, from a thread of its own (so no application
    context of the test's is active, as in a real server) and read the whole body."""
    import threading

    from flask.testing import FlaskClient

    answered = {}

    def request():
        try:
            client = FlaskClient(app, app.response_class, use_cookies=True)
            with client.session_transaction() as session:
                session["_user_id"] = user_id
                session["_fresh"] = True
            response = client.get(url)
            answered["status"], answered["body"] = response.status_code, response.get_data()
            response.close()
        except Exception as error:  # raised again in the test's thread
            answered["error"] = error

    thread = threading.Thread(target=request)
    thread.start()
    thread.join(timeout=120)
    if "error" in answered:
        raise answered["error"]
    return answered["status"], answered["body"]


@pytest.mark.parametrize("url", EXPORTS + ["/monitoring/notice.csv"])
@pytest.mark.parametrize("role", ["village_reviewer", "township_approver", "county_approver", "county_admin"])
def test_every_export_answers_whole_to_a_bare_client_for_every_role_allowed(setup, app, url, role):
    area = {"village_reviewer": setup.county.village_a, "township_approver": setup.county.township_1}.get(
        role, setup.county.county)
    user = factories.user(f"bare-{role}", role, [area])
    db.session.commit()
    status, body = bare_get(app, user.get_id(), url)
    assert status == 200 and len(body) > 3, body[:300]


def test_the_household_size_beside_per_capita_income_is_the_one_it_was_computed_over(county, app):
    """The roster lists two; the record says the spouse shares no income: per-capita income is
    over one person, and the export says one (a household without a record: its roster)."""
    built = field(county)
    reviewer = factories.user("reviewer", "village_reviewer", [county.village_a])
    record_answers = answers(built.household)
    record_answers["members"][1]["shares_income"] = False
    assert push(signed_in(app, built.enumerator), record(built, built.household, record_answers)) \
        .get_json()["results"][0]["result"] == "created"
    rows = by_number(read_csv(signed_in(app, reviewer).get("/reports/exports/households.csv")))
    assert (rows["A-1"]["家庭人口数"], rows["A-1"]["人均纯收入（元）"]) == ("1", "36000.00")
    assert rows["A-2"]["家庭人口数"] == str(len(built.second.members))


def test_the_answers_export_has_a_row_per_recorded_household_and_the_forms_own_headers(setup, app):
    rows = read_csv(signed_in(app, setup.reviewer).get("/reports/exports/answers.csv"))
    found = by_number(rows)
    assert set(found) == {"A-1", "A-2"}  # village A's recorded households; B-1 is another village's
    assert found["A-1"]["外出务工收入"] == "6000.00"
    assert found["A-1"]["不愁吃、不愁穿"] == "是" and found["A-1"]["人均纯收入"] == "3000.00"
    assert found["A-2"]["家庭人口"] == "2" and found["A-2"]["提交状态"] == "已通过"
    english = read_xlsx(signed_in(app, setup.reviewer).get("/reports/exports/answers.xlsx?headers=en"))
    assert not [header for header in english[0] if CJK.search(str(header))]
    assert english[1][0] == "A-1"
