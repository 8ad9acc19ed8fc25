"""Office pages of the sample audits: the county draws a round and assigns auditors per
township; everyone sees the round's figures and the samples in their areas; the village
answers each discrepancy."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import clock
from app.audits import queries, services
from app.audits.jobs import DRAW_JOB, draw_params
from app.audits.models import AuditSample
from app.auth.models import User
from app.auth.roles import requires
from app.codes import AUDIT_OUTCOME, AUDIT_POPULATION
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.geo.models import Area
from app.households.models import Household
from app.jobs import services as jobs
from app.refusals import describe
from app.typed import whole_number

bp = Blueprint("audits", __name__, url_prefix="/audits")


def _date(name: str, default: dt.date) -> dt.date:
    text = request.form.get(name, "").strip()
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        raise InvalidInput(name, _("日期格式应为 年-月-日，如 2026-07-15。")) from None


def _whole(name: str) -> int | None:
    text = request.form.get(name, "").strip()
    try:
        return whole_number(text) if text else None
    except ValueError:
        raise InvalidInput(name, _("请填写整数。")) from None


@bp.route("/")
@requires("see_dashboards")
def index(status: int = 200):
    today = clock.today()
    counties = [area for area in current_user.areas if area.level == "county"]
    return render_template("audits/index.html", rounds=queries.rounds(current_user), counties=counties,
                           populations=AUDIT_POPULATION.choices(), today=today, form=request.form,
                           report=services.round_report), status


@bp.route("/rounds", methods=["POST"])
@requires("administer")
def draw():
    """What the draw is asked with is checked here; the draw itself is a job (audits/jobs.py)."""
    county = db.session.get(Area, request.form.get("county", type=whole_number) or 0)
    today = clock.today()
    try:
        if county is None or county not in current_user.areas:
            raise InvalidInput("county", _("请选择县。"))
        seed = _whole("seed")
        if seed is None:
            raise InvalidInput("seed", _("请填写随机种子（整数），以便再次显示同一抽样。"))
        population, share, count = (request.form.get("population", ""), services.parse_share(request.form.get("share")),
                                    _whole("count"))
        start, end = _date("period_start", dt.date(today.year, 1, 1)), _date("period_end", today)
        services.check_draw(population, start, end, share=share, count=count)
    except DomainError as error:
        db.session.rollback()
        flash(describe(error), "error")
        return index(status=error.status)
    job = jobs.ask(DRAW_JOB, current_user, draw_params(county, population, start, end, share, count, seed))
    return redirect(url_for("jobs.show", job_id=job.id), 303)


@bp.route("/rounds/<int:round_id>")
@requires("see_dashboards")
def round_page(round_id: int, status: int = 200):
    audit_round = queries.round_or_404(current_user, round_id)
    samples = db.session.scalars(queries.scoped_samples(current_user).where(AuditSample.round_id == round_id)
                                 .order_by(Household.household_number)).all()
    townships = db.session.scalars(select(Area).where(Area.parent_id == audit_round.county_id,
                                                      Area.level == "township").order_by(Area.code)).all()
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name)).all()
    return render_template("audits/round.html", audit_round=audit_round, report=services.round_report(audit_round),
                           figures=queries.figures(audit_round), samples=samples, records=queries.records_of(samples),
                           townships=townships, users=users, outcomes=AUDIT_OUTCOME,
                           populations=AUDIT_POPULATION), status


@bp.route("/rounds/<int:round_id>/auditors", methods=["POST"])
@requires("administer")
def assign(round_id: int):
    audit_round = queries.round_or_404(current_user, round_id)
    township = db.session.get(Area, request.form.get("township", type=whole_number) or 0)
    auditor = db.session.get(User, request.form.get("auditor", type=whole_number) or 0)
    try:
        if township is None or auditor is None:
            raise InvalidInput("township", _("请选择乡镇和审核人。"))
        given = services.assign_auditor(current_user, audit_round, township, auditor)
    except DomainError as error:
        db.session.rollback()
        flash(describe(error), "error")
        return round_page(round_id, status=error.status)
    flash(_("已分配审核人，%(count)s 户交给了审核人。", count=given), "success")
    return redirect(url_for("audits.round_page", round_id=round_id))


@bp.route("/samples/<int:sample_id>/answer", methods=["POST"])
@requires("assess")
def answer(sample_id: int):
    sample = queries.sample_or_404(current_user, sample_id)
    try:
        services.answer_discrepancy(current_user, sample, request.form.get("answer"))
    except DomainError as error:
        flash(describe(error), "error")
        return round_page(sample.round_id, status=error.status)
    flash(_("已提交说明。"), "success")
    return redirect(url_for("audits.round_page", round_id=sample.round_id))
