"""The clue's state machine, from its own table: every (state, action, role) is allowed
exactly when the table says so; time limits and overdue at their edges."""
import datetime as dt
import itertools

import pytest

from app.auth.roles import ALL_ROLES
from app.clues import workflow

TRIPLES = list(itertools.product(workflow.STATES, workflow.ACTIONS, ALL_ROLES))


@pytest.mark.parametrize(("state", "action", "role"), TRIPLES)
def test_every_state_action_and_role_is_allowed_exactly_when_the_table_says(state, action, role):
    allowed = workflow.TRANSITIONS.get((state, action))
    if allowed is None:
        with pytest.raises(workflow.IllegalTransition):
            workflow.transition(state, action, role)
    elif role in allowed.roles:
        assert workflow.transition(state, action, role) == allowed.to_state
        assert action in workflow.allowed_actions(state, role)
    else:
        with pytest.raises(workflow.RoleNotAllowed):
            workflow.transition(state, action, role)
        assert action not in workflow.allowed_actions(state, role)


def test_the_path_runs_from_pushed_to_closed_with_the_township_branch():
    state = "pushed"
    for action, role in (("assign", "village_reviewer"), ("verify", "enumerator"),
                         ("village_review", "village_reviewer"), ("refer", "township_approver"),
                         ("conclude", "township_approver")):
        state = workflow.transition(state, action, role)
    assert state == "closed"
    assert workflow.allowed_actions("closed", "township_approver") == []


def test_every_state_and_action_has_a_label_and_every_state_is_reached():
    assert set(workflow.STATE_LABELS) == set(workflow.STATES)
    assert set(workflow.ACTIONS) | {workflow.PUSH} == set(workflow.ACTION_LABELS)
    reached = {"pushed"} | {rule.to_state for rule in workflow.TRANSITIONS.values()}
    assert reached == set(workflow.STATES)


PUSHED = dt.date(2026, 7, 1)
DUES = workflow.due_dates(PUSHED, {"verify": 15, "village_review": 5, "township_review": 5})


def test_each_step_is_due_its_days_after_the_one_before():
    due = workflow.due_dates(PUSHED, {"verify": 15, "village_review": 5, "township_review": 5})
    assert due == {"verify": dt.date(2026, 7, 16), "village_review": dt.date(2026, 7, 21),
                   "township_review": dt.date(2026, 7, 26)}


@pytest.mark.parametrize(("state", "today", "late"), [
    ("assigned", dt.date(2026, 7, 16), False),  # the last day itself is in time
    ("assigned", dt.date(2026, 7, 17), True),
    ("pushed", dt.date(2026, 7, 17), True),
    ("verified", dt.date(2026, 7, 17), False),  # verified: now the village's 5 days count
    ("verified", dt.date(2026, 7, 22), True),
    ("village_reviewed", dt.date(2026, 7, 26), False),
    ("referred", dt.date(2026, 7, 27), True),
    ("closed", dt.date(2027, 1, 1), False),
])
def test_a_clue_is_overdue_once_its_steps_last_day_has_passed(state, today, late):
    assert workflow.overdue(state, DUES, today) is late
