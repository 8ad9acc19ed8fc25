"""The push's schema (app.sync.schema) decides alone: the quick check of a plain record
(``plainly_valid``) accepts only what RECORD accepts, so that ``record_issues`` answers
exactly as jsonschema would, and a batch is a batch exactly when BATCH says so.

Pure: no database, no request (the messages are made in a bare app's request context)."""
import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sync import schema

settings.register_profile("schema", max_examples=400, derandomize=True, database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])

SHA = "a" * 64
PLAIN = {"id": "6f1c2b9e-2d7a-4c1e-9d2a-1b3c4d5e6f70", "household_id": 7, "form_version": "2026.1",
         "base_revision": None, "answers": {"household": {}, "members": []}, "client_result": {"income": {}},
         "attachments": [{"sha256": SHA, "kind": "photo", "content_type": "image/jpeg", "size": 10}]}

# Each field's values at and across its bounds, of every JSON type (and a few no parser makes).
ODD = [None, True, False, 0, 1, -1, 7.0, 1.5, "", "x", [], {}, ["x"], {"a": 1}, 2**31 - 1, 2**31, ()]
VALUES = {
    "id": ODD + ["a" * 36, "a" * 37, "é" * 36, "\ud800" * 36],
    "household_id": ODD + [2, 2**31 - 2, -(2**31), 10**40],
    "form_version": ODD + ["a" * 32, "a" * 33, "版" * 32],
    "base_revision": ODD + [2**31 - 2],
    "answers": ODD,
    "client_result": ODD,
    "attachments": ODD + [[{"sha256": SHA, "kind": "signature"}], [{"sha256": SHA.upper(), "kind": "photo"}],
                          [{"sha256": SHA + "\n", "kind": "photo"}], [{"sha256": SHA[:63], "kind": "photo"}],
                          [{"sha256": SHA, "kind": "video"}], [{"sha256": SHA}], [{"kind": "photo"}],
                          [{"sha256": SHA, "kind": "photo", "size": -1}], [{"sha256": SHA, "kind": "photo", "size": True}],
                          [{"sha256": SHA, "kind": "photo", "size": 1.0}],
                          [{"sha256": SHA, "kind": "photo", "content_type": "a" * 100}],
                          [{"sha256": SHA, "kind": "photo", "content_type": "a" * 101}],
                          [{"sha256": SHA, "kind": "photo", "content_type": None}],
                          [{"sha256": SHA, "kind": "photo", "extra": [1]}], [None], [[]]],
}
MISSING = object()


def jsonschema_issues(record) -> list[dict]:
    """record_issues as it was before the quick check: RECORD decides every record."""
    quick, schema.plainly_valid = schema.plainly_valid, lambda _record: False
    try:
        return schema.record_issues(record)
    finally:
        schema.plainly_valid = quick


def changed(field: str, value) -> dict:
    record = copy.deepcopy(PLAIN)
    if value is MISSING:
        del record[field]
    else:
        record[field] = value
    return record


CASES = [changed(name, value) for name, values in VALUES.items() for value in [*values, MISSING]]


@pytest.mark.parametrize("record", CASES + [PLAIN, None, [], "x", 7, {}],
                         ids=lambda record: repr(record)[:60])
def test_the_quick_check_answers_as_the_schema(app, record):
    with app.test_request_context():
        if schema.plainly_valid(record):
            assert not list(schema._RECORD.iter_errors(record))
        assert schema.record_issues(record) == jsonschema_issues(record)


def test_the_quick_check_takes_a_plain_record_and_its_files():
    assert schema.plainly_valid(PLAIN)
    assert schema.plainly_valid({key: PLAIN[key] for key in ("id", "household_id", "form_version", "answers")})


FIELD_VALUES = st.sampled_from(ODD[:-1]) | st.integers() | st.text(max_size=40) | st.dictionaries(
    st.sampled_from(["sha256", "kind", "content_type", "size", "x"]),
    st.sampled_from([SHA, "photo", "signature", "image/png", 0, 5, -1, None, True, 1.0]))


@settings(settings.get_profile("schema"))
@given(st.dictionaries(st.sampled_from(list(VALUES)), FIELD_VALUES | st.lists(FIELD_VALUES, max_size=3)))
def test_whatever_the_fields_the_quick_check_accepts_nothing_the_schema_refuses(fields):
    record = {**PLAIN, **fields}
    if schema.plainly_valid(record):
        assert not list(schema._RECORD.iter_errors(record))


@pytest.mark.parametrize("body", [{"records": []}, {"records": [1]}, {"records": {}}, {"records": None}, {}, [],
                                  None, "records", {"records": [], "other": 1}])
def test_a_batch_is_what_the_batch_schema_says(body):
    assert schema.is_batch(body) == schema._BATCH.is_valid(body)
