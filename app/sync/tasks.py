"""The phone's tasks (任务): what each enumerator must go and do, pulled with the households
and done offline; their results pushed like records (docs/sync.md, Tasks).

``GET /api/sync/tasks`` answers ``{"tasks": [{"id", "kind", "household_id", "due", "title",
"details"}]}``, the earliest due first, gathered from ``PROVIDERS``: one function per kind
of task (``verify_warning``, ``visit``, ``audit``), taking the user and today and returning
tasks within the user's areas. A task's ``id`` (``<kind>:<number>[:<what>]``) is stable while
the task is open, so the phone keeps what it did offline against it.
``POST /api/sync/tasks/results`` takes ``{"results": [{"uuid", "task_id", ...}]}`` and
answers one result per item, in order, each committed on its own (as records are):

- ``stored``: taken; ``duplicate``: this uuid was taken before (a resend: nothing changes);
- ``invalid`` (with ``message`` and ``field``): fix and send again;
- ``conflict``: the task is no longer the phone's to do (someone acted first): drop it;
- ``not_found``: no such task in the user's areas; ``error``: try again later.

What must always hold: a result the server answered ``stored`` or ``duplicate`` for is
kept, and sending it again never changes anything (the uuid is stored with its event).
Adding a kind of task is a provider in PROVIDERS and a receiver in RECEIVERS.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app import clock
from app.audits import queries as audits
from app.audits.models import AuditSample
from app.auth.roles import requires
from app.campaigns.models import Campaign
from app.census import definitions
from app.census import services as census
from app.clues import queries as clues
from app.clues import services as clue_services
from app.clues.models import Clue
from app.codes import ASSISTANCE_MEASURE
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.monitoring.models import AssistanceMeasure
from app.records.models import Submission
from app.refusals import describe
from app.sql import id_in
from app.sync import batches
from app.typed import whole_number
from app.visits import queries as visits

bp = Blueprint("tasks", __name__)

Provider = Callable[[object, dt.date], list[dict]]
UUID_LENGTH = 36


def _measures(household_ids: list[int]) -> dict[int, list[dict]]:
    """帮扶措施 of each household, the latest declared first, each with its state: what a visit
    follows up (and may report carried out)."""
    found: dict[int, list[dict]] = {}
    for measure in db.session.scalars(select(AssistanceMeasure).where(id_in(AssistanceMeasure.household_id,
                                                                            household_ids))
                                      .order_by(AssistanceMeasure.declared_on.desc(), AssistanceMeasure.id)):
        found.setdefault(measure.household_id, []).append({
            "id": measure.id, "type": ASSISTANCE_MEASURE.label(measure.measure_type), "note": measure.note,
            "state": "carried_out" if measure.carried_out else "declared",
            "declared_on": measure.declared_on.isoformat(),
            "carried_out_on": measure.carried_out_on.isoformat() if measure.carried_out else None})
    return found


def visit_tasks(user, today: dt.date) -> list[dict]:
    """走访任务: each duty of the households the user answers for that is due this period or overdue,
    with the household's assistance measures to follow up."""
    tasks = []
    rows = visits.household_duties(user, today, cadre=user)
    measures = _measures([row.household.id for row in rows])
    for row in rows:
        head = row.household.head
        for duty in row.duties:
            if not (duty.due or duty.overdue):
                continue
            rule = duty.rule
            tasks.append({
                "id": f"visit:{row.household.id}:{rule.code}", "kind": "visit", "household_id": row.household.id,
                "due": (duty.overdue_period_end or duty.period_end).isoformat(),
                "title": _("%(household)s：%(duty)s", household=head.name if head else row.household.household_number,
                           duty=visits.duty_text(rule)),
                "details": {"duty": rule.code, "kinds": list(rule.kinds), "period": rule.period, "count": rule.count,
                            "period_start": duty.period_start.isoformat(), "period_end": duty.period_end.isoformat(),
                            "done": duty.done, "due": duty.due, "overdue": duty.overdue,
                            "household_number": row.household.household_number,
                            "measures": measures.get(row.household.id, [])},
            })
    return tasks


