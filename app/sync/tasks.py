"""The phone's task list (`GET /api/sync/tasks`, docs/sync.md): what each signed-in user has to
do, from a list of providers. Every task has the same shape:

    {"id": "<kind>:<household>:<what>", "kind": "visit" | "audit", "household_id": int,
     "due": "YYYY-MM-DD", "title": str, "details": {...}}

``id`` is stable while the task is open, so the phone can keep what it did offline against it.
A provider takes (user, today) and returns tasks within the user's areas.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask_babel import gettext as _

from app.audits import queries as audits
from app.audits.models import AuditSample
from app.codes import CONTACT_KIND, DUTY_PERIOD
from app.extensions import db
from app.visits import queries as visits

Provider = Callable[[object, dt.date], list[dict]]


def visit_tasks(user, today: dt.date) -> list[dict]:
    """走访任务: each duty of the households the user answers for that is due this period or overdue."""
    tasks = []
    for row in visits.household_duties(user, today, cadre=user):
        head = row.household.head
        for duty in row.duties:
            if not (duty.due or duty.overdue):
                continue
            rule = duty.rule
            tasks.append({
                "id": f"visit:{row.household.id}:{rule.code}", "kind": "visit", "household_id": row.household.id,
                "due": (duty.overdue_period_end or duty.period_end).isoformat(),
                "title": _("%(household)s：%(period)s%(kinds)s %(count)s 次", household=head.name if head else
                           row.household.household_number, period=DUTY_PERIOD.label(rule.period),
                           kinds=_("或").join(CONTACT_KIND.label(kind) for kind in rule.kinds), count=rule.count),
                "details": {"duty": rule.code, "kinds": list(rule.kinds), "period": rule.period, "count": rule.count,
                            "period_start": duty.period_start.isoformat(), "period_end": duty.period_end.isoformat(),
                            "done": duty.done, "due": duty.due, "overdue": duty.overdue,
                            "household_number": row.household.household_number},
            })
    return tasks


def audit_tasks(user, today: dt.date) -> list[dict]:
    """审核复核任务: each household of a round given to the user that they have not yet re-visited.
    The copy they fill is the census form; it never replaces the household's record."""
    tasks = []
    pending = db.session.scalars(audits.scoped_samples(user).where(
        AuditSample.auditor_id == user.id, AuditSample.outcome == "pending").order_by(AuditSample.id))
    for sample in pending:
        audit_round, household = sample.round, sample.household
        head = household.head
        tasks.append({
            "id": f"audit:{household.id}:{audit_round.id}", "kind": "audit", "household_id": household.id,
            "due": max(audit_round.period_end, today).isoformat(),
            "title": _("%(household)s：抽样审核复核", household=head.name if head else household.household_number),
            "details": {"sample_id": sample.id, "round_id": audit_round.id,
                        "household_number": household.household_number, "population": audit_round.population},
        })
    return tasks


PROVIDERS: list[Provider] = [visit_tasks, audit_tasks]


def tasks(user, today: dt.date) -> list[dict]:
    """Every provider's tasks, the earliest due first."""
    found = [task for provider in PROVIDERS for task in provider(user, today)]
    return sorted(found, key=lambda task: (task["due"], task["id"]))
