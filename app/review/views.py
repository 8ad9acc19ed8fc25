"""Record review: the village's queue and record pages (with the township's and county's
read of them), and the reviewer's JSON API."""
from urllib.parse import parse_qsl

from babel.lists import format_list
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app import jsonbody
from app.auth.roles import requires
from app.census import messages
from app.census import services as census
from app.codes import N_
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.households.scope import filter_area_or_404
from app.records import display, services, workflow
from app.records import queries as records
from app.refusals import refused_json, refused_page
from app.review import queries
from app.typed import whole_number

bp = Blueprint("review", __name__)


@bp.context_processor
def labels():
    return {"workflow": workflow, "flag_labels": messages.FLAG_LABELS}


QUEUE_ARGS = ("status", "village", "group", "enumerator", "flagged", "unexplained", "after")


def _back() -> str:
    """The queue's query string the record was opened from (carried by the record's links and
    forms), so the reviewer returns to the queue as they left it."""
    return request.values.get("back", "")


def _queue_url(back: str) -> str:
    """Only the queue's own arguments are taken from ``back``: it names a place in the queue, never
    another address."""
    return url_for("review.queue", **{key: value for key, value in parse_qsl(back) if key in QUEUE_ARGS})


def _filters() -> queries.Filters:
    status = request.args.get("status")
    return queries.Filters(status=status if status in workflow.STATES else None,
                           village_id=filter_area_or_404(current_user, request.args.get("village"), "village"),
                           group_id=filter_area_or_404(current_user, request.args.get("group"), "group"),
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
        counted_at=counts.counted_at, recounting=counts.recounting,
        may_approve="approve" in workflow.allowed_actions("submitted", current_user.role),
        back=request.query_string.decode())


def _record_page(record_id: str, *, status: int = 200, error: InvalidInput | None = None):
    detail = queries.record_detail(current_user, record_id)
    locale = str(get_locale())
    definition = display.definition_of(detail.current.form_version)
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
        copy_actions=[action for action in workflow.allowed_actions(detail.submission.status, current_user.role)
                      if action in COPY_ACTIONS],
        error=error, typed=request.form, back=_back(), queue_url=_queue_url(_back())), status


@bp.route("/review/records/<record_id>")
@requires("see_reviews")
def record(record_id: str):
    return _record_page(record_id)


def _act_on_page(record_id: str, done: str, verb, *arguments, subject=None):
    """Parse the version, act on the record (or ``subject``, a copy kept beside it), and
    answer: back to the queue with a flash; the record page again (422) for input the service
    did not take; else a page saying why, with the way back to the record as it now is."""
    submission = records.record_or_404(current_user, record_id)
    version = request.form.get("version", type=whole_number)
    if version is None:
        abort(400)
    try:
        verb(current_user, subject or submission, *arguments, version)
    except DomainError as error:
        db.session.rollback()
        return refused_page(error, lambda status, error: _record_page(record_id, status=status, error=error), links=(
            (url_for("review.record", record_id=record_id, back=_back() or None), _("重新打开该记录，查看最新内容")),
            (_queue_url(_back()), _("返回审核列表"))))
    flash(_(done, number=submission.household.household_number), "success")
    return redirect(_queue_url(_back()))


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


COPY_ACTIONS = {"keep_stored": (services.keep_stored, N_("已保留 %(number)s 户的现有记录，另一份已存档。")),
                "take_copy": (services.take_copy, N_("已采用另一份作为 %(number)s 户记录的新修订，请重新审核。"))}


@bp.route("/review/records/<record_id>/copies/<int:conflict_id>/<any(keep_stored, take_copy):action>",
          methods=["POST"])
@requires("see_reviews")
def resolve_copy(record_id: str, conflict_id: int, action: str):
    """The village keeps the record, or takes a copy kept beside it as its next revision."""
    conflict = records.conflict_or_404(current_user, record_id, conflict_id)
    verb, done = COPY_ACTIONS[action]
    return _act_on_page(record_id, done, verb, subject=conflict)


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
    return redirect(_queue_url(_back()))


def _act(record_id: str, verb, *arguments):
    """The JSON API: the record is looked up within the user's areas before its body is
    read, so a record outside them answers 404 whatever was sent."""
    submission = records.record_or_404(current_user, record_id)
    body = jsonbody.read()
    version = body.get("version") if isinstance(body, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        return jsonify(error=400, message=_("请求内容应为包含 version（整数）的 JSON。")), 400
    try:
        event = verb(current_user, submission, *(body.get(name) for name in arguments), version)
    except DomainError as error:
        db.session.rollback()
        db.session.refresh(submission)
        return refused_json(error, status=submission.status, version=submission.version)
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
