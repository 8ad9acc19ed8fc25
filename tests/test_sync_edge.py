"""The push at the edge (docs/sync.md, Push): whatever a client sends, a malformed record
answers ``invalid`` with its field while its neighbours are stored, a malformed request
answers 400 or 413 with a message, and nothing answers 5xx or ``error`` for input."""
import io
import json

import pytest

from app.records.models import Submission
from tests import factories
from tests.sync_setup import assign_to, count, field, push, record


@pytest.fixture
def setup(county, login):
    built = field(county)
    built.client = login("enum")
    return built


def post_raw(client, body: bytes):
    return client.post("/api/sync/records", data=body, content_type="application/json", csrf=False,
                       headers={"X-CSRFToken": client.csrf_token()})


def post_chunked(client, body: bytes):
    """As gunicorn passes a chunked body on: no Content-Length, the stream ends where the body does."""
    return client.post("/api/sync/records", input_stream=io.BytesIO(body), content_type="application/json",
                       csrf=False, headers={"Transfer-Encoding": "chunked", "X-CSRFToken": client.csrf_token()},
                       environ_overrides={"wsgi.input_terminated": True})


def nested(depth: int):
    value = 1
    for _level in range(depth):
        value = [value]
    return value


def between(setup, bad: dict) -> list[dict]:
    """Push ``bad`` between two good records: both good ones are created, and the bad one's result."""
    first, second = record(setup), record(setup, setup.second)
    response = push(setup.client, first, bad, second)
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    assert [results[0]["result"], results[2]["result"]] == ["created", "created"]
    assert count(Submission) == 2
    return results[1]


@pytest.mark.parametrize("change, path", [
    ({"household_id": [1]}, "household_id"),
    ({"household_id": {"id": 1}}, "household_id"),
    ({"household_id": 2**31}, "household_id"),
    ({"household_id": -(2**63)}, "household_id"),
    ({"household_id": 10**40}, "household_id"),
    ({"household_id": 7.0}, "household_id"),
    ({"household_id": True}, "household_id"),
    ({"base_revision": 2**31}, "base_revision"),
    ({"base_revision": 2**64}, "base_revision"),
    ({"id": ["x"]}, "id"),
    ({"form_version": "2026.1" + "x" * 40}, "form_version"),
    ({"form_version": {"v": 1}}, "form_version"),
    ({"answers": "x"}, "answers"),
    ({"attachments": {"sha256": "a" * 64}}, "attachments"),
    ({"attachments": [{"sha256": "a" * 64, "kind": "photo", "size": -1}]}, "attachments[0]"),
])
def test_a_record_of_the_wrong_shape_or_range_is_invalid_alone(setup, change, path):
    bad = {**record(setup), **change}
    result = between(setup, bad)
    assert result["result"] == "invalid", result
    assert [(item["path"], item["code"]) for item in result["issues"]] == [(path, "malformed")]
    assert result["issues"][0]["message"]


def test_a_missing_field_is_named(setup):
    bad = record(setup)
    del bad["household_id"]
    assert between(setup, bad)["issues"][0]["path"] == "household_id"


@pytest.mark.parametrize("where", ["form_version", "answers.household.phone", "answers.members[0].name",
                                   "client_result.note"])
def test_a_nul_character_anywhere_makes_the_record_invalid(setup, where):
    bad = record(setup)
    parts = where.replace("[0]", ".0").split(".")
    target = bad
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target.setdefault(part, {})
    target[parts[-1]] = "王\x00五"
    result = between(setup, bad)
    assert result["result"] == "invalid"
    codes = {(item["path"], item["code"]) for item in result["issues"]}
    assert (where, "bad_character") in codes or (where, "malformed") in codes


def test_a_lone_surrogate_makes_the_record_invalid(setup):
    bad = record(setup)
    bad["answers"]["household"]["address"] = "\ud800"
    assert between(setup, bad)["issues"][0]["code"] == "bad_character"


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_make_the_record_invalid(setup, literal):
    first, bad = record(setup), record(setup, setup.second)
    bad["answers"]["income"]["wage_migrant"] = "__HERE__"
    text = json.dumps({"records": [first, bad]}).replace('"__HERE__"', literal)
    response = post_raw(setup.client, text.encode())
    assert response.status_code == 200, response.get_data(as_text=True)
    created, invalid = response.get_json()["results"]
    assert created["result"] == "created" and invalid["result"] == "invalid"
    assert invalid["issues"] == [{"path": "answers.income.wage_migrant", "code": "not_finite",
                                  "message": "数值应为有限的数字，不能是 NaN 或 Infinity。"}]


