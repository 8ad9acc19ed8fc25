"""Export pages: the list of exports and the files themselves, each over the user's areas
(app.auth.scope) in the current campaign. Both CSV and XLSX are streamed as they are
written (app.reports.exports)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_login import current_user

from app.auth.roles import requires
from app.auth.scope import scoped_villages
from app.census.services import current_campaign
from app.codes import N_
from app.reports import exports

bp = Blueprint("exports", __name__, url_prefix="/reports/exports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_LANGUAGES = {"zh": "zh_Hans", "en": "en"}


def _language() -> str:
    """Chinese headers (the national system's) unless ``?headers=en``."""
    return HEADER_LANGUAGES.get(request.args.get("headers", "zh")) or abort(404)


def send(fields: list[exports.Field], rows, name: str, file_format: str, sheet: str) -> Response:
    """The rows as a streamed CSV or XLSX attachment named ``name``."""
    language = _language()
    if file_format == "csv":
        chunks, mimetype = exports.csv_chunks(fields, rows, language), "text/csv; charset=utf-8"
    else:
        chunks, mimetype = exports.xlsx_chunks(fields, rows, language, sheet), XLSX
    return Response(stream_with_context(chunks), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={name}.{file_format}"})


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
