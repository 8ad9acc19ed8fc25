"""Areas: the statistical-code file (pure parser and all-or-nothing load), the tree, groups."""
import io

import pytest
from sqlalchemy import func, select

from app.errors import InvalidInput
from app.extensions import db
from app.geo import codes_csv
from app.geo import services as geo_services
from app.geo.models import Area
from tests import factories

HEADER = "统计用区划代码,名称,层级\n"
GOOD_FILE = HEADER + (
    "530102000000,五华区,县\n"
    "530102100000,华山街道,乡镇\n"
    "530102100201,翠湖社区,村\n"
    "530102100201001,第一村民小组,村民小组\n"
    "530102200000,红云镇,\n"
    "530102200201,红云村,村\n"
)


def upload(client, text: str, code_year: int = 2025, encoding: str = "utf-8"):
    return client.post("/admin/areas/codes", data={
        "code_year": str(code_year), "file": (io.BytesIO(text.encode(encoding)), "codes.csv"),
    }, content_type="multipart/form-data")


@pytest.fixture
def admin(client, login, app_context):
    """Signed in as a county admin of an empty area table (the admin needs no areas to load codes)."""
    db.session.add(Area(code="530102000000", name="五华区", level="county", code_year=2024))
    db.session.commit()
    factories.user("admin", "county_admin", [db.session.scalar(select(Area))])
    return login("admin")


@pytest.fixture
def request_context(app):
    """Problem texts are translated, which needs a request (for its locale)."""
    with app.test_request_context():
        yield


def areas() -> dict[str, tuple]:
    db.session.expire_all()
    return {area.code: (area.name, area.level, area.parent.code if area.parent else None, area.code_year)
            for area in db.session.scalars(select(Area))}


# The pure parser ----------------------------------------------------------------------------

@pytest.mark.parametrize("code, expected", [
    ("530102000000", ("county", None)),
    ("530102100000", ("township", "530102000000")),
    ("530102100201", ("village", "530102100000")),
    ("530102100201007", ("group", "530102100201")),
    ("53010210020", None),  # 11 digits
    ("5301021002011", None),  # 13 digits
    ("53010210020a", None),
    ("５30102100201", None),  # a full-width digit
    ("530102000201", None),  # a village straight under the county
    ("530100000000", None),  # a prefecture, not a county
    ("530102100000001", None),  # a group under a township
    ("530102100201000", None),  # group number 000
])
def test_level_and_parent_follow_from_the_code(code, expected):
    assert codes_csv.level_and_parent(code) == expected


