"""Record review: the village's queue and record pages (with the township's and county's
read of them), and the reviewer's JSON API."""
from babel.lists import format_list
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.roles import requires
from app.census import definitions, messages
from app.census import services as census
from app.codes import N_
from app.extensions import db
from app.invalid import InvalidInput
from app.review import display, queries, services, workflow
from app.sync.models import Submission
from app.typed import whole_number

bp = Blueprint("review", __name__)
STALE = N_("该记录已被他人修改，请刷新后重试。")


@bp.context_processor
def labels():
    return {"workflow": workflow, "flag_labels": messages.FLAG_LABELS}


def _filters() -> queries.Filters:
    status = request.args.get("status")
    return queries.Filters(status=status if status in workflow.STATES else None,
                           village_id=request.args.get("village", type=whole_number),
                           group_id=request.args.get("group", type=whole_number),
                           enumerator_id=request.args.get("enumerator", type=whole_number),
                           flagged=request.args.get("flagged") == "1",
                           unexplained=request.args.get("unexplained") == "1")


@bp.route("/review/")
@requires("see_reviews")
def queue():
    campaign = census.current_campaign()
    filters = _filters()
    if campaign is None:
        return render_template("review/queue.html", campaign=None, filters=filters)
    rows, next_key = queries.queue(current_user, campaign, filters, after=request.args.get("after", type=whole_number))
    counts = queries.queue_counts(current_user, campaign, filters)
    places = queries.place_choices(current_user, filters.village_id)
    return render_template(
        "review/queue.html", campaign=campaign, filters=filters, rows=rows, next_key=next_key,
        counts=counts.by_status, villages=places.villages, groups=places.groups, enumerators=counts.enumerators,
        may_approve="approve" in workflow.allowed_actions("submitted", current_user.role))


def _record_page(record_id: str, *, status: int = 200, error: InvalidInput | None = None):
    detail = queries.record_detail(current_user, record_id)
    locale = str(get_locale())
    definition = definitions.get(detail.current.form_version)
    result, answers = detail.current.server_result, detail.current.answers
    last_year = display.year_on_year(definition, result["income"], detail.last_year.server_result["income"], locale) \
        if detail.last_year else []
    return render_template(
        "review/record.html", detail=detail, submission=detail.submission, household=detail.submission.household,
        sections=display.answer_sections(definition, answers, locale),
        income=display.income_lines(definition, result["income"], locale),
        flags=display.flag_sentences(definition, result["screening"], locale),
        suggestions=display.suggestions(definition, result["screening"], locale),
        warnings=display.issues(definition, answers, result, "warning", locale),
        errors=display.issues(definition, answers, result, "error", locale),
        mismatch=display.mismatch(detail.current.client_result, result) if detail.submission.result_mismatch else [],
        last_year=last_year, path_label=lambda path: display.path_label(definition, path, locale),
        comment_fields=display.comment_fields(definition, answers, result, locale),
        actions=workflow.allowed_actions(detail.submission.status, current_user.role),
        error=error, typed=request.form), status


@bp.route("/review/records/<record_id>")
@requires("see_reviews")
def record(record_id: str):
    return _record_page(record_id)


def _conflict(record_id: str, message: str):
    return render_template("review/conflict.html", message=message, record_id=record_id), 409


def _act_on_page(record_id: str, done: str, verb, *arguments):
    """Parse the version, act, and answer: back to the queue with a flash; 409 with a page
    saying why when the record changed or its state does not allow the action."""
    submission = queries.get_submission_or_404(current_user, record_id)
    version = request.form.get("version", type=whole_number)
    if version is None:
        abort(400)
    try:
        verb(current_user, submission, *arguments, version)
    except workflow.RoleNotAllowed:
        abort(403)
    except workflow.WorkflowError as error:
        return _conflict(record_id, _(error.message))
    except services.StaleVersion:
        return _conflict(record_id, _(STALE))
    except InvalidInput as error:
        db.session.rollback()
        return _record_page(record_id, status=422, error=error)
    flash(_(done, number=submission.household.household_number), "success")
    return redirect(url_for("review.queue"))


@bp.route("/review/records/<record_id>/approve", methods=["POST"])
@requires("see_reviews")
def approve_page(record_id: str):
    return _act_on_page(record_id, N_("已通过 %(number)s 户的记录。"), services.approve_record)


@bp.route("/review/records/<record_id>/return", methods=["POST"])
@requires("see_reviews")
def return_page(record_id: str):
    comments = {key.removeprefix("comment:"): value for key, value in request.form.items()
                if key.startswith("comment:")}
    return _act_on_page(record_id, N_("已退回 %(number)s 户的记录。"), services.return_record, comments)


@bp.route("/review/records/<record_id>/reopen", methods=["POST"])
@requires("see_reviews")
def reopen_page(record_id: str):
    return _act_on_page(record_id, N_("已重新打开 %(number)s 户的记录，交由村级重新审核。"), services.reopen_record,
                        request.form.get("reason", ""))


@bp.route("/review/bulk-approve", methods=["POST"])
@requires("see_reviews")
def bulk_approve():
    versions = {}
    for value in request.form.getlist("record"):
        record_id, _separator, version = value.rpartition(":")
        try:
            versions[record_id] = whole_number(version)
        except ValueError:
            abort(400)
    try:
        outcome = services.bulk_approve(current_user, versions)
    except workflow.RoleNotAllowed:
        abort(403)
    flash(_("已通过 %(count)s 条记录。", count=len(outcome.approved)), "success")
    for number, reasons in outcome.left:
        flash(_("%(number)s 户未通过，请逐条审核：%(reasons)s。", number=number, reasons=format_list(
            [_(services.NOT_BULK_APPROVED[reason]) for reason in reasons], locale=get_locale())), "error")
    return redirect(url_for("review.queue"))


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
        return jsonify(error=409, message=_(STALE), status=submission.status,
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
