"""Roster import against the database: files in, households out, all or nothing."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.campaigns.models import Campaign
from app.extensions import db
from app.files import sheets
from app.geo.models import Area
from app.households.models import Household, Member
from app.jobs import services as jobs_services
from app.jobs.models import Job
from app.monitoring import queries as monitoring_queries
from app.monitoring.models import MonitoringEvent, Proposal
from app.roster import services
from tests import factories
from tests.data.roster.builders import household, person, sample_roster, write_csv, write_xlsx


@pytest.fixture
def in_request(app):
    """Reasons are translated when read, and gettext takes the language from a request."""
    with app.test_request_context():
        yield


def snapshot() -> tuple[list[dict], list[dict]]:
    """Every stored household and member, every column: to prove a second import wrote nothing."""
    db.session.expire_all()
    households = [dict(row._mapping) for row in db.session.execute(select(Household.__table__).order_by("id"))]
    members = [dict(row._mapping) for row in db.session.execute(select(Member.__table__).order_by("id"))]
    return households, members


def counts_of(plan) -> dict:
    c = plan.counts
    return {"households": (c.households_new, c.households_changed, c.households_unchanged, c.households_not_in_file),
            "members": (c.members_new, c.members_changed, c.members_unchanged, c.members_not_in_file)}


def import_file(path: Path, user=None):
    return services.import_roster(sheets.read_path(path), user)


def problems_of(plan) -> set[tuple]:
    return {(p.row, p.column, p.reason) for p in plan.problems}


def stored_count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_good_csv_imports_and_importing_again_changes_nothing(county, tmp_path):
    path = write_csv(tmp_path / "花名册.csv", sample_roster())

    plan, imported = import_file(path)

    assert imported and plan.problems == []
    assert counts_of(plan) == {"households": (3, 0, 0, 0), "members": (8, 0, 0, 0)}
    first = db.session.scalar(select(Household).where(Household.household_number == "5301021002010001"))
    assert (first.village_id, first.group_id, first.phone) == (county.village_a.id, county.group_a1.id, "13800138000")
    assert [(m.name, m.relation) for m in first.ordered_members] == [("王大山", "head"), ("李秀英", "spouse"),
                                                                      ("王小明", "son")]
    son = first.ordered_members[2]
    assert (son.sex, son.birth_date, son.schooling, son.education_level, son.labour_capacity, son.months_worked) == (
        "male", dt.date(2010, 1, 20), "junior_secondary", None, "none", None)
    assert first.ordered_members[1].chronic_illness is True
    poor = db.session.scalar(select(Household).where(Household.household_number == "5301021002010002"))
    assert (poor.household_type, poor.poverty_subtype, poor.without_labour, poor.group_id) == (
        "out_of_poverty", "minimum_living", True, None)
    elder = poor.head
    assert (elder.chronic_illness, elder.disabled, elder.disability_class, elder.minimum_living_allowance) == (
        True, True, "2", True)
    third = db.session.scalar(select(Household).where(Household.household_number == "5301021002020001"))
    assert (third.poverty_subtype, third.relocation_site) == ("general", True)

    before = snapshot()
    plan, imported = import_file(path)

    assert imported
    assert counts_of(plan) == {"households": (0, 0, 3, 0), "members": (0, 0, 8, 0)}
    assert snapshot() == before


def test_good_xlsx_with_excel_numbers_and_dates_imports(county, in_request, tmp_path):
    def as_excel(header, value):
        # What Excel holds when nobody formats the columns as text.
        if header in ("联系电话", "所在村代码", "务工时间（月）") and value:
            return int(value)
        if header == "出生日期":
            return dt.datetime.fromisoformat(value)
        return value

    path = write_xlsx(tmp_path / "roster.xlsx", sample_roster(), cell=as_excel)

    plan, imported = import_file(path)

    assert imported, [(p.row, p.column, p.reason) for p in plan.problems]
    assert counts_of(plan) == {"households": (3, 0, 0, 0), "members": (8, 0, 0, 0)}
    assert stored_count(Member) == 8
    assert import_file(path)[0].counts.members_unchanged == 8


def test_english_headers_import(county, tmp_path):
    path = write_csv(tmp_path / "roster.csv", sample_roster(), english=True)

    plan, imported = import_file(path)

    assert imported and plan.counts.members_new == 8
    assert stored_count(Household) == 3


def test_gb18030_csv_from_chinese_excel_imports(county, tmp_path):
    path = write_csv(tmp_path / "roster.csv", sample_roster(), encoding="gb18030")

    plan, imported = import_file(path)

    assert imported
    names = set(db.session.scalars(select(Member.name)))
    assert {"王大山", "陈奶奶"} <= names


def test_file_with_bad_rows_reports_each_problem_and_imports_nothing(county, in_request, tmp_path):
    rows = sample_roster()
    rows[0]["证件号码"] = rows[0]["证件号码"][:-1] + ("0" if rows[0]["证件号码"][-1] != "0" else "1")  # checksum
    rows[1]["性别"] = "男"  # the ID says female
    rows[2]["与户主关系"] = "邻居"
    rows[3]["联系电话"] = "1380013800"
    rows[4]["务工时间（月）"] = "13"
    rows[5]["证件号码"] = rows[4]["证件号码"]
    rows[6]["在校生状况"] = "在读本科"  # beside 文化程度 本科及以上
    rows[7]["残疾等级"] = "三级"  # but 健康状况 is 健康
    rows[7]["所在村代码"] = "530102100201"  # household 5301021002020001 is in village B on its other rows
    path = write_csv(tmp_path / "bad.csv", rows)

    plan, imported = import_file(path)

    assert not imported
    assert problems_of(plan) >= {
        (2, "证件号码", "证件号码校验位不对，请核对是否录错"),
        (3, "性别", "性别与证件号码不符（证件号码显示为女）"),
        (4, "与户主关系", "不是可用的值，可填：户主、配偶、之子、之女、之儿媳、之女婿、之孙子、之孙女、之外孙子、之外孙女、"
                      "之父、之母、之公公、之婆婆、之祖父、之祖母、之兄弟姐妹、其他"),
        (5, "联系电话", "联系电话应为 11 位数字"),
        (6, "务工时间（月）", "务工时间应为 0 到 12 之间的整数（月）"),
        (7, "证件号码", "证件号码与第 6 行重复"),
        (8, "在校生状况", "文化程度与在校生状况只能填写一项"),
        (9, "残疾等级", "填写了残疾等级，但健康状况中没有残疾"),
        (9, "所在村代码", "与本户第 6 行的“530102100202”不一致"),
    }
    rows_with_problems = [p.row for p in plan.problems]
    assert rows_with_problems == sorted(rows_with_problems)
    assert stored_count(Household) == 0 and stored_count(Member) == 0


def test_id_already_in_another_household_in_the_database(county, in_request, tmp_path):
    rows = sample_roster()
    existing = factories.household(county.village_c, "5301022002010009")
    rows[1]["证件号码"] = existing.members[1].id_number  # Li Si, female, born 1982-03-09
    rows[1]["出生日期"] = "1982-03-09"
    path = write_csv(tmp_path / "roster.csv", rows)

    plan, imported = import_file(path)

    assert not imported
    assert problems_of(plan) == {(3, "证件号码", "该证件号码已登记在另一户（户编号 5301022002010009）")}
    assert stored_count(Household) == 1 and stored_count(Member) == 2


def test_no_head_and_two_heads_are_reported(county, in_request, tmp_path):
    rows = sample_roster()
    rows[0]["与户主关系"] = "之子"  # household 1 loses its head
    rows[5]["与户主关系"] = "户主"  # household 3 gets a second one (its first row is 6)
    rows[5]["户主姓名"] = rows[4]["户主姓名"] = rows[6]["户主姓名"] = rows[7]["户主姓名"] = "陈春花"
    path = write_csv(tmp_path / "roster.csv", rows)

    plan, imported = import_file(path)

    assert not imported
    assert problems_of(plan) == {
        (2, "与户主关系", "本户（户编号 5301021002010001）没有户主"),
        (7, "与户主关系", "本户已有户主（第 6 行）"),
    }


def test_villages_unknown_outside_the_admins_areas_or_with_a_foreign_group(county, in_request, tmp_path):
    admin = factories.user("township_admin", "county_admin", [county.township_1])
    rows = [
        *household("H1", "530102100299", [person("甲", "户主", "男", dt.date(1970, 1, 1))]),
        *household("H2", "530102200201", [person("乙", "户主", "男", dt.date(1970, 1, 2))]),
        *household("H3", "530102100202", [person("丙", "户主", "男", dt.date(1970, 1, 3))], 所在组代码="001"),
        *household("H4", "530102100201", [person("丁", "户主", "男", dt.date(1970, 1, 4))], 所在组代码="530102100201002"),
    ]
    path = write_csv(tmp_path / "roster.csv", rows)

    plan, imported = import_file(path, admin)

    assert not imported
    assert problems_of(plan) == {
        (2, "所在村代码", "系统中没有这个村代码，请核对行政区划代码"),
        (3, "所在村代码", "该村不在您负责的范围内"),
        (4, "所在组代码", "所填的村下没有这个组"),
    }
    assert stored_count(Household) == 0


def test_missing_required_columns_are_named(county, in_request, tmp_path):
    path = write_csv(tmp_path / "roster.csv", sample_roster(), omit=("户编号", "劳动技能"))

    plan, imported = import_file(path)

    assert not imported
    assert problems_of(plan) == {
        (None, "户编号", "缺少必填列“户编号”（英文列名 household_number）"),
        (None, "劳动技能", "缺少必填列“劳动技能”（英文列名 labour_capacity）"),
    }


def test_id_number_stored_as_an_excel_number_is_explained(county, in_request, tmp_path):
    roster = sample_roster()
    # A number ending in X cannot be a number; which ones do depends on the numbers handed out before.
    as_numbers = [row for row, person in enumerate(roster, start=2) if person["证件号码"][-1] != "X"]
    path = write_xlsx(tmp_path / "roster.xlsx", roster,
                      cell=lambda header, value: float(value) if header == "证件号码" and value[-1] != "X" else value)

    plan, imported = import_file(path)

    assert not imported and as_numbers
    message = "证件号码在 Excel 中被存成了数字，末尾几位已丢失；请把该列设为文本格式后重新导出"
    assert {(row, "证件号码", message) for row in as_numbers} <= problems_of(plan)


def test_changes_update_only_what_differs_and_absent_members_are_left_alone(county, tmp_path):
    rows = sample_roster()
    import_file(write_csv(tmp_path / "first.csv", rows))
    households_before, _ = snapshot()
    rows[0]["联系电话"] = rows[1]["联系电话"] = rows[2]["联系电话"] = "13900139000"
    rows[2]["劳动技能"] = "普通劳动力"
    grandmother = rows.pop()

    plan, imported = import_file(write_csv(tmp_path / "second.csv", rows))

    assert imported
    assert counts_of(plan) == {"households": (0, 1, 2, 0), "members": (0, 1, 6, 1)}
    assert db.session.scalar(select(Member.name).where(Member.id_number == grandmother["证件号码"])) == "陈奶奶"
    households_after, _ = snapshot()
    unchanged = [h for h in households_after if h["household_number"] != "5301021002010001"]
    assert unchanged == [h for h in households_before if h["household_number"] != "5301021002010001"]


def test_an_import_marks_every_village_for_its_dashboard_figures_to_be_counted_again(county, tmp_path):
    def versions():
        return dict(db.session.execute(select(Area.id, Area.data_version).where(Area.level == "village")).all())

    before = versions()
    import_file(write_csv(tmp_path / "花名册.csv", sample_roster()))
    assert all(version == before[village] + 1 for village, version in versions().items())


def test_a_column_absent_from_the_file_keeps_the_stored_value(county, tmp_path):
    rows = sample_roster()
    import_file(write_csv(tmp_path / "first.csv", rows))
    for row in rows:
        row["联系电话"] = ""

    plan, imported = import_file(write_csv(tmp_path / "second.csv", rows, omit=("联系电话",)))

    assert imported and plan.counts.households_unchanged == 3
    assert set(db.session.scalars(select(Household.phone))) == {"13800138000"}


def test_unreadable_files_say_why(app_context, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    (tmp_path / "empty.csv").write_bytes(b"")

    for name, message in (("notes.txt", "只能导入 XLSX 或 CSV 文件。"),
                          ("broken.xlsx", "无法读取该 XLSX 文件"),
                          ("old.xls", "旧版 Excel（.xls）"),
                          ("empty.csv", "文件是空的")):
        with pytest.raises(sheets.SheetError) as error:
            sheets.read_path(tmp_path / name)
        assert message in error.value.message


# --- browser -------------------------------------------------------------------------------

@pytest.fixture
def admin(county, app, monkeypatch, tmp_path):
    """A county admin; kept uploads go to this test's own jobs folder."""
    monkeypatch.setitem(app.config, "JOBS_DIR", str(tmp_path / "jobs"))
    return factories.user("admin", "county_admin", [county.county])