def audit_tasks(user, today: dt.date) -> list[dict]:
    """审核复核任务: each household of a round given to the user that they have not yet re-visited.
    The copy they fill is the census form, from the roster (what the phone's form needs offline
    comes with the task: the auditor need not be the household's enumerator); it never replaces
    the household's record."""
    tasks = []
    pending = db.session.scalars(audits.scoped_samples(user).where(
        AuditSample.auditor_id == user.id, AuditSample.outcome == "pending").order_by(AuditSample.id))
    current = census.current_campaign()
    for sample in pending:
        audit_round, household = sample.round, sample.household
        original = db.session.get(Submission, sample.submission_id) if sample.submission_id else None
        campaign = db.session.get(Campaign, original.campaign_id) if original else current
        head = household.head
        tasks.append({
            "id": f"audit:{household.id}:{audit_round.id}", "kind": "audit", "household_id": household.id,
            "due": max(audit_round.period_end, today).isoformat(),
            "title": _("%(household)s：抽样审核复核", household=head.name if head else household.household_number),
            "details": {"sample_id": sample.id, "round_id": audit_round.id,
                        "household_number": household.household_number, "population": audit_round.population,
                        "head_name": head.name if head else None, "village": household.village.name,
                        "form_version": campaign.form_version if campaign else definitions.DEFAULT_VERSION,
                        "threshold": census.threshold(campaign, household),
                        "prefill": census.prefill(household, today)},
        })
    return tasks


PROVIDERS: list[Provider] = [clues.verification_tasks, visit_tasks, audit_tasks]


def gather(user, today: dt.date) -> list[dict]:
    """Every provider's tasks, the earliest due first."""
    found = [task for provider in PROVIDERS for task in provider(user, today)]
    return sorted(found, key=lambda task: (task["due"], task["id"]))


def _verify_warning(user, number: int, item: dict) -> None:
    clue = db.session.scalar(clues.scoped_clues(user).where(Clue.id == number))
    if clue is None:
        raise LookupError
    clue_services.verify(user, clue, result=item.get("result"), reason=_str(item.get("reason")),
                         note=_str(item.get("note")), client_id=item["uuid"], photo_sha256=item.get("photo_sha256"))


RECEIVERS = {"clue": _verify_warning}


def _str(value) -> str | None:
    return value if isinstance(value, str) else None


@bp.route("/api/sync/tasks")
@requires("collect")
def tasks():
    return jsonify(tasks=gather(current_user, clock.today()))


@bp.route("/api/sync/tasks/results", methods=["POST"])
@requires("collect")
def results():
    items = batches.items("results", _("请求内容应为包含 results 列表的 JSON。"))
    return jsonify(results=[batches.unstorable(item, "uuid") or _receive(current_user, item) for item in items])


def _receive(user, item) -> dict:
    uuid = item.get("uuid") if isinstance(item, dict) else None
    if not isinstance(uuid, str) or not 1 <= len(uuid) <= UUID_LENGTH:
        return {"uuid": uuid if isinstance(uuid, str) else None, "result": "invalid",
                "message": _("每条结果须带手机生成的 uuid。")}
    kind, _sep, number = str(item.get("task_id", "")).partition(":")
    try:
        receive, task_number = RECEIVERS[kind], whole_number(number)
    except (KeyError, ValueError):
        return {"uuid": uuid, "result": "not_found", "message": _("没有这项任务。")}
    if clue_services.result_sent(uuid) is not None:
        return {"uuid": uuid, "result": "duplicate"}
    try:
        receive(user, task_number, item)
    except LookupError:
        return {"uuid": uuid, "result": "not_found", "message": _("没有这项任务。")}
    except InvalidInput as error:
        db.session.rollback()
        return {"uuid": uuid, "result": "invalid", "field": error.field, "message": describe(error)}
    except DomainError as error:
        db.session.rollback()
        return {"uuid": uuid, "result": "conflict", "message": describe(error)}
    except IntegrityError:
        db.session.rollback()  # the same uuid, stored by a copy of this request a moment ago
        if clue_services.result_sent(uuid) is not None:
            return {"uuid": uuid, "result": "duplicate"}
        return {"uuid": uuid, "result": "error", "message": _("服务器暂时无法保存这条结果，稍后会自动重试。")}
    except SQLAlchemyError:
        db.session.rollback()
        return {"uuid": uuid, "result": "error", "message": _("服务器暂时无法保存这条结果，稍后会自动重试。")}
    return {"uuid": uuid, "result": "stored"}
