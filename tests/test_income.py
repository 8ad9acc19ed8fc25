"""The income engine and screening, against the vectors the phone's JavaScript also runs,
plus figures checked by hand (DOMAIN.md §5's published checks)."""
import copy
import json
from pathlib import Path

import pytest

from app.census import income, screening

ROOT = Path(__file__).resolve().parent.parent
VECTORS = json.loads((ROOT / "tests" / "vectors" / "income.json").read_text())
DEFINITION = json.loads((ROOT / VECTORS["definition"]).read_text())


def definition_for(case: dict) -> dict:
    definition = copy.deepcopy(DEFINITION)
    definition["settings"].update(case.get("settings", {}))
    for category in definition["income"]["categories"]:
        for item in category["items"]:
            if item["id"] in case.get("excluded_items", []):
                item["counts"] = False
    return definition


def run(case: dict) -> tuple[dict, dict]:
    definition = definition_for(case)
    result = income.compute(definition, case["answers"], threshold=case["threshold"],
                            last_year_per_capita=case["last_year_per_capita"])
    return result, screening.screen(definition, case["answers"], result, case["household_type"])


def test_there_are_enough_vectors():
    assert len(VECTORS["cases"]) >= 60


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[case["name"] for case in VECTORS["cases"]])
def test_vector(case):
    result, screened = run(case)
    assert result == case["expected"]["income"]
    assert screened == case["expected"]["screening"]


def case(name: str) -> dict:
    return next(c for c in VECTORS["cases"] if c["name"] == name)


@pytest.mark.parametrize(("name", "per_capita", "growth"), [
    ("published check 1: 14,178.12 with +2,212.72 gives 18.49 %", 1417812, "18.49"),
    ("published check 2: 16,890.43 with +2,127.86 gives 14.41 %", 1689043, "14.41"),
])
def test_published_growth_checks(name, per_capita, growth):
    result, _ = run(case(name))
    assert (result["per_capita_net_income"], result["growth_rate"]) == (per_capita, growth)


@pytest.mark.parametrize(("name", "per_capita"), [
    ("half a fen rounds up: 0.01 over two", 1),
    ("half a fen rounds up: 0.03 over two", 2),
    ("a quarter fen rounds down: 0.05 over four", 1),
    ("three quarters of a fen rounds up: 0.07 over four", 2),
    ("negative net income divided with rounding away from zero", -2),
    ("a third rounds down: 10000.00 over three", 333333),
    ("two thirds rounds up: 10000.02 over three", 333334),
    ("moved-out member is not counted", 450000),
    ("no present member: per-capita n/a, no crash", None),
])
def test_rounding_and_household_size_by_hand(name, per_capita):
    result, _ = run(case(name))
    assert result["per_capita_net_income"] == per_capita


def test_every_category_by_hand():
    result, _ = run(case("every category, four members"))
    assert result["categories"] == {"wage": 4110050, "business": 1350025, "property": 170000, "transfer": 379888,
                                    "business_expenses": 600075}
    assert result["family_net_income"] == 4110050 + 1350025 + 170000 + 379888 - 600075
    assert result["per_capita_net_income"] == 1352472  # 5,409,888 / 4 = 1,352,472


def test_threshold_boundaries_by_hand():
    flags = {name: [f["code"] for f in run(case(name))[1]["flags"]] for name in (
        "threshold exactly equal is within", "one fen below threshold", "one fen above threshold is near",
        "at the near-threshold margin (10 %)", "one fen past the near-threshold margin")}
    assert flags == {
        "threshold exactly equal is within": ["below_threshold"],
        "one fen below threshold": ["below_threshold"],
        "one fen above threshold is near": ["near_threshold"],
        "at the near-threshold margin (10 %)": ["near_threshold"],
        "one fen past the near-threshold margin": [],
    }


def test_divide_half_up_differs_from_python_round():
    assert round(2.5) == 2 and income.divide_half_up(5, 2) == 3
    assert income.divide_half_up(-5, 2) == -3
    assert income.divide_half_up(10**12 + 1, 2) == 5 * 10**11 + 1
