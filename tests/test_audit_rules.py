"""The audit's pure rules: the seeded, stratified draw (app/audits/sampling.py) and the
field-by-field comparison with its tolerance (app/audits/comparison.py)."""
from decimal import Decimal

import pytest

from app.audits import comparison, sampling
from app.audits.sampling import Candidate


def population(by_township: dict[int, int]) -> list[Candidate]:
    found, next_id = [], 1
    for township, count in by_township.items():
        for _ in range(count):
            found.append(Candidate(next_id, township, 2 + next_id % 4))
            next_id += 1
    return found


def test_the_same_seed_draws_the_same_sample_whatever_order_the_population_came_in():
    people = population({10: 40, 20: 25, 30: 7})
    first = sampling.draw(people, 20261202, share=Decimal("0.2"))
    assert sampling.draw(list(reversed(people)), 20261202, share=Decimal("0.2")) == first
    assert sampling.draw(people, 7, share=Decimal("0.2")) != first  # another seed, another draw


def test_a_share_is_drawn_in_each_township_rounded_half_up_and_at_least_one():
    people = population({10: 40, 20: 25, 30: 2})
    sample = sampling.draw(people, 1, share=Decimal("0.2"))
    by_township = {township: sum(1 for item in sample if item.township_id == township) for township in (10, 20, 30)}
    assert by_township == {10: 8, 20: 5, 30: 1}  # 8, 5 (4.999… → 5), 0.4 → at least 1
    assert len({item.household_id for item in sample}) == len(sample)
    assert all(item in people for item in sample)


def test_a_count_is_shared_in_proportion_by_largest_remainder():
    assert sampling.sizes({10: 50, 20: 30, 30: 20}, count=10) == {10: 5, 20: 3, 30: 2}
    assert sampling.sizes({10: 1, 20: 1, 30: 1}, count=2) == {10: 1, 20: 1}  # ties go to the lower id
    assert sampling.sizes({10: 3}, count=9) == {10: 3}  # never more than there are
    with pytest.raises(ValueError):
        sampling.sizes({10: 3}, share=Decimal("0.1"), count=1)


def test_the_report_gives_households_persons_and_the_share_as_the_county_did():
    people = [Candidate(index, 1, 4 if index < 74 else 3) for index in range(606)]
    sample = people[:130]
    report = sampling.report(sample, people)
    assert (report.households, report.persons, report.share_percent) == (130, 74 * 4 + 56 * 3, Decimal("21.45"))
    assert report.persons == 464


def answers(**income):
    return {"members": [{"id_number": "530102198005170011", "name": "王五", "relation": "head", "status": "present",
                         "labour_capacity": "ordinary"},
                        {"id_number": "530102198203090023", "name": "李梅", "relation": "spouse", "status": "present",
                         "labour_capacity": "ordinary"}],
            "income": {"wage_migrant": "36000", **income}}


def result(per_capita: int, category=None, flags=()):
    return {"income": {"per_capita_net_income": per_capita},
            "screening": {"suggested_category": category, "flags": [{"code": code} for code in flags]}}


def test_a_copy_that_agrees_is_consistent_whatever_the_order_of_members():
    copy = answers()
    copy["members"].reverse()
    assert comparison.compare(answers(), result(1800000), copy, result(1800000), Decimal("5")) == []
    assert comparison.outcome([]) == "consistent"


@pytest.mark.parametrize(("audited", "decisive"), [
    (1890000, False),  # 5.00 %: within a 5 % tolerance
    (1710000, False),
    (1890001, True),  # just over
    (1709999, True),
])
def test_per_capita_income_differs_only_beyond_the_tolerance(audited, decisive):
    found = comparison.compare(answers(), result(1800000), answers(), result(audited), Decimal("5"))
    assert comparison.outcome(found) == ("discrepancy" if decisive else "consistent")
    if decisive:
        difference, = found
        assert (difference.field, difference.percent) == ("per_capita_net_income", "5.00")  # shown rounded


def test_an_income_item_is_listed_but_alone_is_not_a_discrepancy():
    found = comparison.compare(answers(), result(1800000), answers(wage_local="500"), result(1825000), Decimal("5"))
    assert [(item.field, item.original, item.audited, item.decisive) for item in found] == [
        ("income:wage_local", "0", "50000", False)]
    assert comparison.outcome(found) == "consistent"


def test_members_category_and_flags_are_decisive():
    copy = answers()
    copy["members"][1]["status"] = "moved_out"
    copy["members"].append({"id_number": "530102201001010015", "name": "王小", "relation": "son"})
    found = comparison.compare(answers(), result(1800000), copy, result(1800000, "marginal", ["below_threshold"]),
                               Decimal("5"))
    fields = {item.field for item in found}
    assert fields == {"member:530102198203090023:status", "member:530102201001010015", "category", "flags"}
    assert comparison.outcome(found) == "discrepancy"


def test_an_original_of_nothing_differs_from_any_amount():
    found = comparison.compare(answers(), result(0), answers(), result(100), Decimal("50"))
    assert [item.field for item in found] == ["per_capita_net_income"]