def uploads(app) -> list[Path]:
    directory = Path(app.config["JOBS_DIR"]) / "uploads"
    return sorted(directory.glob("roster-*")) if directory.exists() else []


def post_file(client, path: Path):
    return client.post("/admin/roster/", data={"roster": (io.BytesIO(path.read_bytes()), path.name)},
                       content_type="multipart/form-data")


def test_upload_page_has_a_labelled_file_input_and_a_check_button(admin, login):
    page = login("admin").get("/admin/roster/").get_data(as_text=True)

    assert '<label for="roster">' in page
    assert 'type="file"' in page and 'id="roster"' in page
    assert "检查文件</button>" in page


def test_browser_upload_lists_every_problem_and_imports_nothing(app, admin, login, tmp_path):
    rows = sample_roster()
    rows[3]["联系电话"] = "12345"
    rows[4]["民族"] = "火星族"
    client = login("admin")

    response = post_file(client, write_csv(tmp_path / "bad.csv", rows))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "发现 2 个问题，没有导入任何数据" in page
    assert "<td>5</td>" in page and "联系电话应为 11 位数字" in page
    assert "<td>6</td>" in page and "火星族" in page
    assert "导入</button>" not in page
    assert uploads(app) == []
    assert stored_count(Household) == 0


def test_browser_good_file_checks_then_imports(app, admin, login, tmp_path):
    client = login("admin")

    checked = post_file(client, write_xlsx(tmp_path / "good.xlsx", sample_roster())).get_data(as_text=True)

    assert "没有发现问题，可以导入" in checked
    assert stored_count(Household) == 0
    [stored] = uploads(app)
    token = stored.stem.split("-", 2)[2]
    assert f'value="{token}"' in checked

    asked = client.post("/admin/roster/import", data={"upload": token})

    # The import is a job: its page shows the rows checked of rows and what was imported.
    assert asked.status_code == 303 and "/jobs/" in asked.location
    [job] = db.session.scalars(select(Job)).all()
    assert (job.kind, job.state, job.rows_done, job.rows_total) == ("roster_import", "done", 8, 8)
    page = client.get(asked.location).get_data(as_text=True)
    assert "花名册已导入" in page and "已处理 8 / 8 行" in page
    assert stored_count(Household) == 3 and stored_count(Member) == 8
    assert uploads(app) == []  # the kept rows are removed once the job has run
    again = client.post("/admin/roster/import", data={"upload": token})
    assert again.status_code == 302 and again.location.endswith("/admin/roster/")


