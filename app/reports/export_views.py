"""Export pages: the list of exports, asking for one as a background job (app.jobs: the job's
page follows it, "my background jobs" keeps it for download), and the files streamed at once for a
script or a bare client. Each is over the user's areas (app.households.scope), in the current
campaign where the export is per campaign (app.reports.exports.EXPORTS)."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.roles import can, requires
from app.census.services import current_campaign
from app.files.tables import HEADER_LANGUAGES, send
from app.households.scope import scoped_villages
from app.jobs import services as jobs
from app.reports import exports
from app.reports.jobs import EXPORT_JOB, export_params

bp = Blueprint("exports", __name__, url_prefix="/reports/exports")
FORMATS = ("xlsx", "csv")


@bp.route("")
@requires("export")
def index():
    return render_template("reports/exports.html", campaign=current_campaign(), villages=scoped_villages(current_user),
                           formats=FORMATS)


def _export(name: str) -> tuple[exports.Export, object]:
    """The export and its campaign; 403 without its right, 404 for a per-campaign one without a campaign."""
    export = exports.EXPORTS[name]
    if not can(current_user, export.right):
        abort(403)
    campaign = current_campaign()
    if export.per_campaign and campaign is None:
        abort(404)
    return export, campaign


@bp.route("/<any(households, members, register, answers):name>", methods=["POST"])
@requires("export")
def prepare(name: str):
    """Ask for the export as a job (the same one already under way, if any) and show its page."""
    export, campaign = _export(name)
    file_format, headers = request.form.get("format", "xlsx"), request.form.get("headers", "zh")
    if file_format not in FORMATS or headers not in HEADER_LANGUAGES:
        abort(400)
    job = jobs.ask(EXPORT_JOB, current_user, export_params(name, file_format, headers, campaign))
    return redirect(url_for("jobs.show", job_id=job.id), 303)


def _send(name: str, file_format: str):
    export, campaign = _export(name)
    return send(export.fields(campaign), export.rows(current_user, campaign),
                export.file_name(campaign), file_format, export.label)


@bp.route("/households.<any(csv, xlsx):file_format>")
@requires("export")
def households(file_format: str):
    return _send("households", file_format)


@bp.route("/members.<any(csv, xlsx):file_format>")
@requires("export")
def members(file_format: str):
    return _send("members", file_format)


@bp.route("/register.<any(csv, xlsx):file_format>")
@requires("view_monitoring")
def register(file_format: str):
    return _send("register", file_format)


@bp.route("/answers.<any(csv, xlsx):file_format>")
@requires("export")
def answers(file_format: str):
    """The survey's answers, one row per recorded household: for re-checking income in Excel."""
    return _send("answers", file_format)
