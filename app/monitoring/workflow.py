"""The identification and risk-elimination state machine (识别认定 / 风险消除), as data.

A proposal (申报) names a household for identification as monitored, or for the end of its
monitoring. Both kinds take the same path (DOMAIN §10, §11): the village proposes, records
the democratic appraisal and the start of the public notice; once the notice has run the
campaign's days the village submits it to the township, whose approval is final unless the
campaign adds the county level. An objection during the notice, or a rejection, sends the
proposal back to the village (``proposed``) to be appraised and noticed again.

    (new) ─propose→ proposed ─appraise→ appraised ─start_notice→ on_notice ─submit→ awaiting_township
    on_notice ─object→ proposed
    awaiting_township ─approve→ approved, or awaiting_county when the campaign has that level
    awaiting_county ─approve→ approved
    awaiting_township / awaiting_county ─reject→ proposed
    proposed / appraised / on_notice ─withdraw→ withdrawn
    approved elimination ─reverse→ reversed (the household is monitored again)

What must always hold:
- A state changes only through a transition in ``TRANSITIONS``, by one of its roles, for a
  proposal of a kind it names.
- Nothing reaches the township before the notice has run its days: a notice started on
  1 July for 5 days may be submitted from 6 July, once 1–5 July have passed.
- Every transition is exactly one MonitoringEvent (app.monitoring.services).

Pure module: no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

import holidays

from app import workflow
from app.codes import N_, PROPOSAL_KIND

NEW = None  # the state "before" a proposal exists: propose starts from here
STATES = ("proposed", "appraised", "on_notice", "awaiting_township", "awaiting_county", "approved", "withdrawn",
          "reversed")
OPEN_STATES = STATES[:5]
KINDS = PROPOSAL_KIND.values

STATE_LABELS = {
    "proposed": N_("待民主评议"),
    "appraised": N_("已民主评议，待公示"),
    "on_notice": N_("公示中"),
    "awaiting_township": N_("待乡镇审核"),
    "awaiting_county": N_("待县级审批"),
    "approved": N_("已批准"),
    "withdrawn": N_("已撤回"),
    "reversed": N_("已撤销风险消除"),
}

VILLAGE = frozenset({"village_reviewer"})
TOWNSHIP = frozenset({"township_approver"})
COUNTY = frozenset({"county_approver"})


@dataclass(frozen=True)
class Transition(workflow.Transition):
    # needs_reason: a reason (rejection, withdrawal, reversal) or the objection's text.
    # The day the village names (appraisal, notice start, objection received): the proposal's
    # attribute it is stored in (None: only in the event), and the attribute it may not precede.
    needs_date: bool = False
    date_field: str | None = None
    not_before: str | None = None
    after_notice: bool = False  # only once the notice has run the campaign's days
    county_state: str | None = None  # where it goes instead when the campaign has county approval
    kinds: frozenset[str] = field(default=frozenset(KINDS))

    def applies(self, *, kind: str) -> bool:
        return kind in self.kinds


_WITHDRAW = Transition("withdrawn", VILLAGE, needs_reason=True)

TRANSITIONS: dict[tuple[str | None, str], Transition] = {
    (NEW, "propose"): Transition("proposed", VILLAGE),
    ("proposed", "appraise"): Transition("appraised", VILLAGE, needs_date=True, date_field="appraisal_date",
                                         not_before="clue_date"),
    ("appraised", "start_notice"): Transition("on_notice", VILLAGE, needs_date=True, date_field="notice_start",
                                              not_before="appraisal_date"),
    ("on_notice", "object"): Transition("proposed", VILLAGE, needs_reason=True, needs_date=True,
                                        not_before="notice_start"),
    ("on_notice", "submit"): Transition("awaiting_township", VILLAGE, after_notice=True),
    ("awaiting_township", "approve"): Transition("approved", TOWNSHIP, county_state="awaiting_county"),
    ("awaiting_township", "reject"): Transition("proposed", TOWNSHIP, needs_reason=True),
    ("awaiting_county", "approve"): Transition("approved", COUNTY),
    ("awaiting_county", "reject"): Transition("proposed", COUNTY, needs_reason=True),
    ("proposed", "withdraw"): _WITHDRAW,
    ("appraised", "withdraw"): _WITHDRAW,
    ("on_notice", "withdraw"): _WITHDRAW,
    ("approved", "reverse"): Transition("reversed", TOWNSHIP, needs_reason=True, kinds=frozenset({"elimination"})),
}
ACTIONS = tuple(dict.fromkeys(action for _, action in TRANSITIONS))

ACTION_LABELS = {
    "propose": N_("申报"),
    "appraise": N_("登记民主评议"),
    "start_notice": N_("开始公示"),
    "object": N_("登记公示异议"),
    "submit": N_("报送乡镇审核"),
    "approve": N_("批准"),
    "reject": N_("退回村级"),
    "withdraw": N_("撤回申报"),
    "reverse": N_("撤销风险消除"),
}


class IllegalTransition(workflow.IllegalTransition):
    message = N_("该申报当前的状态不允许此操作，请刷新后查看。")


class RoleNotAllowed(workflow.RoleNotAllowed):
    message = N_("您的角色不能对该申报执行此操作。")


WorkflowError = workflow.WorkflowError
MACHINE = workflow.Machine(TRANSITIONS, IllegalTransition, RoleNotAllowed)


class NoticeRunning(WorkflowError):
    """The public notice has not yet run its days."""

    message = N_("公示期未满：%(start)s 起公示 %(days)s 天，%(earliest)s 起才能报送。")

    def __init__(self, start: dt.date, days: int):
        super().__init__(start, days)
        self.params = {"start": start.isoformat(), "days": days, "earliest": notice_ends(start, days).isoformat()}


def rule(state: str | None, action: str, kind: str) -> Transition:
    return MACHINE.rule(state, action, kind=kind)


def transition(state: str | None, action: str, role: str, kind: str, *, county_approval: bool = False) -> str:
    """The state after ``role`` does ``action`` on a ``kind`` proposal in ``state``."""
    allowed = MACHINE.step(state, action, role, kind=kind)
    return allowed.county_state if county_approval and allowed.county_state else allowed.to_state


def notice_ends(start: dt.date, days: int) -> dt.date:
    """The first day after a notice of ``days`` days started on ``start``."""
    return start + dt.timedelta(days=days)


def notice_last_day(start: dt.date, days: int) -> dt.date:
    """The last day of a notice of ``days`` days started on ``start`` (1–5 July for 5 days from 1 July)."""
    return notice_ends(start, days) - dt.timedelta(days=1)


def check_notice(start: dt.date, days: int, today: dt.date) -> None:
    """Refuse while the notice is still running."""
    if today < notice_ends(start, days):
        raise NoticeRunning(start, days)


@cache
def _china(first_year: int, last_year: int) -> holidays.HolidayBase:
    """China's public holidays and weekend working days (调休) of these years, filled once and
    only read afterwards (so threads may share it)."""
    return holidays.China(years=range(first_year, last_year + 1))


def days_from_clue(clue_date: dt.date, decided: dt.date | None, today: dt.date, day_count: str = "calendar") -> int:
    """Days from the clue to the decision, or to today while undecided (§10: normally ≤ 15;
    Hainan counts working days): ``day_count`` "calendar", or "working" for the working days
    after the clue's day up to that day, as China's holiday calendar has them (the python
    ``holidays`` package; a year it does not yet know counts Monday to Friday)."""
    end = decided or today
    if day_count != "working":
        return (end - clue_date).days
    if end <= clue_date:
        return 0
    return _china(clue_date.year, end.year).get_working_days_count(clue_date + dt.timedelta(days=1), end)


def allowed_actions(state: str | None, role: str, kind: str) -> list[str]:
    """The actions ``role`` may take on a ``kind`` proposal in ``state``, in the table's order."""
    return MACHINE.allowed_actions(state, role, kind=kind)
