"""The phone's tasks (任务): what each enumerator must go and do, pulled with the households
and done offline; their results pushed like records (docs/sync.md, Tasks).

``GET /api/sync/tasks`` answers ``{"tasks": [{"id", "kind", "household_id", "due", "title",
"details"}]}``, gathered from ``PROVIDERS``: one function per kind of task, taking the user
and today. ``POST /api/sync/tasks/results`` takes ``{"results": [{"uuid", "task_id", ...}]}``
and answers one result per item, in order, each committed on its own (as records are):

- ``stored``: taken; ``duplicate``: this uuid was taken before (a resend: nothing changes);
- ``invalid`` (with ``message`` and ``field``): fix and send again;
- ``conflict``: the task is no longer the phone's to do (someone acted first): drop it;
- ``not_found``: no such task in the user's areas; ``error``: try again later.

What must always hold: a result the server answered ``stored`` or ``duplicate`` for is
kept, and sending it again never changes anything (the uuid is stored with its event).
Adding a kind of task is a provider in PROVIDERS and a receiver in RECEIVERS.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app import clock
from app.auth.roles import requires
from app.clues import queries as clues
from app.clues import services as clue_services
from app.clues.models import Clue
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.refusals import describe
from app.typed import whole_number

bp = Blueprint("tasks", __name__)

PROVIDERS = [clues.verification_tasks]
MAX_RESULTS = 50
UUID_LENGTH = 36


def _verify_warning(user, number: int, item: dict) -> None:
    clue = db.session.scalar(clues.scoped_clues(user).where(Clue.id == number))
    if clue is None:
        raise LookupError
    photo = item.get("photo_sha256")
    clue_services.verify(user, clue, result=item.get("result"), reason=_str(item.get("reason")),
                         note=_str(item.get("note")), client_id=item["uuid"],
                         photo_sha256=photo if isinstance(photo, str) and len(photo) == 64 else None)


RECEIVERS = {"clue": _verify_warning}


def _str(value) -> str | None:
    return value if isinstance(value, str) else None


@bp.route("/api/sync/tasks")
@requires("collect")
def tasks():
    today = clock.today()
    return jsonify(tasks=[task for provider in PROVIDERS for task in provider(current_user, today)])


@bp.route("/api/sync/tasks/results", methods=["POST"])
@requires("collect")
def results():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        return jsonify(error=400, message=_("请求内容应为包含 results 列表的 JSON。")), 400
    if len(body["results"]) > MAX_RESULTS:
        return jsonify(error=413, message=_("一次最多同步 %(max)s 条结果。", max=MAX_RESULTS)), 413
    return jsonify(results=[_receive(current_user, item) for item in body["results"]])


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
