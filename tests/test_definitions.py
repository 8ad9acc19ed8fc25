"""Form definitions: the shipped version passes every check; a county admin publishes a new
version by uploading JSON, checked first; published versions never change."""
import copy
import io
import json

import pytest

from app.census import definitions
from app.census.models import FormDefinition
from app.extensions import db
from tests import factories

SHIPPED = definitions.shipped()[definitions.DEFAULT_VERSION]


@pytest.fixture
def admin(county, login):
    factories.user("admin", "county_admin", [county.county])
    return login("admin")


def upload(client, definition, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(definition, ensure_ascii=False).encode()
    return client.post("/admin/forms", data={"definition": (io.BytesIO(data), "form.json")},
                       content_type="multipart/form-data")


def new_version(version: str = "2026.9", **changes) -> dict:
    definition = copy.deepcopy(SHIPPED)
    definition["version"] = version
    definition.update(changes)
    return definition


@pytest.mark.parametrize("version", ["2026.1", "2026.2"])
def test_the_shipped_definitions_pass_every_check(app_context, version):
    assert definitions.check(definitions.shipped()[version]) == []


def test_2026_2_adds_the_natural_disaster_sub_codes_and_marks_the_risks_that_reveal_health():
    """DOMAIN §9 and §10; 2026.1 is published and stays as it was."""
    assert definitions.DEFAULT_VERSION == "2026.2"
    risks = {risk["code"]: risk for risk in definitions.shipped()["2026.2"]["risk_types"]}
    assert [code for code, risk in risks.items() if risk.get("parent") == "02"] == \
        ["0201", "0202", "0203", "0204", "0205", "0206", "0299"]
    assert [risks[code]["label"]["zh_Hans"] for code in ("0201", "0206", "0299")] == ["洪涝灾害", "地震灾害", "其他自然灾害"]
    assert sorted(code for code, risk in risks.items() if risk.get("reveals_health")) == ["01", "03"]
    old = {risk["code"]: risk for risk in definitions.shipped()["2026.1"]["risk_types"]}
    assert "0201" not in old and not any("reveals_health" in risk for risk in old.values())
    assert set(old) < set(risks)  # every code of 2026.1 keeps its meaning


@pytest.mark.parametrize(("change", "message"), [
    (lambda risks: risks[2].update(parent="77"), "风险类型“0201”的上级代码“77”不存在。"),
    (lambda risks: risks[3].update(code="0201"), "风险类型代码“0201”重复。"),
])
def test_a_risk_type_table_is_checked(app_context, change, message):
    definition = new_version()
    change(definition["risk_types"])
    assert message in [problem["message"] for problem in definitions.check(definition)]


def test_an_admin_publishes_a_new_version_without_a_code_change(admin, app_context):
    definition = new_version()
    definition["income"]["categories"][3]["items"][3]["counts"] = False  # a province excludes 低保金
    response = upload(admin, definition)
    assert response.status_code == 302
    assert definitions.get("2026.9")["income"]["categories"][3]["items"][3]["counts"] is False
    assert "2026.9" in admin.get("/admin/forms").get_data(as_text=True)
    assert admin.get("/census/forms/2026.9.json").get_json()["definition"]["version"] == "2026.9"


@pytest.mark.parametrize("version", [definitions.DEFAULT_VERSION, "2026.9"])
def test_a_published_version_is_never_overwritten(admin, app_context, version):
    assert upload(admin, new_version()).status_code == 302
    changed = new_version(version, title={"zh_Hans": "改了", "en": "Changed"})
    response = upload(admin, changed)
    assert response.status_code == 422
    assert "已经发布，已发布的版本不能修改" in response.get_data(as_text=True)
    assert definitions.get(version)["title"]["zh_Hans"] != "改了"


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.pop("sections"), "缺少必填项“sections”。"),
    (lambda d: d.update(version="has space"), "的格式不正确"),
    (lambda d: d["sections"][1]["questions"][0].update(type="slider"), "不被允许"),
    (lambda d: d["sections"][1]["questions"][4].update(codes="nope"), "未知的代码表“nope”。"),
    (lambda d: d["sections"][2]["questions"].pop(0), "收入项目“wage_migrant”没有对应的金额题。"),
    (lambda d: d["sections"][1]["questions"].pop(3), "显示条件引用了本栏目中不存在的问题“birth_date”"),
    (lambda d: d["income"]["beside"].append(dict(d["income"]["beside"][0])), "收入项目编号“out_of_pocket_medical”重复。"),
    (lambda d: d["sections"][5]["questions"].pop(0), "“三保障”栏目缺少是否题“food_clothing”。"),
])
def test_every_problem_is_reported_and_nothing_is_published(admin, app_context, change, message):
    definition = new_version()
    change(definition)
    response = upload(admin, definition)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(FormDefinition).count() == 0


def test_a_file_that_is_not_json_gets_its_position(admin, app_context):
    response = upload(admin, None, raw=b'{"version": "x",\n  oops}')
    assert response.status_code == 422
    assert "JSON 格式有误：第 2 行第 3 列。" in response.get_data(as_text=True)


def test_download_a_version_to_start_from(admin):
    response = admin.get(f"/admin/forms/{definitions.DEFAULT_VERSION}.json")
    assert response.get_json() == SHIPPED
    assert "attachment" in response.headers["Content-Disposition"]


def test_only_the_county_admin_manages_versions(client, login, county):
    factories.user("enum", "enumerator", [county.village_a])
    login("enum")
    assert client.get("/admin/forms").status_code == 403
    assert upload(client, new_version()).status_code == 403