def test_an_import_job_reports_progress_as_rows_are_checked(app, admin, login, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs_services, "PROGRESS_EVERY_ROWS", 3)
    written = []
    real_done = jobs_services.Progress.done
    monkeypatch.setattr(jobs_services.Progress, "done",
                        lambda progress, rows: (written.append(rows), real_done(progress, rows))[1])
    client = login("admin")
    post_file(client, write_csv(tmp_path / "good.csv", sample_roster()))
    [stored] = uploads(app)

    client.post("/admin/roster/import", data={"upload": stored.stem.split("-", 2)[2]})

    assert written == [3, 6, 8]


def test_an_import_job_that_finds_the_database_changed_fails_with_each_problem(app, admin, county, login, tmp_path):
    rows = sample_roster()
    client = login("admin")
    post_file(client, write_csv(tmp_path / "good.csv", rows))
    [stored] = uploads(app)
    # Between the check and the import, the first person's ID number is registered in another household.
    factories.household(county.village_c, "5301022002010009",
                        members=[factories.member("head", id_number=rows[0]["证件号码"])])

    asked = client.post("/admin/roster/import", data={"upload": stored.stem.split("-", 2)[2]})

    job = db.session.scalar(select(Job))
    assert job.state == "failed"
    page = client.get(asked.location).get_data(as_text=True)
    assert "作业失败：文件中有问题，没有导入任何数据" in page
    assert "发现 1 个问题" in page
    assert stored_count(Member) == 1 and uploads(app) == []
    client.post("/locale", data={"locale": "en"})
    english = client.get(asked.location).get_data(as_text=True)
    assert "The job failed: The file has problems; nothing was imported." in english
    assert "This ID number is already registered in another household (household number 5301022002010009)" in english


