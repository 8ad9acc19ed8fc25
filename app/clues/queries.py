"""Reads of the department warnings, always within the user's areas (households.scope): a
clue of another village answers 404. Overdue is workflow.overdue, computed here per clue."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from flask import abort
from flask_babel import get_locale
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.elements import ColumnElement

from app import clock
from app.auth.models import User
from app.clues import workflow
from app.clues.models import Clue, ClueEvent, Department, WarningList, WarningRow
from app.codes import CLUE_CHANNEL
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household
from app.households.scope import household_filter
from app.money import format_yuan
from app.monitoring.models import Proposal
from app.sql import id_in


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).where(Department.active.is_(True)).order_by(Department.code)))


def covers_county(user) -> bool:
    """The county's users see whole lists, with the persons found in no household."""
    return any(area.level == "county" for area in user.areas)


def scoped_clues(user):
    return select(Clue).join(Household, Household.id == Clue.household_id).where(household_filter(user))


def clue_or_404(user, clue_id: int) -> Clue:
    clue = db.session.scalar(scoped_clues(user).where(Clue.id == clue_id))
    return clue if clue is not None else abort(404)


def is_overdue(clue: Clue, today: dt.date) -> bool:
    return workflow.overdue(clue.state, clue.due, today)


def clues(user, *, states=None, village_id: int | None = None, assignee_id: int | None = None) -> list[Clue]:
    query = scoped_clues(user).options(joinedload(Clue.household).joinedload(Household.village),
                                       joinedload(Clue.warning_list).joinedload(WarningList.department))
    if states:
        query = query.where(Clue.state.in_(states))
    if village_id is not None:
        query = query.where(Household.village_id == village_id)
    if assignee_id is not None:
        query = query.where(Clue.assignee_id == assignee_id)
    return list(db.session.scalars(query.order_by(Clue.verify_due, Clue.id)))


@dataclass
class Tally:
    """A list's (or a department's, a township's) clues in the user's areas."""

    rows: int = 0
    matched: int = 0
    not_found: int = 0
    clues: int = 0
    verified: int = 0
    risks_found: int = 0
    proposals: int = 0
    overdue: int = 0

    def add_clue(self, clue: Clue, today: dt.date) -> None:
        self.clues += 1
        self.verified += clue.result is not None
        self.risks_found += clue.result == workflow.RISK_FOUND
        self.proposals += clue.proposal_id is not None
        self.overdue += is_overdue(clue, today)


@dataclass
class Summary:
    lists: list[tuple[WarningList, Tally]]
    departments: list[tuple[Department, Tally]]
    townships: list[tuple[Area, Tally]]


def summary(user, today: dt.date) -> Summary:
    """Per list, per department and per township: rows, matched, verified, risks found,
    proposals made, overdue. Rows not found belong to no area: the county sees them."""
    by_list: dict[int, Tally] = {}
    by_township: dict[int, Tally] = {}
    query = scoped_clues(user).options(joinedload(Clue.household).joinedload(Household.village))
    for clue in db.session.scalars(query):
        by_list.setdefault(clue.list_id, Tally()).add_clue(clue, today)
        by_township.setdefault(clue.household.village.parent_id, Tally()).add_clue(clue, today)
    matched = Counter(db.session.execute(
        select(WarningRow.list_id).join(Household, Household.id == WarningRow.household_id)
        .where(household_filter(user))).scalars())
    lists = list(db.session.scalars(select(WarningList).options(joinedload(WarningList.department))
                                    .order_by(WarningList.pushed_on.desc(), WarningList.id.desc())))
    county_wide = covers_county(user)
    shown = []
    for warning_list in lists:
        tally = by_list.get(warning_list.id, Tally())
        tally.matched = matched[warning_list.id]
        tally.rows = warning_list.rows_read if county_wide else tally.matched
        tally.not_found = warning_list.rows_not_found if county_wide else 0
        if tally.rows:
            shown.append((warning_list, tally))
    per_department: dict[str, tuple[Department, Tally]] = {}
    for warning_list, tally in shown:
        department, total = per_department.setdefault(warning_list.department_code, (warning_list.department, Tally()))
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
    areas = {area.id: area for area in db.session.scalars(select(Area).where(Area.id.in_(by_township)))}
    townships = sorted(((areas[area_id], tally) for area_id, tally in by_township.items()), key=lambda x: x[0].code)
    return Summary(shown, list(per_department.values()), townships)


MONTHS_SHOWN = 12


@dataclass
class MonthFigures:
    """部门预警月度数据: of one month (or a department's months): clues pushed, verified, verified
    within their limit, risks found and proposals made in it; of the clues pushed in it, those
    overdue now."""

    pushed: int = 0
    verified: int = 0
    on_time: int = 0
    risks_found: int = 0
    proposals: int = 0
    overdue: int = 0


@dataclass
class Monthly:
    months: list[tuple[dt.date, MonthFigures]]  # each month's first day, oldest first
    departments: list[tuple[Department, MonthFigures]]  # the same months, per department


def month_starts(today: dt.date, count: int = MONTHS_SHOWN) -> list[dt.date]:
    """The first days of the last ``count`` months, today's month last (county days)."""
    starts = [today.replace(day=1)]
    while len(starts) < count:
        starts.append((starts[-1] - dt.timedelta(days=1)).replace(day=1))
    return starts[::-1]


