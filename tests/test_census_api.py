"""The server checks a census record with the same rules as the phone."""
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext

from app import clock
from app.census import messages
from app.census import services as census
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def household(county):
    return factories.household(county.village_a, "A-0001", members=[
        factories.member("head", name="Wang Wu", birth_date=dt.date(1975, 4, 2)),
        factories.member("spouse", name="Li Mei", sex="female", birth_date=dt.date(1978, 9, 20)),
    ])


@pytest.fixture
def enumerator(county, login):
    factories.user("enum", "enumerator", [county.village_a])
    return login("enum")


def valid_answers(household) -> dict:
    """The roster prefill, completed as an enumerator would."""
    answers = json.loads(json.dumps(census.prefill(household, clock.today(), None), default=str))  # as the phone gets it
    answers["household"].update(phone="13912345678", relocation_site=False)
    for member in answers["members"]:
        member.update(ethnicity="01", education_level="junior_secondary")
    answers["guarantees"] = dict.fromkeys(("food_clothing", "compulsory_education", "basic_medical", "housing", "drinking_water"), True)
    answers["consent"] = {"consent_given": True, "consent_signer": "Wang Wu"}
    answers["income"] = {"wage_migrant": "36000"}
    return answers


def test_a_complete_record_passes(enumerator, household):
    answers = valid_answers(household)
    response = enumerator.post(f"/api/households/{household.id}/check", json={"answers": answers})
    assert response.status_code == 200, response.get_json()["issues"]
    result = response.get_json()
    assert result["income"]["per_capita_net_income"] == 1800000
    assert result["blocking"] == 0


def test_three_errors_come_back_each_with_its_path_and_message(enumerator, household):
    answers = valid_answers(household)
    answers["household"]["phone"] = "1391234"
    answers["members"][1]["id_number"] = answers["members"][1]["id_number"][:17] + "Z"
    answers["income"]["wage_local"] = "1.234"
    response = enumerator.post(f"/api/households/{household.id}/check", json={"answers": answers})
    assert response.status_code == 422
    issues = [(i["path"], i["code"], i["message"]) for i in response.get_json()["issues"]]
    assert issues == [
        ("household.phone", "phone_format", "联系电话应为以 1 开头的 11 位数字。"),
        ("members[1].id_number", "id_characters", "证件号码只能包含数字，最后一位可以是 X。"),
        ("income.wage_local", "money_format", "金额应为数字，最多两位小数。"),
    ]


def test_messages_follow_the_users_language(app, client, county, household):
    factories.user("enum", "enumerator", [county.village_a], locale="en")
    client.post("/login", data={"username": "enum", "password": factories.PASSWORD})
    answers = valid_answers(household)
    answers["household"]["phone"] = "x"
    issues = client.post(f"/api/households/{household.id}/check", json={"answers": answers}).get_json()["issues"]
    assert issues[0]["message"] == "The phone number must be 11 digits starting with 1."


def test_an_id_registered_in_another_household_is_a_warning_from_the_server(enumerator, county, household):
    other = factories.household(county.village_b, "B-0001")
    answers = valid_answers(household)
    answers["members"][1]["id_number"] = other.members[0].id_number
    answers["members"][1].update(sex="male", birth_date=other.members[0].birth_date.isoformat())
    issues = enumerator.post(f"/api/households/{household.id}/check", json={"answers": answers}).get_json()["issues"]
    assert ("members[1].id_number", "id_in_other_household", "warning") in [(i["path"], i["code"], i["severity"]) for i in issues]


@pytest.mark.parametrize("body", [
    "not json", json.dumps([1, 2]), json.dumps({"answers": []}), json.dumps({"answers": {"members": ["x"]}}),
    json.dumps({"answers": {"members": [{"name": {"first": "a"}}]}}), json.dumps({"answers": {"household": 5}}),
])
def test_malformed_records_are_refused_whole(enumerator, household, body):
    response = enumerator.post(f"/api/households/{household.id}/check", data=body, content_type="application/json",
                               headers={"X-CSRFToken": enumerator.csrf_token()}, csrf=False)
    assert response.status_code == 400
    assert response.get_json()["message"]


def test_unknown_form_version_is_refused(enumerator, household):
    response = enumerator.post(f"/api/households/{household.id}/check", json={"answers": {}, "form_version": "1999.9"})
    assert response.status_code == 400


def test_another_villages_household_answers_404(enumerator, county):
    other = factories.household(county.village_c, "C-0001")
    assert enumerator.post(f"/api/households/{other.id}/check", json={"answers": {}}).status_code == 404


def test_roles_that_do_not_collect_get_403(client, login, county, household):
    factories.user("township", "township_approver", [county.township_1])
    login("township")
    assert client.post(f"/api/households/{household.id}/check", json={"answers": {}}).status_code == 403


def test_json_posts_need_the_csrf_header(enumerator, household):
    response = enumerator.post(f"/api/households/{household.id}/check", data=json.dumps({"answers": {}}),
                               content_type="application/json", csrf=False)
    assert response.status_code == 400


def test_the_bundle_carries_definition_code_tables_and_messages(enumerator):
    bundle = enumerator.get("/census/forms/2026.1.json").get_json()
    assert bundle["definition"]["version"] == "2026.1"
    assert {"value": "head", "label": "户主"} in bundle["code_tables"]["relation"]
    assert bundle["messages"]["issues"]["required"] == "请填写此项。"
    assert bundle["time_zone"] == "Asia/Shanghai"  # the county's: the phone writes its times in it
    assert enumerator.get("/census/forms/nope.json").status_code == 404


