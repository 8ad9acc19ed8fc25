"""Monitoring pages: the village assessment, proposals and their decisions, the public
notice, the monitored register and each household's monitoring page."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.auth.roles import requires
from app.census.services import current_campaign
from app.codes import ASSISTANCE_MEASURE, CLUE_CHANNEL, ELIMINATION_KIND, N_
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.files import tables
from app.geo.models import Area
from app.households.scope import filter_area_or_404, get_household_or_404, scoped_villages
from app.monitoring import elimination, queries, services, workflow
from app.monitoring.models import EVENT_LABELS
from app.records import display
from app.records import queries as records
from app.records import workflow as review_workflow
from app.refusals import describe, refused_page
from app.typed import whole_number

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")


@bp.context_processor
def _labels():
    return {"workflow": workflow, "event_labels": EVENT_LABELS, "review_states": review_workflow.STATE_LABELS}

INVALID = 422
OTHER_CHANNELS = ("self_application", "department_warning")


def _campaign():
    return current_campaign() or abort(404)


def _date(name: str) -> dt.date | None:
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(name, _("日期格式应为 年-月-日，如 2026-07-15。")) from None


def _refused(error: DomainError, page, back: str):
    """A service's refusal (app.main.errors.refused_page); for input it did not accept, the
    page again with each reason flashed (every unmet §11 condition for an elimination); else a
    page saying why, with the way back to ``back`` (the page acted from, as it now is)."""
    if error.status == INVALID:
        reasons = queries.unmet_messages(error.unmet, _campaign()) if isinstance(error, services.NotEligible) \
            else [describe(error)]
        for reason in reasons:
            flash(reason, "error")
    return refused_page(error, lambda status, error: page(status=status),
                        links=((back, _("返回刚才的页面，查看最新状态")),))


def _village_arg() -> Area | None:
    """The ?village= the user asked for, which must be one they see (else 404)."""
    village_id = filter_area_or_404(current_user, request.args.get("village"), "village")
    return None if village_id is None else db.session.get(Area, village_id)


# Village assessment -----------------------------------------------------------------------------

@bp.route("/")
@requires("view_monitoring")
def index():
    campaign = _campaign()
    return render_template("monitoring/index.html", campaign=campaign,
                           counts=queries.unresolved_counts(current_user, campaign))


@bp.route("/assessment")
@requires("view_monitoring")
def assessment():
    campaign = _campaign()
    village = _village_arg()
    return render_template("monitoring/assessment.html", campaign=campaign, village=village,
                           villages=scoped_villages(current_user),
                           rows=queries.assessment(current_user, campaign, village.id if village else None))


@bp.route("/assessment/<submission_id>")
@requires("view_monitoring")
def assess(submission_id: str, status: int = 200):
    submission = records.record_or_404(current_user, submission_id)
    campaign = _campaign()
    revision = records.current_revision(submission)
    return render_template(
        "monitoring/assess.html", submission=submission, household=submission.household, campaign=campaign,
        summary=display.summary(revision),
        suggested=revision.server_result["screening"], resolved=queries.is_resolved(submission),
        consent_problem=queries.consent_problem(submission.household, submission)
        if submission.status == "approved" else None,
        identification=queries.identification_of(submission.household),
        risk_types=queries.risk_type_choices(campaign), form=request.form,
    ), status


@bp.route("/assessment/<submission_id>/propose", methods=["POST"])
@requires("view_monitoring")
def propose_from_record(submission_id: str):
    submission = records.record_or_404(current_user, submission_id)
    try:
        event = services.propose_identification(
            current_user, submission.household, _campaign(), channel="visit_screening", submission=submission,
            category=request.form.get("category"), risk_types=request.form.getlist("risk_types"),
            note=request.form.get("note"))
    except DomainError as error:
        return _refused(error, lambda status: assess(submission_id, status),
                            url_for("monitoring.assess", submission_id=submission_id))
    flash(_("已申报，请组织民主评议。"), "success")
    return redirect(url_for("monitoring.proposal", proposal_id=event.proposal_id))


@bp.route("/assessment/<submission_id>/not-proposed", methods=["POST"])
@requires("view_monitoring")
def record_not_proposed(submission_id: str):
    submission = records.record_or_404(current_user, submission_id)
    try:
        services.not_proposed(current_user, submission, request.form.get("reason"))
    except DomainError as error:
        return _refused(error, lambda status: assess(submission_id, status),
                            url_for("monitoring.assess", submission_id=submission_id))
    flash(_("已登记不纳入监测及原因。"), "success")
    return redirect(url_for("monitoring.assessment"))


@bp.route("/assessment/<submission_id>/already-monitored", methods=["POST"])
@requires("view_monitoring")
def record_already_monitored(submission_id: str):
    submission = records.record_or_404(current_user, submission_id)
    try:
        services.already_monitored(current_user, submission, request.form.get("reason"),
                                   risk_types=request.form.getlist("risk_types"))
    except DomainError as error:
        return _refused(error, lambda status: assess(submission_id, status),
                            url_for("monitoring.assess", submission_id=submission_id))
    flash(_("已登记：该户已是监测对象，风险类型和帮扶已更新。"), "success")
    return redirect(url_for("monitoring.assessment"))


@bp.route("/households/<int:household_id>/propose", methods=["GET", "POST"])
@requires("view_monitoring")
def clue(household_id: int):
    household = get_household_or_404(current_user, household_id)
    campaign = _campaign()

    def page(status=200):
        return render_template("monitoring/clue.html", household=household, campaign=campaign,
                               consent_problem=queries.consent_problem(household),
                               channels=[(c, CLUE_CHANNEL.label(c)) for c in OTHER_CHANNELS],
                               risk_types=queries.risk_type_choices(campaign), form=request.form), status

    if request.method == "GET":
        return page()
    channel = request.form.get("channel")
    try:
        event = services.propose_identification(
            current_user, household, campaign, channel=channel if channel in OTHER_CHANNELS else None,
            clue_date=_date("clue_date"), category=request.form.get("category"),
            risk_types=request.form.getlist("risk_types"), note=request.form.get("note"))
    except DomainError as error:
        return _refused(error, page, url_for("monitoring.clue", household_id=household_id))
    flash(_("已申报，请组织民主评议。"), "success")
    return redirect(url_for("monitoring.proposal", proposal_id=event.proposal_id))


# Proposals --------------------------------------------------------------------------------------

def _not_yet(found, rule: workflow.Transition) -> str | None:
    """Why an action the role may take is not allowed today (the notice still running, as the
    workflow's own check says), for the page to say so beside the button; None when allowed."""
    if not rule.after_notice:
        return None
    try:
        workflow.check_notice(found.notice_start, found.campaign.public_notice_days, clock.today())
    except workflow.NoticeRunning as running:
        return describe(running)
    return None


@bp.route("/proposals/<int:proposal_id>")
@requires("view_monitoring")
def proposal(proposal_id: int, status: int = 200):
    found = queries.proposal_or_404(current_user, proposal_id)
    record = queries.evidence(found.household, found.source_submission)
    return render_template(
        "monitoring/proposal.html", proposal=found, household=found.household, record=record,
        summary=display.summary(records.current_revision(record)) if record else None,
        risk_labels=queries.risk_type_labels(found), events=queries.proposal_events(found),
        actions=[(action, rule, _not_yet(found, rule)) for action, rule in
                 ((action, workflow.rule(found.state, action, found.kind))
                  for action in workflow.allowed_actions(found.state, current_user.role, found.kind))],
        notice_ends=workflow.notice_ends(found.notice_start, found.campaign.public_notice_days)
        if found.notice_start else None,
        days=workflow.days_from_clue(found.clue_date, found.decided_date, clock.today(),
                                     found.campaign.decision_day_count if found.campaign else "calendar"),
        form=request.form,
    ), status


@bp.route("/proposals/<int:proposal_id>/act", methods=["POST"])
@requires("view_monitoring")
def act(proposal_id: int):
    found = queries.proposal_or_404(current_user, proposal_id)
    action = request.form.get("action", "")
    version = request.form.get("version", type=whole_number)
    if action not in workflow.ACTIONS or version is None:
        abort(400)
    try:
        services.act(current_user, found, action, version, reason=request.form.get("reason"),
                     on_date=_date("on_date"))
    except DomainError as error:
        return _refused(error, lambda status: proposal(proposal_id, status),
                        url_for("monitoring.proposal", proposal_id=proposal_id))
    flash(_("已办理：%(action)s。", action=_(workflow.ACTION_LABELS[action])), "success")
    return redirect(url_for("monitoring.proposal", proposal_id=proposal_id))


@bp.route("/queue")
@requires("view_monitoring")
def queue():
    return render_template("monitoring/queue.html", rows=queries.queue(current_user, clock.today()),
                           campaign=_campaign())


# Public notice ----------------------------------------------------------------------------------

def _notice_village() -> Area:
    villages = scoped_villages(current_user)
    return _village_arg() or (villages[0] if villages else abort(404))


@bp.route("/notice")
@requires("view_monitoring")
def notice():
    village = _notice_village()
    rows = queries.notice(current_user, village)
    return render_template("monitoring/notice.html", village=village, villages=scoped_villages(current_user),
                           columns=tables.headers(queries.NOTICE_FIELDS), rows=rows,
                           periods=sorted({(row.start, row.end) for row in rows}),
                           contact=queries.objection_contact(village), today=clock.today())


@bp.route("/notice.csv")
@requires("view_monitoring")
def notice_csv():
    village = _notice_village()
    return tables.send(queries.NOTICE_FIELDS, queries.notice(current_user, village), f"notice-{village.code}",
                       "csv", N_("公示"))


# Monitored register and households --------------------------------------------------------------

@bp.route("/register")
@requires("view_monitoring")
def register():
    village = _village_arg()
    return render_template("monitoring/register.html", village=village, villages=scoped_villages(current_user),
                           rows=queries.register(current_user, village.id if village else None))


@bp.route("/households/<int:household_id>")
@requires("view_monitoring")
def household(household_id: int, status: int = 200):
    found = get_household_or_404(current_user, household_id)
    campaign = _campaign()
    return render_template(
        "monitoring/household.html", household=found, campaign=campaign, history=queries.history(found),
        identification=queries.identification_of(found), open_proposal=queries.open_proposal(found),
        unmet=queries.unmet_messages(elimination.unmet(queries.elimination_facts(found, campaign, clock.today())),
                                     campaign) if found.monitored_category else [],
        measure_types=ASSISTANCE_MEASURE.choices(), elimination_kinds=ELIMINATION_KIND.choices(),
        today=clock.today(), form=request.form,
    ), status


@bp.route("/households/<int:household_id>/measures", methods=["POST"])
@requires("view_monitoring")
def add_measure(household_id: int):
    found = get_household_or_404(current_user, household_id)
    try:
        services.declare_measure(current_user, found, measure_type=request.form.get("measure_type"),
                                 declared_on=_date("declared_on"), note=request.form.get("note"))
    except DomainError as error:
        return _refused(error, lambda status: household(household_id, status),
                        url_for("monitoring.household", household_id=household_id))
    flash(_("已申报帮扶措施。落实后请登记落实日期，落实的措施才计入风险消除条件。"), "success")
    return redirect(url_for("monitoring.household", household_id=household_id))


@bp.route("/households/<int:household_id>/measures/<int:measure_id>/carried-out", methods=["POST"])
@requires("view_monitoring")
def measure_carried_out(household_id: int, measure_id: int):
    found = get_household_or_404(current_user, household_id)
    measure = queries.measure_or_404(current_user, found, measure_id)
    try:
        services.carry_out_measure(current_user, measure, _date(f"carried_out_on_{measure_id}"))
    except DomainError as error:
        return _refused(error, lambda status: household(household_id, status),
                        url_for("monitoring.household", household_id=household_id))
    flash(_("已登记帮扶措施落实。"), "success")
    return redirect(url_for("monitoring.household", household_id=household_id))


@bp.route("/households/<int:household_id>/eliminate", methods=["POST"])
@requires("view_monitoring")
def eliminate(household_id: int):
    found = get_household_or_404(current_user, household_id)
    try:
        event = services.propose_elimination(current_user, found, _campaign(), channel=request.form.get("channel"),
                                             note=request.form.get("note"))
    except DomainError as error:
        return _refused(error, lambda status: household(household_id, status),
                        url_for("monitoring.household", household_id=household_id))
    flash(_("已申报风险消除，请组织民主评议。"), "success")
    return redirect(url_for("monitoring.proposal", proposal_id=event.proposal_id))
