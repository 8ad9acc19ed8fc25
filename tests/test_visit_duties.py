"""Visit duties (app/visits/duties.py, DOMAIN §12): both shipped rule sets, due and overdue at
the edges of each period, and a household that changes status or layer."""
import datetime as dt

import pytest

from app.codes import CIRCLE_LAYER, CONTACT_KIND, DUTY_PERIOD, MONITORING_STATUS
from app.visits import duties
from app.visits.duties import Contact, Situation, Spell

BY_STATUS = duties.SHIPPED["by_status"].rules
BY_LAYER = duties.SHIPPED["by_layer"].rules
D = dt.date


def by_code(found, code):
    return next(duty for duty in found if duty.rule.code == code)


def test_the_shipped_sets_use_only_known_codes_and_say_what_the_counties_reported():
    for rule_set in duties.SHIPPED.values():
        for rule in rule_set.rules:
            assert rule.value in (MONITORING_STATUS if rule.applies_to == "status" else CIRCLE_LAYER).values
            assert set(rule.kinds) <= set(CONTACT_KIND.values) and rule.period in DUTY_PERIOD.values
    assert {(rule.value, rule.period, rule.count) for rule in BY_STATUS} == {
        ("unresolved", "week", 2), ("resolved", "week", 1)}
    assert {(rule.value, rule.kinds == ("home_visit",), rule.period) for rule in BY_LAYER} == {
        *((layer, False, "month") for layer in ("red", "orange", "yellow")),
        *((layer, True, "half_year") for layer in ("red", "orange", "yellow")),
        ("blue", False, "half_year"), ("blue", True, "year")}
    assert duties.DEFAULT in duties.SHIPPED


@pytest.mark.parametrize(("period", "day", "start", "end"), [
    ("week", D(2026, 12, 2), D(2026, 11, 30), D(2026, 12, 6)),  # Wednesday → Monday..Sunday
    ("week", D(2026, 11, 30), D(2026, 11, 30), D(2026, 12, 6)),
    ("week", D(2026, 12, 6), D(2026, 11, 30), D(2026, 12, 6)),
    ("week", D(2027, 1, 1), D(2026, 12, 28), D(2027, 1, 3)),  # across the year
    ("month", D(2028, 2, 29), D(2028, 2, 1), D(2028, 2, 29)),
    ("month", D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31)),
    ("half_year", D(2026, 6, 30), D(2026, 1, 1), D(2026, 6, 30)),
    ("half_year", D(2026, 7, 1), D(2026, 7, 1), D(2026, 12, 31)),
    ("year", D(2026, 3, 3), D(2026, 1, 1), D(2026, 12, 31)),
])
def test_periods_are_calendar_periods(period, day, start, end):
    assert duties.period_of(period, day) == (start, end)


UNRESOLVED_SINCE_OCTOBER = Situation(status=(Spell(D(2026, 10, 1), "unresolved"),))


def test_an_unresolved_household_is_due_two_home_visits_a_week_and_a_call_does_not_count():
    week = [Contact(D(2026, 11, 30), "home_visit"), Contact(D(2026, 12, 1), "call")]
    duty, = duties.duties(BY_STATUS, UNRESOLVED_SINCE_OCTOBER, week, D(2026, 12, 2))
    assert (duty.rule.code, duty.period_start, duty.period_end) == ("unresolved_home_visit", D(2026, 11, 30),
                                                                     D(2026, 12, 6))
    assert (duty.done, duty.due) == (1, 1)
    assert (duty.overdue, duty.overdue_period_end) == (2, D(2026, 11, 29))  # last week had none


def test_the_last_day_of_a_week_still_counts_for_it_and_monday_starts_the_next():
    contacts = [Contact(D(2026, 11, 23), "home_visit"), Contact(D(2026, 11, 29), "home_visit")]
    on_sunday, = duties.duties(BY_STATUS, UNRESOLVED_SINCE_OCTOBER, contacts, D(2026, 11, 29))
    assert (on_sunday.done, on_sunday.due) == (2, 0)
    on_monday, = duties.duties(BY_STATUS, UNRESOLVED_SINCE_OCTOBER, contacts, D(2026, 11, 30))
    assert (on_monday.done, on_monday.due, on_monday.overdue) == (0, 2, 0)
    # A visit the next Monday does not make up for the week before.
    late = [Contact(D(2026, 11, 23), "home_visit"), Contact(D(2026, 11, 30), "home_visit")]
    duty, = duties.duties(BY_STATUS, UNRESOLVED_SINCE_OCTOBER, late, D(2026, 11, 30))
    assert (duty.done, duty.due, duty.overdue) == (1, 1, 1)


RED_SINCE_JANUARY = Situation(layer=(Spell(D(2026, 1, 1), "red"),))