def test_another_admins_import_job_answers_404(app, admin, county, login, tmp_path):
    factories.user("admin2", "county_admin", [county.county])
    client = login("admin")
    post_file(client, write_csv(tmp_path / "good.csv", sample_roster()))
    [stored] = uploads(app)
    asked = client.post("/admin/roster/import", data={"upload": stored.stem.split("-", 2)[2]})

    other = app.test_client()
    other.post("/login", data={"username": "admin2", "password": factories.PASSWORD})
    assert other.get(asked.location).status_code == 404


def test_browser_import_refuses_a_token_of_another_user_or_a_path(app, admin, county, login, tmp_path):
    factories.user("admin2", "county_admin", [county.county])
    post_file(login("admin"), write_csv(tmp_path / "good.csv", sample_roster()))
    [stored] = uploads(app)
    token = stored.stem.split("-", 2)[2]

    other = app.test_client()
    other.post("/login", data={"username": "admin2", "password": factories.PASSWORD})
    assert other.post("/admin/roster/import", data={"upload": token}).status_code == 302
    assert other.post("/admin/roster/import", data={"upload": "../secret_key"}).status_code == 302
    assert stored_count(Household) == 0 and uploads(app) == [stored]


def test_browser_wrong_file_type_is_refused_with_a_message(admin, login):
    client = login("admin")

    response = client.post("/admin/roster/", data={"roster": (io.BytesIO(b"hello"), "roster.txt")},
                           content_type="multipart/form-data")

    assert response.status_code == 200
    assert "只能导入 XLSX 或 CSV 文件。" in response.get_data(as_text=True)