def test_parse_reads_levels_and_parents():
    parsed = codes_csv.parse(GOOD_FILE.encode(), known_codes=set())
    assert parsed.problems == []
    assert [(row.line, row.code, row.level, row.parent_code) for row in parsed.rows][:4] == [
        (2, "530102000000", "county", None),
        (3, "530102100000", "township", "530102000000"),
        (4, "530102100201", "village", "530102100000"),
        (5, "530102100201001", "group", "530102100201"),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_parse_accepts_utf8_with_or_without_bom_and_gb18030(encoding):
    parsed = codes_csv.parse(GOOD_FILE.encode(encoding), known_codes=set())
    assert parsed.problems == []
    assert parsed.rows[1].name == "华山街道"


def test_parse_accepts_english_headers_extra_columns_and_blank_lines():
    text = "code,urban_rural,name\n530102000000,111,County\n\n530102100000,121,Town\n"
    parsed = codes_csv.parse(text.encode(), known_codes=set())
    assert parsed.problems == []
    assert [row.name for row in parsed.rows] == ["County", "Town"]


def test_parse_takes_parents_from_the_stored_codes():
    parsed = codes_csv.parse("code,name\n530102100202,新村\n".encode(), known_codes={"530102100000"})
    assert parsed.problems == []


def test_parse_reports_every_bad_row_with_line_column_and_reason(request_context):
    text = HEADER + (
        "530102000000,五华区,县\n"
        "5301021,短代码,村\n"
        "530102100000,,乡镇\n"
        "530102100000,重复,乡镇\n"
        "530102300201,孤村,村\n"
        "530102100201,翠湖社区,乡镇\n"
    )
    problems = codes_csv.parse(text.encode(), known_codes=set()).problems
    assert [(p.line, p.column) for p in problems] == [
        (3, "统计用区划代码"), (4, "名称"), (5, "统计用区划代码"), (6, "统计用区划代码"), (7, "层级"),
    ]
    texts = [p.text for p in problems]
    assert "“5301021”不是有效的区划代码" in texts[0]
    assert texts[1] == "名称不能为空。"
    assert texts[2] == "区划代码 530102100000 与第 4 行重复。"
    assert texts[3] == "上级区划 530102300000 既不在文件中，也不在系统中。"
    assert texts[4] == "层级“乡镇”与区划代码不符。"


def test_parse_reports_a_name_too_long(request_context):
    problems = codes_csv.parse(f"code,name\n530102000000,{'长' * 101}\n".encode(), known_codes=set()).problems
    assert [(p.line, p.column, p.text) for p in problems] == [(2, "name", "名称不能超过 100 个字。")]


@pytest.mark.parametrize("data, message", [
    (b"", "文件是空的。"),
    ("名称,层级\n五华区,县\n".encode(), "缺少列：统计用区划代码/code"),
    (b"code,name\n530102000000,\"x" + b"x" * 200_000 + b'"\n', "文件不是有效的 CSV 格式。"),
    (b"code,name\n\n", "文件中没有数据行。"),
    (b"\xff\xfe\x00\x00\xff", "无法识别文件编码，请保存为 UTF-8 或 GB18030 编码的 CSV 文件。"),
])
def test_parse_reports_unusable_files(request_context, data, message):
    assert [p.text for p in codes_csv.parse(data, known_codes=set()).problems] == [message]


# Loading through the page -------------------------------------------------------------------

def test_loading_a_file_builds_the_tree(admin):
    response = upload(admin, GOOD_FILE)
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "新增 5 个，更新 1 个，未变 0 个" in page
    assert areas()["530102100201001"] == ("第一村民小组", "group", "530102100201", 2025)
    assert areas()["530102200201"] == ("红云村", "village", "530102200000", 2025)
    assert areas()["530102000000"] == ("五华区", "county", None, 2025)  # the code year moved on


def test_reloading_the_same_file_changes_nothing(admin):
    upload(admin, GOOD_FILE)
    before = areas()
    response = upload(admin, GOOD_FILE)
    assert "新增 0 个，更新 0 个，未变 6 个" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert areas() == before


def test_a_later_file_renames_and_adds(admin):
    upload(admin, GOOD_FILE)
    later = GOOD_FILE.replace("翠湖社区", "翠湖新社区") + "530102200202,新村,村\n"
    response = upload(admin, later, code_year=2026)
    assert "新增 1 个，更新 6 个，未变 0 个" in admin.get(response.headers["Location"]).get_data(as_text=True)
    loaded = areas()
    assert loaded["530102100201"] == ("翠湖新社区", "village", "530102100000", 2026)
    assert loaded["530102200202"] == ("新村", "village", "530102200000", 2026)


def test_an_older_file_does_not_undo_a_newer_one(admin):
    upload(admin, GOOD_FILE.replace("翠湖社区", "翠湖新社区"), code_year=2026)
    upload(admin, GOOD_FILE, code_year=2025)
    assert areas()["530102100201"] == ("翠湖新社区", "village", "530102100000", 2026)


def test_a_file_with_bad_rows_loads_nothing_and_lists_them(admin):
    bad = GOOD_FILE + "530102300201,孤村,村\n530102100201,重复,村\n"
    response = upload(admin, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "文件未导入：发现 2 处问题" in page
    assert "上级区划 530102300000 既不在文件中，也不在系统中。" in page
    assert "区划代码 530102100201 与第 4 行重复。" in page
    assert list(areas()) == ["530102000000"]


def test_gb18030_upload(admin):
    assert upload(admin, GOOD_FILE, encoding="gb18030").status_code == 302
    assert areas()["530102100000"][0] == "华山街道"


@pytest.mark.parametrize("data, message", [
    ({"code_year": "2025"}, "请选择要上传的文件。"),
    ({"code_year": "1999", "file": (io.BytesIO(GOOD_FILE.encode()), "codes.csv")}, "年份应在 2000 至 2100 之间。"),
    ({"code_year": "", "file": (io.BytesIO(GOOD_FILE.encode()), "codes.csv")}, "请输入年份。"),
])
def test_the_upload_form_explains_missing_input(admin, data, message):
    response = admin.post("/admin/areas/codes", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert list(areas()) == ["530102000000"]


# The tree and groups ------------------------------------------------------------------------

def test_the_tree_shows_codes_levels_years_and_households(client, login, county):
    factories.user("admin", "county_admin", [county.county])
    factories.household(county.village_a, "H1", group=county.group_a1)
    factories.household(county.village_a, "H2")
    page = login("admin").get("/admin/areas").get_data(as_text=True)
    for text in ("Test County", "530102100201001", "村民小组", "2026"):
        assert text in page
    rows = [line for line in page.split("<tr>") if "530102100201<" in line or "530102100201001<" in line]
    assert '<td class="num">2</td>' in rows[0] and '<td class="num">1</td>' in rows[1]


def test_adding_a_group_takes_the_next_number(client, login, county):
    factories.user("admin", "county_admin", [county.county])
    response = login("admin").post("/admin/areas/groups", data={"village": county.village_a.id, "name": "第三组"})
    assert response.status_code == 302
    group = db.session.scalar(select(Area).where(Area.name == "第三组"))
    assert (group.code, group.level, group.parent_id, group.code_year) == (
        "530102100201003", "group", county.village_a.id, 2026)
    login("admin").post("/admin/areas/groups", data={"village": county.village_b.id, "name": "一组"})
    assert db.session.scalar(select(Area.code).where(Area.name == "一组")) == "530102100202001"


@pytest.mark.parametrize("name, message", [("", "请输入村民小组名称。"), ("Group A1", "Village A已有名为“Group A1”的村民小组。")])
def test_adding_a_group_explains_refusals(client, login, county, name, message):
    factories.user("admin", "county_admin", [county.county])
    response = login("admin").post("/admin/areas/groups", data={"village": county.village_a.id, "name": name})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Area).where(Area.level == "group")) == 2


def test_groups_go_under_villages_only(app, county):
    with app.test_request_context(), pytest.raises(InvalidInput, match="只能在村下添加村民小组。"):
        geo_services.add_group(county.township_1, "一组")


def test_a_village_runs_out_of_group_numbers_at_999(app, county):
    factories.area("530102100202999", "Last", "group", county.village_b)
    db.session.commit()
    with app.test_request_context(), pytest.raises(InvalidInput, match="Village B的村民小组编号已用完。"):
        geo_services.add_group(county.village_b, "一组")