def test_a_red_household_owes_a_contact_monthly_and_a_home_visit_half_yearly():
    contacts = [Contact(D(2026, 6, 30), "wechat"), Contact(D(2026, 7, 31), "home_visit")]
    found = duties.duties(BY_LAYER, RED_SINCE_JANUARY, contacts, D(2026, 7, 1))
    assert {duty.rule.code for duty in found} == {"red_contact", "red_home_visit"}
    contact, visit = by_code(found, "red_contact"), by_code(found, "red_home_visit")
    assert (contact.due, contact.overdue) == (1, 0)  # June had its WeChat
    assert (visit.period_start, visit.due, visit.overdue, visit.overdue_period_end) == (
        D(2026, 7, 1), 1, 1, D(2026, 6, 30))  # no home visit January–June
    # The home visit of 31 July is also July's contact.
    found = duties.duties(BY_LAYER, RED_SINCE_JANUARY, contacts, D(2026, 7, 31))
    assert by_code(found, "red_contact").due == 0 and by_code(found, "red_home_visit").due == 0


def test_a_blue_household_owes_a_call_half_yearly_and_a_home_visit_yearly_and_wechat_is_not_a_call():
    blue = Situation(layer=(Spell(D(2025, 1, 1), "blue"),))
    found = duties.duties(BY_LAYER, blue, [Contact(D(2026, 3, 1), "wechat")], D(2026, 6, 30))
    assert {(duty.rule.code, duty.period_end, duty.due) for duty in found} == {
        ("blue_contact", D(2026, 6, 30), 1), ("blue_home_visit", D(2026, 12, 31), 1)}
    assert by_code(found, "blue_home_visit").overdue == 1  # none in 2025


def test_a_household_in_no_layer_or_not_monitored_owes_nothing():
    assert duties.duties(BY_LAYER, Situation(), [], D(2026, 7, 1)) == []
    assert duties.duties(BY_STATUS, Situation(layer=(Spell(D(2026, 1, 1), "red"),)), [], D(2026, 7, 1)) == []


def test_a_rule_that_began_mid_period_is_due_but_that_period_is_never_overdue():
    since_thursday = Situation(status=(Spell(D(2026, 11, 26), "unresolved"),))
    duty, = duties.duties(BY_STATUS, since_thursday, [], D(2026, 11, 27))
    assert (duty.due, duty.overdue) == (2, 0)
    duty, = duties.duties(BY_STATUS, since_thursday, [], D(2026, 11, 30))
    assert (duty.due, duty.overdue) == (2, 0)  # the week it began was not owed
    duty, = duties.duties(BY_STATUS, since_thursday, [], D(2026, 12, 7))
    assert (duty.overdue, duty.overdue_period_end) == (2, D(2026, 12, 6))


def test_a_household_whose_risk_is_eliminated_moves_to_the_weekly_rule():
    situation = Situation(status=(Spell(D(2026, 10, 1), "unresolved"), Spell(D(2026, 12, 2), "resolved")))
    duty, = duties.duties(BY_STATUS, situation, [], D(2026, 12, 3))
    assert (duty.rule.code, duty.due, duty.overdue) == ("resolved_home_visit", 1, 0)  # last week it was another rule
    # The week of the change is owed by neither rule; the week before, by the unresolved rule.
    found = duties.shortfalls(BY_STATUS, situation, [], D(2026, 11, 23), D(2026, 12, 13))
    assert [(item.rule.code, item.period_start, item.missing) for item in found] == [
        ("unresolved_home_visit", D(2026, 11, 23), 2), ("resolved_home_visit", D(2026, 12, 7), 1)]


def test_a_household_reassessed_from_blue_to_red_owes_the_red_duties_from_its_new_layer():
    situation = Situation(layer=(Spell(D(2026, 1, 1), "blue"), Spell(D(2027, 1, 1), "red")))
    found = duties.duties(BY_LAYER, situation, [], D(2027, 2, 1))
    assert {duty.rule.code for duty in found} == {"red_contact", "red_home_visit"}
    assert (by_code(found, "red_contact").overdue, by_code(found, "red_home_visit").overdue) == (1, 0)


def test_shortfalls_list_the_owed_periods_that_ended_in_the_span_only():
    contacts = [Contact(D(2026, 2, 10), "call")]
    found = duties.shortfalls(BY_LAYER, RED_SINCE_JANUARY, contacts, D(2026, 1, 1), D(2026, 4, 15))
    assert [(item.rule.code, item.period_start) for item in found] == [
        ("red_contact", D(2026, 3, 1)), ("red_contact", D(2026, 1, 1))]  # April and the half year not ended
    assert duties.shortfalls(BY_LAYER, RED_SINCE_JANUARY, contacts, D(2026, 4, 1), D(2026, 4, 30))[0].period_end \
        == D(2026, 4, 30)
