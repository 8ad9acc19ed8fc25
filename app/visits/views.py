"""Office pages of the visit duties: overdue visits per township, village and cadre; a
household's cadre, circle layers and visits; the visit log's export; the county's rule set.
Assignment from a file is on the admin pages (app/admin/cadres.py: it reads with app.roster)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.auth.roles import can, requires
from app.census.services import current_campaign
from app.codes import CIRCLE_LAYER, CONTACT_KIND, INCOME_CHANGE, N_
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.files.tables import Field, send, text_cell
from app.geo.models import Area
from app.households.scope import get_household_or_404, scope_of, scoped_villages
from app.money import format_yuan, yuan
from app.refusals import describe, refused_page
from app.typed import whole_number
from app.visits import duties, queries, services
from app.visits.models import DutyRule

bp = Blueprint("visits", __name__, url_prefix="/visits")

GROUPINGS = {"township": N_("乡镇"), "village": N_("村"), "cadre": N_("帮扶责任人")}


def form_date(name: str) -> dt.date:
    text = request.form.get(name, "").strip()
    try:
        return dt.date.fromisoformat(text) if text else clock.today()
    except ValueError:
        raise InvalidInput(name, _("日期格式应为 年-月-日，如 2026-07-15。")) from None


def _refused(error: DomainError, page):
    if error.status == 422:
        flash(describe(error), "error")
    return refused_page(error, lambda status, error: page(status=status))


@bp.route("/")
@requires("see_dashboards")
def overdue():
    """逾期走访: per township, village and cadre, most overdue first."""
    today = clock.today()
    rows = queries.household_duties(current_user, today)
    counties = [area for area in current_user.areas if area.level == "county"]
    return render_template("visits/overdue.html", today=today, groupings=GROUPINGS,
                           lines={by: queries.overdue_by(rows, by) for by in GROUPINGS},
                           counties=[(county, queries.rule_set_code(county.id), queries.own_rules(county.id))
                                     for county in counties],
                           rule_sets=duties.SHIPPED, villages=scoped_villages(current_user))


@bp.route("/layers", methods=["POST"])
@requires("assess_layers")
def assess_village():
    """This year's layers of a village's households from the live suggestion, where none is stored."""
    village_id = request.form.get("village", type=whole_number)
    if village_id not in {village.id for village in scoped_villages(current_user)}:
        flash(_("请选择村。"), "error")
        return redirect(url_for("visits.overdue"))
    today, campaign = clock.today(), current_campaign()
    households = queries.layered_households(current_user, village_id)
    count = services.assess_village(current_user, households, {
        household.id: queries.layer_suggestion(household, campaign) for household in households}, today.year, today)
    flash(_("已按系统建议评定 %(count)s 户的圈层；没有建议的户请逐户评定。", count=count), "success")
    return redirect(url_for("visits.overdue"))


@bp.route("/rules", methods=["POST"])
@requires("administer")
def choose_rules():
    county = db.session.get(Area, request.form.get("county", type=whole_number) or 0)
    try:
        if county is None:
            raise InvalidInput("county", _("请选择县。"))
        services.choose_rule_set(current_user, county, request.form.get("rule_set", ""))
    except DomainError as error:
        flash(describe(error), "error")
        return redirect(url_for("visits.overdue"))
    flash(_("已更换走访规则。"), "success")
    return redirect(url_for("visits.overdue"))


@bp.route("/rules/<int:rule_id>", methods=["POST"])
@requires("administer")
def edit_rule(rule_id: int):
    rule = db.session.get(DutyRule, rule_id)
    if rule is None:
        abort(404)
    try:
        services.edit_rule(current_user, rule, request.form.get("period"),
                           request.form.get("count", type=whole_number))
    except DomainError as error:
        flash(describe(error), "error")
        return redirect(url_for("visits.overdue"))
    flash(_("已修改走访规则。"), "success")
    return redirect(url_for("visits.overdue"))


def _cadre_choices(household) -> list[User]:
    """Active users whose areas cover the household (who could answer for it)."""
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name)).all()
    return [user for user in users if scope_of(user).covers(household.village_id, household.group_id)]


@bp.route("/households/<int:household_id>")
@requires("view_households")
def household(household_id: int, status: int = 200):
    found = get_household_or_404(current_user, household_id)
    today = clock.today()
    row = next(iter(queries.household_duties(current_user, today, household_id=found.id)), None)
    return render_template(
        "visits/household.html", household=found, cadre=queries.cadre_of(found.id), row=row,
        layers=queries.layers_of(found.id), history=queries.layer_history(found.id), visits=queries.visits_of(found.id),
        suggestion=queries.layer_suggestion(found, current_campaign()), layer_choices=CIRCLE_LAYER.choices(),
        cadres=_cadre_choices(found) if can(current_user, "administer") else [], today=today,
        form=request.form, format_yuan=format_yuan, CONTACT_KIND=CONTACT_KIND, INCOME_CHANGE=INCOME_CHANGE,
        duty_text=queries.duty_text,
    ), status


@bp.route("/households/<int:household_id>/cadre", methods=["POST"])
@requires("administer")
def assign(household_id: int):
    found = get_household_or_404(current_user, household_id)
    cadre = db.session.get(User, request.form.get("cadre", type=whole_number) or 0)
    try:
        if cadre is None:
            raise InvalidInput("cadre", _("请选择帮扶责任人。"))
        services.assign_cadre(current_user, found, cadre, form_date("since"))
    except DomainError as error:
        return _refused(error, lambda status: household(household_id, status))
    flash(_("已指定帮扶责任人。"), "success")
    return redirect(url_for("visits.household", household_id=household_id))


@bp.route("/households/<int:household_id>/layer", methods=["POST"])
@requires("assess_layers")
def assess(household_id: int):
    found = get_household_or_404(current_user, household_id)
    today = clock.today()
    try:
        services.assess_layer(current_user, found, today.year, request.form.get("layer"), request.form.get("reason"),
                              queries.layer_suggestion(found, current_campaign()), today)
    except DomainError as error:
        return _refused(error, lambda status: household(household_id, status))
    flash(_("已评定圈层。"), "success")
    return redirect(url_for("visits.household", household_id=household_id))


def _visit_fields() -> list[Field]:
    return [
        Field("household_number", N_("户编号"), text_cell),
        Field("visit_date", N_("走访日期"), lambda value: value.isoformat()),
        Field("kind", N_("走访方式"), CONTACT_KIND.label, labels=True),
        Field("cadre_name", N_("帮扶责任人"), text_cell),
        Field("met", N_("见到的人"), text_cell),
        Field("member_changes", N_("家庭成员变化"), text_cell),
        Field("income_change", N_("收入变化"), INCOME_CHANGE.label, labels=True),
        Field("per_capita_income_fen", N_("人均纯收入（元）"), yuan),
        Field("problems", N_("反映的问题"), text_cell),
        Field("assistance", N_("帮扶措施落实情况"), text_cell),
        Field("risk_found", N_("发现风险"), lambda value: _("是") if value else _("否"), labels=True),
        Field("risk_note", N_("风险情况"), text_cell),
    ]


@bp.route("/visits.<any(csv, xlsx):file_format>")
@requires("export")
def export(file_format: str):
    """走访记录 of the user's areas, streamed (app.files.tables neutralises formula-like text)."""
    return send(_visit_fields(), queries.visit_rows(current_user), "visits", file_format, N_("走访记录"))
