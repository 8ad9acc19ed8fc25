"""The pure monitoring rules: the workflow table walked for every (state, action, role) of
each kind, the notice-days boundary, and each §11 precondition on its own."""
import dataclasses
import datetime as dt
import itertools

import pytest

from app.auth.roles import ALL_ROLES
from app.monitoring import elimination, workflow

V, T, C = "village_reviewer", "township_approver", "county_approver"
EXPECTED = {  # (state, action) → (role allowed, new state, kinds): the table, written out again on purpose
    (None, "propose"): (V, "proposed", {"identification", "elimination"}),
    ("proposed", "appraise"): (V, "appraised", {"identification", "elimination"}),
    ("appraised", "start_notice"): (V, "on_notice", {"identification", "elimination"}),
    ("on_notice", "object"): (V, "proposed", {"identification", "elimination"}),
    ("on_notice", "submit"): (V, "awaiting_township", {"identification", "elimination"}),
    ("awaiting_township", "approve"): (T, "approved", {"identification", "elimination"}),
    ("awaiting_township", "reject"): (T, "proposed", {"identification", "elimination"}),
    ("awaiting_county", "approve"): (C, "approved", {"identification", "elimination"}),
    ("awaiting_county", "reject"): (C, "proposed", {"identification", "elimination"}),
    ("proposed", "withdraw"): (V, "withdrawn", {"identification", "elimination"}),
    ("appraised", "withdraw"): (V, "withdrawn", {"identification", "elimination"}),
    ("on_notice", "withdraw"): (V, "withdrawn", {"identification", "elimination"}),
    ("approved", "reverse"): (T, "reversed", {"elimination"}),
}


@pytest.mark.parametrize("kind", workflow.KINDS)
@pytest.mark.parametrize("state, action, role",
                         list(itertools.product((workflow.NEW, *workflow.STATES), workflow.ACTIONS, ALL_ROLES)))
def test_every_state_action_and_role(state, action, role, kind):
    expected = EXPECTED.get((state, action))
    if expected is None or kind not in expected[2]:
        with pytest.raises(workflow.IllegalTransition):
            workflow.transition(state, action, role, kind)
    elif expected[0] != role:
        with pytest.raises(workflow.RoleNotAllowed):
            workflow.transition(state, action, role, kind)
    else:
        assert workflow.transition(state, action, role, kind) == expected[1]
        assert action in workflow.allowed_actions(state, role, kind)


def test_the_township_approval_goes_to_the_county_only_when_the_campaign_has_that_level():
    assert workflow.transition("awaiting_township", "approve", T, "identification", county_approval=True) == \
        "awaiting_county"
    assert workflow.transition("awaiting_county", "approve", C, "identification", county_approval=True) == "approved"
    assert workflow.transition("awaiting_township", "reject", T, "elimination", county_approval=True) == "proposed"


@pytest.mark.parametrize("days, today, allowed", [
    (5, dt.date(2026, 7, 5), False),  # day 4 after the start: refused
    (5, dt.date(2026, 7, 6), True),  # day 5: 1–5 July have passed
    (7, dt.date(2026, 7, 7), False),
    (7, dt.date(2026, 7, 8), True),
])
def test_the_notice_must_run_its_days(days, today, allowed):
    start = dt.date(2026, 7, 1)
    if allowed:
        workflow.check_notice(start, days, today)
    else:
        with pytest.raises(workflow.NoticeRunning) as refused:
            workflow.check_notice(start, days, today)
        assert refused.value.params == {"start": "2026-07-01", "days": days,
                                        "earliest": (start + dt.timedelta(days=days)).isoformat()}


def test_days_from_clue_count_to_the_decision_or_today():
    assert workflow.days_from_clue(dt.date(2026, 7, 1), dt.date(2026, 7, 17), dt.date(2026, 9, 1)) == 16
    assert workflow.days_from_clue(dt.date(2026, 7, 1), None, dt.date(2026, 7, 3)) == 2


