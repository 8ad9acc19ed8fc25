"""The reviewer's JSON API for now (the review pages come with the next issue)."""
from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.roles import requires
from app.extensions import db
from app.invalid import InvalidInput
from app.review import services, workflow
from app.sync.models import Submission

bp = Blueprint("review", __name__)


def _act(record_id: str, verb, *arguments):
    submission = db.session.get(Submission, record_id) or abort(404)
    body = request.get_json(silent=True)
    version = body.get("version") if isinstance(body, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        return jsonify(error=400, message=_("请求内容应为包含 version（整数）的 JSON。")), 400
    try:
        event = verb(current_user, submission, *(body.get(name) for name in arguments), version)
    except workflow.RoleNotAllowed as error:
        return jsonify(error=403, message=_(error.message)), 403
    except workflow.WorkflowError as error:
        return jsonify(error=409, message=_(error.message), status=submission.status, version=submission.version), 409
    except services.StaleVersion:
        db.session.refresh(submission)
        return jsonify(error=409, message=_("该记录已被他人修改，请刷新后重试。"), status=submission.status,
                       version=submission.version), 409
    except InvalidInput as error:
        return jsonify(error=422, message=error.message, field=error.field), 422
    return jsonify(id=submission.id, status=event.to_state, revision=submission.revision, version=submission.version)


@bp.route("/api/review/records/<record_id>/approve", methods=["POST"])
@requires("view_households")
def approve(record_id: str):
    return _act(record_id, services.approve_record)


@bp.route("/api/review/records/<record_id>/return", methods=["POST"])
@requires("view_households")
def return_(record_id: str):
    return _act(record_id, services.return_record, "comments")


@bp.route("/api/review/records/<record_id>/reopen", methods=["POST"])
@requires("view_households")
def reopen(record_id: str):
    return _act(record_id, services.reopen_record, "reason")