def test_only_county_admins_may_import(county, login, client, tmp_path):
    factories.user("enumerator", "enumerator", [county.village_a])
    assert client.get("/admin/roster/").status_code == 302  # anonymous: to the login page
    login("enumerator")

    assert client.get("/admin/roster/").status_code == 403
    assert post_file(client, write_csv(tmp_path / "good.csv", sample_roster())).status_code == 403
    assert client.post("/admin/roster/import", data={"upload": "x" * 24}).status_code == 403
    assert stored_count(Household) == 0


def test_upload_without_csrf_token_is_refused(admin, login, tmp_path):
    client = login("admin")
    path = write_csv(tmp_path / "good.csv", sample_roster())

    response = client.post("/admin/roster/", data={"roster": (io.BytesIO(path.read_bytes()), path.name)},
                           content_type="multipart/form-data", csrf=False)

    assert response.status_code == 400


# --- command line --------------------------------------------------------------------------

def test_cli_imports_a_good_file_and_exits_zero(county, runner, tmp_path):
    path = write_csv(tmp_path / "good.csv", sample_roster())

    dry = runner.invoke(args=["roster", "import", str(path), "--dry-run"])

    assert dry.exit_code == 0, dry.output
    assert "户：新增 3，有变化 0，无变化 0" in dry.output
    assert stored_count(Household) == 0

    result = runner.invoke(args=["roster", "import", str(path), "--lang", "en"])

    assert result.exit_code == 0, result.output
    assert stored_count(Member) == 8


def test_cli_prints_every_problem_and_exits_non_zero(county, runner, tmp_path):
    rows = sample_roster()
    rows[3]["联系电话"] = "12345"
    rows[6]["与户主关系"] = "邻居"
    path = write_csv(tmp_path / "bad.csv", rows)

    result = runner.invoke(args=["roster", "import", str(path)])

    assert result.exit_code == 1
    assert "第 5 行\t联系电话\t12345\t联系电话应为 11 位数字" in result.output
    assert "第 8 行\t与户主关系\t邻居\t不是可用的值" in result.output
    assert "发现 2 个问题，没有导入任何数据。" in result.output
    assert stored_count(Household) == 0