@pytest.mark.parametrize(("clue", "today", "calendar_days", "working_days"), [
    (dt.date(2026, 7, 3), dt.date(2026, 7, 10), 7, 5),  # Friday to Friday: the weekend does not count
    (dt.date(2026, 2, 13), dt.date(2026, 2, 24), 11, 2),  # over the Spring Festival: Saturday 14 Feb is worked
    (dt.date(2026, 9, 30), dt.date(2026, 10, 9), 9, 2),  # National Day week off; Saturday 10 Oct not yet
    (dt.date(2026, 7, 3), dt.date(2026, 7, 3), 0, 0),
])
def test_days_from_clue_in_calendar_or_working_days(clue, today, calendar_days, working_days):
    """DOMAIN §10: normally 15 days; Hainan counts 20 working days, which skip China's public
    holidays and count its weekend working days (调休)."""
    assert workflow.days_from_clue(clue, None, today, "calendar") == calendar_days
    assert workflow.days_from_clue(clue, None, today, "working") == working_days


TODAY = dt.date(2027, 1, 15)


def census(recorded_on: dt.date, per_capita: int | None = 870001, after: int | None = 870001):
    return elimination.IncomeFigure("census", recorded_on, per_capita, after)


ELIGIBLE = elimination.Facts(today=TODAY, monitored_since=dt.date(2026, 7, 15), measures=1,
                             has_approved_record=True, threshold=870000,
                             incomes=(census(dt.date(2026, 12, 1)), census(dt.date(2026, 4, 1), 500000, 400000)),
                             unmet_guarantees=(), rigid_cost_burden=False, without_labour=False)


def test_a_household_meeting_every_condition_may_be_proposed():
    """The figure of April 2026 is below the line, but older than six months: it does not count."""
    assert elimination.unmet(ELIGIBLE) == []


@pytest.mark.parametrize("change, code, params", [
    ({"today": dt.date(2027, 1, 14)}, "monitored_six_months", {"since": "2026-07-15", "earliest": "2027-01-15"}),
    ({"monitored_since": None}, "monitored_since_unknown", {}),
    ({"measures": 0}, "assistance_measure", {}),
    ({"measures": 0, "declared_measures": 2}, "assistance_measure_declared", {"declared": 2}),
    ({"incomes": (census(dt.date(2026, 12, 1), 870000),)}, "income_above_threshold",
     {"recorded_on": "2026-12-01", "per_capita": 870000, "threshold": 870000}),
    ({"incomes": (census(dt.date(2026, 12, 1), None, None),)}, "income_above_threshold",
     {"recorded_on": "2026-12-01", "per_capita": None, "threshold": 870000}),
    ({"incomes": (census(dt.date(2026, 12, 1), after=870000),)}, "income_after_rigid_costs_above_threshold",
     {"recorded_on": "2026-12-01", "after_rigid_costs": 870000, "threshold": 870000}),
    ({"incomes": (census(dt.date(2026, 7, 14)),)}, "no_recent_income", {"since": "2026-07-15"}),
    ({"threshold": None}, "no_threshold", {}),
    ({"unmet_guarantees": ("housing",)}, "guarantees_met", {"guarantees": ("housing",)}),
    ({"rigid_cost_burden": True}, "rigid_costs_resolved", {}),
    ({"without_labour": True}, "without_labour", {}),
    ({"has_approved_record": False, "incomes": ()}, "no_approved_record", {}),
])
def test_each_precondition_on_its_own(change, code, params):
    assert elimination.unmet(dataclasses.replace(ELIGIBLE, **change)) == [elimination.Unmet(code, params)]


def test_a_measure_carried_out_is_enough_whatever_else_is_only_declared():
    assert elimination.unmet(dataclasses.replace(ELIGIBLE, measures=1, declared_measures=3)) == []


def test_every_income_figure_of_the_last_six_months_must_be_above_the_line():
    """DOMAIN §11: "stably above" is every figure recorded in the window, not only the latest."""
    facts = dataclasses.replace(ELIGIBLE, incomes=(
        census(dt.date(2027, 1, 10)), census(dt.date(2026, 9, 1), 800000, 700000), census(dt.date(2026, 7, 15), 860000)))
    assert [(item.code, item.params["recorded_on"]) for item in elimination.unmet(facts)] == [
        ("income_above_threshold", "2026-09-01"), ("income_after_rigid_costs_above_threshold", "2026-09-01"),
        ("income_above_threshold", "2026-07-15")]


def test_six_months_end_on_the_last_day_of_a_shorter_month():
    assert elimination.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert elimination.add_months(dt.date(2026, 12, 1), 1) == dt.date(2027, 1, 1)