def test_a_record_nested_too_deep_is_invalid_alone(setup):
    bad = record(setup)
    bad["answers"]["extra"] = nested(100)
    result = between(setup, bad)
    assert result["result"] == "invalid" and result["issues"][0]["code"] == "too_deep"


def test_what_cannot_be_stored_is_found_at_the_depth_limit_in_keys_and_in_lists(app):
    from app.jsonbody import MAX_DEPTH, NotFinite, unstorable

    def chain(containers: int):
        document = {}
        for _ in range(containers - 1):
            document = {"a": document}
        return document

    with app.test_request_context():
        assert unstorable(chain(MAX_DEPTH)) == []
        assert [code for _path, code, _message in unstorable(chain(MAX_DEPTH + 1))] == ["too_deep"]
        clean = {"members": [{"name": "王五", "age": 3, "ok": True, "none": None, "share": 0.5}], "x": [[], {}]}
        assert unstorable(clean) == []
        found = unstorable({"a\x00": 1, "members": [{"name": "x"}, {"name": "\ud800"}], "n": [NotFinite("NaN")]})
        assert [(path, code) for path, code, _message in found] == [
            ("a\x00", "bad_character"), ("members[1].name", "bad_character"), ("n[0]", "not_finite")]


def test_a_request_nested_1000_deep_answers_400_with_a_message(setup):
    body = b'{"records": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    response = post_raw(setup.client, body)
    assert response.status_code == 400
    assert response.get_json()["message"] == "JSON 嵌套超过 32 层。"


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b'{"records": [1' + b"9" * 5000 + b"]}", b"", b"null"])
def test_a_request_that_is_no_json_answers_400(setup, body):
    response = post_raw(setup.client, body)
    assert response.status_code == 400 and response.get_json()["message"]


def test_the_4_mb_limit_holds_for_a_chunked_body(setup):
    filler = "x" * (4 * 1024 * 1024 + 1)
    body = json.dumps({"records": [], "filler": filler}).encode()
    response = post_chunked(setup.client, body)
    assert response.status_code == 413
    assert response.get_json()["message"] == "一次同步的数据超过 4 MB，请分批发送。"


def test_a_chunked_body_within_the_limit_is_read_whole(setup):
    body = json.dumps({"records": [record(setup)]}).encode()
    response = post_chunked(setup.client, body)
    assert response.status_code == 200 and response.get_json()["results"][0]["result"] == "created"


def test_only_the_households_assignee_may_push_its_record(setup, app):
    """A village reviewer has the collect right, yet a household assigned to an enumerator is
    the enumerator's to record: each of the reviewer's records is refused, none created."""
    factories.user("reviewer", "village_reviewer", [setup.county.village_a])
    reviewer = app.test_client()
    reviewer.post("/login", data={"username": "reviewer", "password": factories.PASSWORD})
    sent = [record(setup), record(setup, setup.second)]
    response = push(reviewer, *sent)
    assert response.status_code == 200
    assert [(r["result"], r["issues"][0]["code"]) for r in response.get_json()["results"]] == \
        [("invalid", "not_assigned")] * 2
    assert count(Submission) == 0
    assert [r["result"] for r in push(setup.client, *sent).get_json()["results"]] == ["created", "created"]


def test_after_reassignment_the_earlier_assignee_resends_as_a_duplicate_but_stores_nothing_new(setup):
    sent = record(setup)
    assert push(setup.client, sent).get_json()["results"][0]["result"] == "created"
    assign_to(setup, setup.household, factories.user("enum2", "enumerator", [setup.county.village_a]))
    assert push(setup.client, sent).get_json()["results"][0]["result"] == "duplicate"
    another = record(setup)
    [result] = push(setup.client, another).get_json()["results"]
    assert (result["result"], result["issues"][0]["code"]) == ("invalid", "not_assigned")
