"""The clue's state machine (线索核查流程), as data.

A department's warning about a person becomes a clue on their household, pushed to its
village. It is assigned to the household's enumerator (or a village cadre), verified on a
visit, judged by the village (村研判) and reviewed by the township (乡审核), which closes it
or refers it to a department consultation (部门会商) and closes it afterwards.

    pushed ─assign→ assigned ─verify→ verified ─village_review→ village_reviewed ─approve→ closed
    verified ─send_back→ assigned (verify again)
    village_reviewed ─return→ verified (the village judges again)
    village_reviewed ─refer→ referred ─conclude→ closed

A verification has one result (RESULTS): no risk (a reason), risk found (the village then
starts the identification procedure with channel "department warning", or updates the risk
types of a household already monitored), or the person not found / moved (a note).

Each step has a time limit counted from the day the clue was pushed (the campaign's days:
verify within 15 by default); ``due_dates`` gives every step's last day and ``overdue`` is
the one place that says whether a clue is late.

What must always hold:
- A state changes only through a transition in ``TRANSITIONS``, by one of its roles.
- Every transition is one ClueEvent, written by app.clues.services beside the change.

Pure module: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt

from app import workflow
from app.codes import N_
from app.workflow import Transition

STATES = ("pushed", "assigned", "verified", "village_reviewed", "referred", "closed")
OPEN_STATES = STATES[:5]
STATE_LABELS = {
    "pushed": N_("待分派"),
    "assigned": N_("待核查"),
    "verified": N_("已核查，待村研判"),
    "village_reviewed": N_("已村研判，待乡审核"),
    "referred": N_("部门会商中"),
    "closed": N_("已办结"),
}

ENUMERATOR = "enumerator"
VILLAGE = "village_reviewer"
TOWNSHIP = "township_approver"
COUNTY_ADMIN = "county_admin"


TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("pushed", "assign"): Transition("assigned", frozenset({VILLAGE, COUNTY_ADMIN})),
    ("assigned", "assign"): Transition("assigned", frozenset({VILLAGE, COUNTY_ADMIN})),
    ("assigned", "verify"): Transition("verified", frozenset({ENUMERATOR, VILLAGE})),
    ("verified", "village_review"): Transition("village_reviewed", frozenset({VILLAGE})),
    ("verified", "send_back"): Transition("assigned", frozenset({VILLAGE}), needs_reason=True),
    ("village_reviewed", "approve"): Transition("closed", frozenset({TOWNSHIP})),
    ("village_reviewed", "return"): Transition("verified", frozenset({TOWNSHIP}), needs_reason=True),
    ("village_reviewed", "refer"): Transition("referred", frozenset({TOWNSHIP}), needs_reason=True),
    ("referred", "conclude"): Transition("closed", frozenset({TOWNSHIP}), needs_reason=True),
}
ACTIONS = tuple(dict.fromkeys(action for _, action in TRANSITIONS))
PUSH = "push"  # the event that creates a clue (the import); not a transition
ACTION_LABELS = {
    PUSH: N_("推送线索"),
    "assign": N_("分派核查"),
    "verify": N_("登记核查结果"),
    "village_review": N_("村级研判"),
    "send_back": N_("退回重新核查"),
    "approve": N_("乡镇审核通过，办结"),
    "return": N_("退回村级研判"),
    "refer": N_("提交部门会商"),
    "conclude": N_("会商完毕，办结"),
}

# The verification's result (核查结果), and what each needs beside it.
NO_RISK = "no_risk"
RISK_FOUND = "risk_found"
NOT_FOUND = "not_found"
MOVED = "moved"
RESULTS = (NO_RISK, RISK_FOUND, NOT_FOUND, MOVED)
RESULT_LABELS = {
    NO_RISK: N_("无风险"),
    RISK_FOUND: N_("发现风险"),
    NOT_FOUND: N_("查无此人"),
    MOVED: N_("已迁出"),
}
NEEDS_REASON = frozenset({NO_RISK})  # why there is no risk
NEEDS_NOTE = frozenset({NOT_FOUND, MOVED})  # where the person went, who was asked

# Time limits (限时办结): each step's days, counted on from the previous step's last day.
STEPS = ("verify", "village_review", "township_review")
STEP_LABELS = {"verify": N_("入户核查"), "village_review": N_("村级研判"), "township_review": N_("乡镇审核")}
DEFAULT_DAYS = {"verify": 15, "village_review": 5, "township_review": 5}
STEP_OF_STATE = {"pushed": "verify", "assigned": "verify", "verified": "village_review",
                 "village_reviewed": "township_review", "referred": "township_review"}


class IllegalTransition(workflow.IllegalTransition):
    message = N_("该线索当前的状态不允许此操作，请刷新后查看。")


class RoleNotAllowed(workflow.RoleNotAllowed):
    message = N_("您的角色不能对该线索执行此操作。")


MACHINE = workflow.Machine(TRANSITIONS, IllegalTransition, RoleNotAllowed)
rule, allowed_actions, transition = MACHINE.rule, MACHINE.allowed_actions, MACHINE.transition
WorkflowError = workflow.WorkflowError


def due_dates(pushed_on: dt.date, days: dict[str, int]) -> dict[str, dt.date]:
    """Each step's last day: verified within ``days["verify"]`` of the push (the push day not
    counted: pushed 1 July with 15 days, due 16 July), and so on from there."""
    due, last = {}, pushed_on
    for step in STEPS:
        last = last + dt.timedelta(days=days.get(step, DEFAULT_DAYS[step]))
        due[step] = last
    return due


def due_of(state: str, due: dict[str, dt.date]) -> dt.date | None:
    """The last day of the step a clue in ``state`` waits for; None once closed."""
    step = STEP_OF_STATE.get(state)
    return due[step] if step else None


def overdue(state: str, due: dict[str, dt.date], today: dt.date) -> bool:
    """Late: its current step's last day has passed (on the last day itself it is not late)."""
    last = due_of(state, due)
    return last is not None and today > last
