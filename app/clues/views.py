"""Department-warning pages: the county's lists and upload, the township's and village's
clues to review, a clue with the actions its state allows the user now, and the feedback
file for a department."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.auth.roles import requires
from app.census.services import current_campaign
from app.clues import jobs as clue_jobs
from app.clues import queries, services, workflow
from app.codes import N_
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.files import kept, sheets, tables
from app.households.scope import scope_of
from app.jobs import services as jobs
from app.monitoring import queries as monitoring_queries
from app.records import attachments
from app.refusals import describe, refused_page
from app.typed import whole_number

bp = Blueprint("clues", __name__, url_prefix="/clues")
# What each office role reviews (the state its clues wait in for it).
TO_REVIEW = {workflow.VILLAGE: ("verified",), workflow.TOWNSHIP: ("village_reviewed", "referred")}


@bp.context_processor
def _labels():
    return {"clue_workflow": workflow, "locale": str(get_locale()), "clue_source": queries.source_name}


@bp.route("/")
@requires("view_monitoring")
def index():
    today = clock.today()
    role = current_user.role
    return render_template(
        "clues/index.html", today=today, overdue=queries.is_overdue,
        summary=queries.summary(current_user, today) if role != workflow.VILLAGE else None,
        to_review=queries.clues(current_user, states=TO_REVIEW[role]) if role in TO_REVIEW else [],
        # The village's other open clues: still to verify, or with the township.
        open_clues=queries.clues(current_user, states=[state for state in workflow.OPEN_STATES
                                                       if state not in TO_REVIEW[role]])
        if role == workflow.VILLAGE else [],
        by_village=queries.overdue_by_village(current_user, today) if role == workflow.TOWNSHIP else [])


@bp.route("/upload", methods=["GET", "POST"])
@requires("administer")
def upload():
    """The list is read here (a file that is no table is said at once); checking, matching and
    importing it is a job (clues/jobs.py) whose page shows the result."""
    status = 200
    if request.method == "POST":
        file = request.files.get("file")
        try:
            if file is None or not file.filename:
                raise InvalidInput("file", _("请选择要导入的预警名单文件。"))
            chosen = services.department(request.form.get("department"))
            data = file.read()
            sheet = sheets.read_upload(io.BytesIO(data), file.filename)
        except sheets.SheetError as error:
            flash(_(error.message, **error.params), "error")
            status = 422
        except DomainError as error:
            flash(describe(error), "error")
            status = error.status
        else:
            token = kept.keep(clue_jobs.UPLOAD_KIND, sheet, current_user.id)
            job = jobs.ask(clue_jobs.IMPORT_JOB, current_user, {
                "department": chosen.code, "file_name": file.filename[:255], "digest": services.file_hash(data),
                "dry_run": bool(request.form.get("dry_run")), "upload": token}, same=clue_jobs.SAME_LIST)
            if job.params["upload"] != token:  # the same list is already on its way: this copy is not needed
                kept.remove(clue_jobs.UPLOAD_KIND, current_user.id, token)
            return redirect(url_for("jobs.show", job_id=job.id), 303)
    return render_template("clues/upload.html", departments=queries.departments(), form=request.form), status


def _assignees(clue):
    """Enumerators and village cadres who cover the clue's household."""
    people = select(User).where(User.active.is_(True), User.role.in_((workflow.ENUMERATOR, workflow.VILLAGE)))
    return [user for user in db.session.scalars(people.order_by(User.display_name))
            if scope_of(user).covers(clue.household.village_id, clue.household.group_id)]


@bp.route("/<int:clue_id>")
@requires("view_monitoring")
def clue(clue_id: int, status: int = 200, error: DomainError | None = None):
    found = queries.clue_or_404(current_user, clue_id)
    actions = workflow.allowed_actions(found.state, current_user.role)
    campaign = found.campaign or current_campaign()
    return render_template(
        "clues/clue.html", clue=found, household=found.household, events=queries.events(found), actions=actions,
        overdue=queries.is_overdue(found, clock.today()), due=workflow.due_of(found.state, found.due),
        assignees=_assignees(found) if "assign" in actions else [],
        risk_types=monitoring_queries.risk_type_choices(campaign), form=request.form,
        error=error), status


@bp.route("/<int:clue_id>/photo")
@requires("view_monitoring")
def photo(clue_id: int):
    """The verification's photo, for those who may see the clue (another area's: 404)."""
    found = queries.clue_or_404(current_user, clue_id)
    stored = attachments.stored_file(found.photo_sha256) if found.photo_sha256 else None
    if stored is None:
        abort(404)
    path, content_type = stored
    response = send_file(path, mimetype=content_type, etag=False, conditional=False)
    response.headers["Cache-Control"] = "no-store"  # a household's photo, as every page of people's data
    return response


@bp.route("/<int:clue_id>/act", methods=["POST"])
@requires("view_monitoring")
def act(clue_id: int):
    found = queries.clue_or_404(current_user, clue_id)
    action = request.form.get("action", "")
    version = request.form.get("version", type=whole_number)
    form = request.form
    try:
        if action == "assign":
            assignee_id = form.get("assignee", type=whole_number)
            services.assign(current_user, found, db.session.get(User, assignee_id) if assignee_id else None, version)
        elif action == "verify":
            services.verify(current_user, found, result=form.get("result"), reason=form.get("reason"),
                            note=form.get("note"), expected_version=version)
        elif action == "village_review":
            services.village_review(current_user, found, version, reason=form.get("reason"),
                                    category=form.get("category"), risk_types=form.getlist("risk_types"))
        else:
            services.act(current_user, found, action, version, reason=form.get("reason"))
    except DomainError as error:
        if error.status == 422:
            flash(describe(error), "error")
        return refused_page(error, lambda status, error=None: clue(clue_id, status=status, error=error),
                            links=((url_for("clues.clue", clue_id=clue_id), _("返回线索")),))
    flash(_("已保存：%(action)s", action=_(workflow.ACTION_LABELS[action])), "success")
    return redirect(url_for("clues.clue", clue_id=clue_id))


def _result(value):
    return _(workflow.RESULT_LABELS[value]) if value else _("未核查")


FEEDBACK = [
    tables.Field("row_number", N_("行号"), tables.text_cell),
    tables.Field("id_number", N_("证件号码"), tables.text_cell),
    tables.Field("name", N_("姓名"), tables.text_cell),
    tables.Field("reason", N_("预警事项"), tables.text_cell),
    tables.Field("event_date", N_("发生日期"), lambda day: day.isoformat()),
    tables.Field("household_number", N_("户编号"), lambda number: number or _("查无此人")),
    tables.Field("result", N_("核查结果"), _result, labels=True),
    tables.Field("verified_on", N_("核查日期"), lambda day: day.isoformat() if day else ""),
    tables.Field("state", N_("办理状态"), lambda state: _(workflow.STATE_LABELS[state]) if state else "",
                 labels=True),
    tables.Field("reviewer", N_("审核人"), tables.text_cell),
]


@bp.route("/lists/<int:list_id>/feedback.xlsx")
@requires("view_monitoring")
def feedback(list_id: int):
    """反馈表: each row of the list with its household, result, date and reviewer (Chinese headers)."""
    warning_list = queries.list_or_404(list_id)
    rows = db.session.execute(queries.feedback_rows(current_user, warning_list))
    return tables.send(FEEDBACK, list(rows), f"feedback-{warning_list.id}", "xlsx", N_("核查反馈"))
