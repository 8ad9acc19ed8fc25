"""Record validation against the vectors the phone's JavaScript also runs."""
import json
from pathlib import Path

import pytest

from app import codes
from app.census import income, validation

ROOT = Path(__file__).resolve().parent.parent
VECTORS = json.loads((ROOT / "tests" / "vectors" / "validation.json").read_text())
DEFINITION = json.loads((ROOT / VECTORS["definition"]).read_text())


def run(case: dict) -> list[dict]:
    computed = income.compute(DEFINITION, case["answers"], threshold=870000) if case["with_income"] else None
    return validation.validate(DEFINITION, case["answers"], code_tables=VECTORS["code_tables"],
                               reference_date=case["reference_date"], income=computed,
                               ids_elsewhere=case["ids_elsewhere"])


def test_vector_code_tables_are_the_apps():
    assert VECTORS["code_tables"] == codes.form_code_values()


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[case["name"] for case in VECTORS["cases"]])
def test_vector(case):
    found = run(case)
    assert found == case["expected"]
    assert validation.blocking(found) == case["expected_blocking"]


def test_three_errors_come_back_each_with_its_path():
    case = next(c for c in VECTORS["cases"] if c["name"] == "three errors come back with their paths")
    assert [(i["path"], i["code"], i["severity"]) for i in run(case)] == [
        ("household.phone", "phone_format", "error"),
        ("members[1].id_number", "id_checksum", "error"),
        ("income.wage_migrant", "money_negative", "error"),
    ]


def test_every_question_in_the_definition_has_a_known_type_and_code_table():
    known = {"text", "textarea", "integer", "money", "date", "select", "yes_no", "phone", "resident_id"}
    for section in DEFINITION["sections"]:
        for question in section["questions"]:
            assert question["type"] in known, question["id"]
            if "codes" in question:
                assert question["codes"] in codes.FORM_CODE_TABLES, question["id"]