def test_cli_as_limits_to_the_admins_areas(county, runner, tmp_path):
    factories.user("t1admin", "county_admin", [county.township_1])
    factories.user("clerk", "enumerator", [county.county])
    rows = household("H9", "530102200201", [person("乙", "户主", "男", dt.date(1970, 1, 2))])
    path = write_csv(tmp_path / "c.csv", rows)

    scoped = runner.invoke(args=["roster", "import", str(path), "--as", "t1admin"])
    not_admin = runner.invoke(args=["roster", "import", str(path), "--as", "clerk"])

    assert scoped.exit_code == 1 and "该村不在您负责的范围内" in scoped.output
    assert not_admin.exit_code == 2
    assert stored_count(Household) == 0


# Identification state belongs to the monitoring lifecycle ------------------------------------

def monitored_rows(rows=None) -> list[dict]:
    """Household 5301021002010001 listed by the national system as 边缘易致贫户 since 10 May 2024."""
    rows = rows or sample_roster()
    for row in rows[:3]:
        row.update({"监测对象类别": "边缘易致贫户", "纳入监测时间": "2024-05-10"})
    return rows


def identification_events():
    db.session.expire_all()
    return [(event.action, event.to_state, event.on_date, event.actor.username)
            for event in db.session.scalars(select(MonitoringEvent).order_by(MonitoringEvent.id))]


def test_a_household_the_national_system_lists_as_monitored_enters_through_the_lifecycle(county, login, tmp_path):
    admin = factories.user("admin", "county_admin", [county.county])
    rows = monitored_rows()
    plan, imported = import_file(write_csv(tmp_path / "national.csv", rows), admin)
    assert imported and (plan.counts.monitored_entered, plan.counts.monitored_kept) == (1, 0)
    household = db.session.scalar(select(Household).where(Household.household_number == "5301021002010001"))
    assert household.monitored_category == "marginal"
    identification = monitoring_queries.identification_of(household)
    assert (identification.channel, identification.state, identification.decided_date, identification.campaign_id) \
        == ("national_system", "approved", dt.date(2024, 5, 10), None)
    assert identification_events() == [("national_entry", "approved", dt.date(2024, 5, 10), "admin")]
    db.session.add(Campaign(name="2026", year=2026, form_version="2026.2"))
    db.session.commit()
    factories.user("township", "township_approver", [county.township_1])
    township = login("township")
    page = township.get(f"/monitoring/households/{household.id}").get_data(as_text=True)
    assert "2024年5月10日" in page and "全国系统已认定为监测对象，花名册导入" in page
    page = township.get(f"/monitoring/proposals/{identification.id}")
    assert page.status_code == 200 and "全国防返贫监测信息系统" in page.get_data(as_text=True)

    plan, imported = import_file(write_csv(tmp_path / "again.csv", rows), admin)
    assert imported and (plan.counts.monitored_entered, plan.counts.monitored_kept) == (0, 1)
    assert len(identification_events()) == 1  # importing the same file again changes nothing


def test_a_re_import_never_changes_what_the_lifecycle_decided(county, tmp_path):
    admin = factories.user("admin", "county_admin", [county.county])
    rows = sample_roster()
    import_file(write_csv(tmp_path / "first.csv", rows), admin)
    household = db.session.scalar(select(Household).where(Household.household_number == "5301021002010001"))
    eliminated = db.session.scalar(select(Household).where(Household.household_number == "5301021002020001"))
    campaign = Campaign(name="2026", year=2026, form_version="2026.2")
    db.session.add(campaign)
    for found, category, kind in ((household, "sudden_hardship", "identification"),
                                  (eliminated, "unstable_out_of_poverty", "elimination")):
        db.session.add(Proposal(household=found, campaign=campaign, kind=kind, state="approved", category=category,
                                channel="self_application" if kind == "identification" else "natural",
                                clue_date=dt.date(2026, 3, 1), appraisal_date=dt.date(2026, 3, 1),
                                notice_start=dt.date(2026, 3, 1), decided_date=dt.date(2026, 3, 9), note="",
                                risk_types=["01"], created_by_id=admin.id))
    household.monitored_category = "sudden_hardship"  # identified here; the other was eliminated here
    db.session.commit()
    rows = monitored_rows(rows)
    for row in rows[4:]:
        row.update({"监测对象类别": "脱贫不稳定户", "纳入监测时间": "2024-05-10"})

    plan, imported = import_file(write_csv(tmp_path / "second.csv", rows), admin)

    assert imported and (plan.counts.monitored_entered, plan.counts.monitored_kept) == (0, 2)
    db.session.expire_all()
    assert db.session.get(Household, household.id).monitored_category == "sudden_hardship"
    assert db.session.get(Household, eliminated.id).monitored_category is None
    assert identification_events() == []