def test_every_client_string_is_listed_for_translation():
    """The phone's interface strings are Chinese literals in static/js; messages.CLIENT
    lists exactly those: it is what gets translated and sent to the phone."""
    used = set()
    for path in (ROOT / "static" / "js").rglob("*.js"):
        used |= {text for text in re.findall(r'"([^"]*)"', path.read_text()) if re.search(r"[\u4e00-\u9fff]", text)}
    assert used == set(messages.CLIENT)


@pytest.mark.parametrize(("locale", "sentence", "label"), [
    ("zh_Hans", "人均纯收入 12,000.00 元高于监测范围，但扣除刚性支出后人均收入 8,000.00 元，不高于监测范围 8,700.00 元。",
     "扣除刚性支出后不高于监测范围"),
    ("en", "Per-capita net income ¥12,000.00 is above the monitoring threshold, but after rigid costs it is "
     "¥8,000.00, within the threshold of ¥8,700.00.", "Within the threshold after rigid costs"),
])
def test_income_after_rigid_costs_within_the_threshold_is_said_in_both_languages(app, locale, sentence, label):
    """DOMAIN §5: 12,000 yuan a head less 4,000 out of pocket is 8,000, within 8,700."""
    flag = {"code": "after_rigid_costs_within_threshold",
            "params": {"per_capita": 1200000, "after_rigid_costs": 800000, "threshold": 870000}}
    with app.test_request_context(), force_locale(locale):
        assert messages.flag_message(flag, {}) == sentence
        assert gettext(messages.FLAG_LABELS[flag["code"]]) == label


def test_a_superscript_digit_in_an_id_is_an_issue_not_a_500(enumerator, household):
    """NFKC reads ² as 2 (on the phone too), so the number is read and fails its checksum."""
    answers = valid_answers(household)
    answers["members"][1]["id_number"] = "²" + answers["members"][1]["id_number"][1:]
    response = enumerator.post(f"/api/households/{household.id}/check", json={"answers": answers})
    assert response.status_code == 422
    assert [(i["path"], i["code"]) for i in response.get_json()["issues"] if i["severity"] == "error"] == [
        ("members[1].id_number", "id_checksum")]


def test_full_width_ids_and_amounts_read_as_the_phone_reads_them(enumerator, household):
    answers = valid_answers(household)
    full_width = str.maketrans("0123456789X,.", "０１２３４５６７８９Ｘ，．")
    answers["members"][0]["id_number"] = answers["members"][0]["id_number"].translate(full_width)
    answers["income"] = {"wage_migrant": "３６，０００．００", "wage_local": "1 000"}
    response = enumerator.post(f"/api/households/{household.id}/check", json={"answers": answers})
    assert response.status_code == 200, response.get_json()["issues"]
    assert response.get_json()["income"]["per_capita_net_income"] == 1850000


def test_an_amount_above_the_bound_is_an_error_with_the_bound_in_the_message(enumerator, household):
    answers = valid_answers(household)
    answers["income"]["wage_local"] = "100000000.01"
    response = enumerator.post(f"/api/households/{household.id}/check", json={"answers": answers})
    assert response.status_code == 422
    assert [(i["path"], i["code"], i["message"]) for i in response.get_json()["issues"] if i["severity"] == "error"] == [
        ("income.wage_local", "money_too_large", "金额不能超过 100,000,000.00 元。")]


def test_digits_of_another_script_are_refused_on_the_server_as_on_the_phone(enumerator, household):
    """Python's int() reads Arabic-Indic digits; the phone's JavaScript does not."""
    answers = valid_answers(household)
    answers["members"][0]["months_worked"] = "١٢"
    answers["household"]["phone"] = "١٣٩١٢٣٤٥٦٧٨"
    answers["income"]["wage_local"] = "٥٠٠٠"
    response = enumerator.post(f"/api/households/{household.id}/check", json={"answers": answers})
    assert response.status_code == 422
    assert [(i["path"], i["code"]) for i in response.get_json()["issues"] if i["severity"] == "error"] == [
        ("household.phone", "phone_format"), ("members[0].months_worked", "integer_format"),
        ("income.wage_local", "money_format")]


@pytest.mark.parametrize("body, message", [
    ('{"answers": ' + "[" * 5000 + "]" * 5000 + "}", "JSON 嵌套超过 32 层。"),
    ('{"answers": {"x": ' + "[" * 40 + "]" * 40 + "}}", "JSON 嵌套超过 32 层。"),
    ('{"answers": {"income": {"wage_migrant": NaN}}}', "数值应为有限的数字，不能是 NaN 或 Infinity。"),
    ('{"answers": {"household": {"phone": "139\\u0000"}}}', "含有无法保存的字符（NUL 或不成对的代理字符）。"),
    ('{"answers": {}, "form_version": ["2026.1"]}', "未知的调查表版本“['2026.1']”。"),
])
def test_a_body_no_database_could_store_answers_400_with_a_message(enumerator, household, body, message):
    response = enumerator.post(f"/api/households/{household.id}/check", data=body, content_type="application/json",
                               headers={"X-CSRFToken": enumerator.csrf_token()}, csrf=False)
    assert response.status_code == 400
    assert response.get_json()["message"] == message
