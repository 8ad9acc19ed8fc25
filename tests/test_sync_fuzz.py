"""Property-based fuzz of the push (docs/sync.md, Push), with hypothesis: whatever JSON a
client sends (arbitrary shapes, NaN and Infinity literals, NUL and lone surrogates, huge
integers, deep nesting) and however a valid record is mutated, the server answers no 5xx and
no ``error`` for input, and the database holds exactly the records it answered ``created``.

Deterministic (derandomized, no example database) with a modest example count, so that it
runs in the suite on both databases; RUHU_FUZZ_PROFILE=thorough tries many more."""
import copy
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.records.models import Submission
from tests.sync_setup import another_household, field, record

settings.register_profile("suite", max_examples=25, derandomize=True, database=None, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("thorough", parent=settings.get_profile("suite"), max_examples=500)
PROFILE = settings.get_profile(os.environ.get("RUHU_FUZZ_PROFILE", "suite"))

# Characters that broke PostgreSQL or the parser before, beside ordinary and Chinese text.
AWKWARD = st.sampled_from(["\x00", "\ud800", "\udfff", "\u3000", "\ufeff", "'", '"', "\\", "王"])
TEXT = st.text(alphabet=st.characters() | AWKWARD, max_size=12)
NUMBERS = st.integers(min_value=-(10**40), max_value=10**40) | st.sampled_from(
    [0, 1, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**31) - 1]) | st.floats()  # floats: NaN and ±Infinity too
SCALARS = st.none() | st.booleans() | NUMBERS | TEXT
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                    max_leaves=12)


@pytest.fixture
def setup(county, login):
    built = field(county)
    built.client = login("enum")
    built.created = set()  # every id answered ``created`` over the examples of one test
    built.households = 0
    return built


def send(setup, text: str):
    response = setup.client.post("/api/sync/records", data=text.encode("utf-8", "surrogatepass"),
                                 content_type="application/json", csrf=False,
                                 headers={"X-CSRFToken": setup.client.csrf_token()})
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code == 200:
        for result in response.get_json()["results"]:
            assert result["result"] != "error", result
            if result["result"] == "created":
                setup.created.add(result["id"])
    db.session.expire_all()
    assert set(db.session.scalars(select(Submission.id))) == setup.created


def paths(value, prefix=()):
    """Every place in a JSON document, as a tuple of keys and indexes."""
    yield prefix
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from paths(item, (*prefix, key))


def mutate(document, path, replacement, delete: bool):
    if not path:
        return replacement
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return document


@PROFILE
@given(body=JSON | st.fixed_dictionaries({"records": st.lists(JSON, max_size=4)}))
def test_arbitrary_json_never_answers_5xx_or_error(setup, body):
    send(setup, json.dumps(body, ensure_ascii=True))


@settings(PROFILE, max_examples=max(PROFILE.max_examples * 3 // 5, 1))  # each example stores records: fewer
@given(data=st.data())
def test_mutated_valid_records_never_answer_5xx_or_error(setup, data):
    # A fresh household each time: a household's second record would be a conflict, never checked.
    setup.households += 1
    household = another_household(setup, f"F-{setup.households}")
    valid = record(setup, household)
    mutated = copy.deepcopy(valid)
    for _step in range(data.draw(st.integers(1, 3), label="mutations")):
        where = data.draw(st.sampled_from(list(paths(mutated))), label="path")
        mutated = mutate(mutated, where, data.draw(JSON, label="value"), data.draw(st.booleans(), label="delete"))
    neighbour = record(setup, another_household(setup, f"G-{setup.households}"))
    # The neighbour goes first: a mutated household id might otherwise name its household.
    send(setup, json.dumps({"records": [neighbour, mutated]}, ensure_ascii=True))
    assert neighbour["id"] in setup.created  # a malformed record never costs its neighbour its place
