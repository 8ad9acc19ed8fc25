"""Export pages: the list of exports and the files themselves, each over the user's areas
(app.households.scope) in the current campaign. Both CSV and XLSX are streamed as they are
written (app.files.tables)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from app.auth.roles import requires
from app.census.services import current_campaign
from app.codes import N_
from app.files.tables import send
from app.households.scope import scoped_villages
from app.records import display
from app.reports import exports

bp = Blueprint("exports", __name__, url_prefix="/reports/exports")


def _campaign():
    return current_campaign() or abort(404)


@bp.route("")
@requires("export")
def index():
    return render_template("reports/exports.html", campaign=current_campaign(),
                           villages=scoped_villages(current_user))


@bp.route("/households.<any(csv, xlsx):file_format>")
@requires("export")
def households(file_format: str):
    campaign = _campaign()
    return send(exports.HOUSEHOLD_FIELDS, exports.household_rows(current_user, campaign),
                f"households-{campaign.year}", file_format, N_("农户"))


@bp.route("/members.<any(csv, xlsx):file_format>")
@requires("export")
def members(file_format: str):
    return send(exports.MEMBER_FIELDS, exports.member_rows(current_user), "members", file_format, N_("家庭成员"))


@bp.route("/register.<any(csv, xlsx):file_format>")
@requires("view_monitoring")
def register(file_format: str):
    return send(exports.REGISTER_FIELDS, exports.register_rows(current_user), "register", file_format,
                N_("监测对象名册"))


@bp.route("/answers.<any(csv, xlsx):file_format>")
@requires("export")
def answers(file_format: str):
    """The survey's answers, one row per recorded household: for re-checking income in Excel."""
    campaign = _campaign()
    return send(exports.answer_fields(display.definition_of(campaign.form_version)),
                exports.answer_rows(current_user, campaign), f"answers-{campaign.year}", file_format, N_("调查内容"))