def test_a_monitored_household_in_the_file_needs_its_date_and_a_category_fitting_its_type(county, in_request,
                                                                                          tmp_path):
    admin = factories.user("admin", "county_admin", [county.county])
    rows = monitored_rows()
    for row in rows[:3]:
        row["纳入监测时间"] = ""
    rows[3].update({"监测对象类别": "边缘易致贫户", "纳入监测时间": "2024-05-10"})  # an out-of-poverty household

    plan, imported = import_file(write_csv(tmp_path / "bad.csv", rows), admin)

    assert not imported
    assert problems_of(plan) == {
        (2, "纳入监测时间", "监测对象须填写纳入监测时间（全国系统中的识别日期）"),
        (5, "监测对象类别", "边缘易致贫户只适用于一般农户，该户是脱贫户"),
    }
    assert stored_count(Proposal) == 0 and stored_count(Household) == 0


def test_the_command_line_names_who_enters_monitored_households(county, runner, tmp_path):
    factories.user("admin", "county_admin", [county.county])
    path = write_csv(tmp_path / "national.csv", monitored_rows())
    anonymous = runner.invoke(args=["roster", "import", str(path)])
    assert anonymous.exit_code == 1 and "--as" in anonymous.output
    assert stored_count(Household) == 0
    named = runner.invoke(args=["roster", "import", str(path), "--as", "admin"])
    assert named.exit_code == 0, named.output
    assert "监测对象：全国系统认定、新纳入 1 户" in named.output
    assert stored_count(Proposal) == 1


def test_a_superscript_or_arabic_indic_digit_is_a_row_problem_and_nothing_is_imported(county, in_request, tmp_path):
    rows = sample_roster()
    rows[0]["证件号码"] = "²" + rows[0]["证件号码"][1:]  # int("²") used to stop the whole import
    rows[1]["务工时间（月）"] = "١٢"  # int() reads it as 12; the census form does not
    plan, imported = import_file(write_csv(tmp_path / "roster.csv", rows))

    assert not imported
    assert problems_of(plan) == {(2, "证件号码", "证件号码校验位不对，请核对是否录错"),
                                 (3, "务工时间（月）", "务工时间应为 0 到 12 之间的整数（月）")}
    assert stored_count(Member) == 0


def test_the_same_person_in_another_household_as_a_certificate_number_is_refused(county, in_request, tmp_path):
    existing = factories.household(county.village_c, "5301022002010009")
    rows = sample_roster()
    rows[1]["证件号码"] = existing.members[1].id_number + "21"  # Li Si, female, born 1982-03-09
    rows[1]["出生日期"] = "1982-03-09"

    plan, imported = import_file(write_csv(tmp_path / "roster.csv", rows))

    assert not imported
    assert problems_of(plan) == {(3, "证件号码", "该证件号码已登记在另一户（户编号 5301022002010009）")}


def test_a_certificate_number_replaces_the_id_number_of_the_same_person(county, tmp_path):
    rows = sample_roster()
    import_file(write_csv(tmp_path / "first.csv", rows))
    before = stored_count(Member)
    rows[0]["证件号码"] += "21"

    plan, imported = import_file(write_csv(tmp_path / "second.csv", rows))

    assert imported and stored_count(Member) == before
    assert counts_of(plan)["members"] == (0, 1, 7, 0)
    db.session.expire_all()
    head = db.session.scalar(select(Member).where(Member.name == "王大山"))
    assert (head.id_number, head.person_key) == (rows[0]["证件号码"], rows[0]["证件号码"][:18])