def monthly(households: ColumnElement, today: dt.date) -> Monthly:
    """The last 12 months' figures of the clues on ``households`` (a clause limiting
    Household, already within the user's areas: the dashboard's place). Every day is the
    county's: a proposal's moment is read in its time zone."""
    starts = month_starts(today)
    months = {start: MonthFigures() for start in starts}
    by_department: dict[str, MonthFigures] = {}
    rows = db.session.execute(
        select(Clue.state, Clue.pushed_on, Clue.verify_due, Clue.village_review_due, Clue.township_review_due,
               Clue.verified_on, Clue.result, Proposal.created_at, WarningList.department_code)
        .join(Household, Household.id == Clue.household_id)
        .join(WarningList, WarningList.id == Clue.list_id)
        .outerjoin(Proposal, Proposal.id == Clue.proposal_id)
        .where(households, or_(Clue.pushed_on >= starts[0], Clue.verified_on >= starts[0],
                               Clue.proposal_id.is_not(None))))
    for row in rows:
        department = by_department.setdefault(row.department_code, MonthFigures())

        def add(day: dt.date | None, name: str, department=department) -> None:
            month = months.get(day.replace(day=1)) if day is not None else None
            if month is not None:
                for figures in (month, department):
                    setattr(figures, name, getattr(figures, name) + 1)

        due = {"verify": row.verify_due, "village_review": row.village_review_due,
               "township_review": row.township_review_due}
        add(row.pushed_on, "pushed")
        if workflow.overdue(row.state, due, today):
            add(row.pushed_on, "overdue")
        add(row.verified_on, "verified")
        if row.verified_on is not None and row.verified_on <= row.verify_due:
            add(row.verified_on, "on_time")
        if row.result == workflow.RISK_FOUND:
            add(row.verified_on, "risks_found")
        if row.created_at is not None:
            add(clock.county_date(row.created_at), "proposals")
    shown = {code: figures for code, figures in by_department.items() if figures != MonthFigures()}
    names = db.session.scalars(select(Department).where(Department.code.in_(shown)).order_by(Department.code))
    return Monthly([(start, months[start]) for start in starts], [(department, shown[department.code])
                                                                   for department in names])


def overdue_by_village(user, today: dt.date) -> list[tuple[Area, int, int]]:
    """Open clues and overdue clues per village (a township's view of its villages)."""
    open_count: Counter = Counter()
    late: Counter = Counter()
    villages: dict[int, Area] = {}
    for clue in clues(user, states=workflow.OPEN_STATES):
        village = clue.household.village
        villages[village.id] = village
        open_count[village.id] += 1
        late[village.id] += is_overdue(clue, today)
    return [(villages[vid], open_count[vid], late[vid]) for vid in sorted(villages, key=lambda v: villages[v].code)]


def verified_in_time_by_village(user, villages: list[int], first: dt.date, last: dt.date) -> dict[int, tuple[int, int]]:
    """限时办结: per village of the user's areas, the clues whose verification was due between
    ``first`` and ``last``: (verified by their last day, due). Villages with none are left out."""
    in_time = func.sum(case((Clue.verified_on <= Clue.verify_due, 1), else_=0))
    rows = db.session.execute(
        select(Household.village_id, in_time, func.count()).join(Household, Household.id == Clue.household_id)
        .where(household_filter(user), id_in(Household.village_id, villages), Clue.verify_due >= first,
               Clue.verify_due <= last).group_by(Household.village_id))
    return {village: (int(verified or 0), due) for village, verified, due in rows}


def events(clue: Clue) -> list[ClueEvent]:
    return list(db.session.scalars(select(ClueEvent).options(joinedload(ClueEvent.actor))
                                   .where(ClueEvent.clue_id == clue.id).order_by(ClueEvent.id)))


def list_or_404(list_id: int) -> WarningList:
    return db.session.get(WarningList, list_id) or abort(404)


def feedback_rows(user, warning_list: WarningList):
    """Every row of a list the user may see (the county: all, the not-found too), with its
    household, the verification's result and date and the township's reviewer."""
    query = (select(WarningRow.row_number, WarningRow.id_number, WarningRow.name, WarningRow.reason,
                    WarningRow.event_date, Household.household_number, Clue.result, Clue.verified_on, Clue.state,
                    User.display_name.label("reviewer"))
             .outerjoin(Household, Household.id == WarningRow.household_id)
             .outerjoin(Clue, Clue.id == WarningRow.clue_id)
             .outerjoin(User, User.id == Clue.reviewed_by_id)
             .where(WarningRow.list_id == warning_list.id).order_by(WarningRow.row_number))
    if not covers_county(user):
        query = query.where(household_filter(user))
    return query


def source_name(clue: Clue, locale: str) -> str:
    """Who raised the clue: its list's department, else the channel (a duty visit)."""
    if clue.warning_list is not None:
        return clue.warning_list.department.name(locale)
    return CLUE_CHANNEL.label(clue.channel)


def verification_tasks(user, today: dt.date) -> list[dict]:
    """The clues waiting for this user's visit, as the phone's task list shows them (offline):
    the household, the last day, the department and what happened."""
    shown = []
    for clue in clues(user, states=("assigned",), assignee_id=user.id):
        household = clue.household
        source = source_name(clue, str(get_locale()))
        head = household.head
        shown.append({
            "id": f"clue:{clue.id}", "kind": "verify_warning", "household_id": household.id,
            "due": clue.verify_due.isoformat(), "overdue": is_overdue(clue, today),
            "title": f"{source}：{head.name if head else household.household_number}",
            "details": {
                "household_number": household.household_number, "village": household.village.name,
                "department": source, "pushed_on": clue.pushed_on.isoformat(),
                "version": clue.version, "note": clue.note,
                "warnings": [{"name": row.name, "reason": row.reason, "date": row.event_date.isoformat(),
                              "amount": format_yuan(row.amount_fen) if row.amount_fen is not None else None,
                              "note": row.note} for row in clue.rows],
            },
        })
    return shown
