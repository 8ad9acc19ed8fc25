"""The county's page for responsible cadres 帮扶责任人: all monitored and out-of-poverty
households of a village to one cadre, or each household to its cadre from a file (XLSX or CSV,
read by app.files.sheets) with a household-number column and a user-name column. A file is
applied whole or not at all (app.visits.services.assign_rows)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.auth.roles import requires
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.files.sheets import SheetError, read_upload
from app.households.scope import scoped_villages
from app.refusals import describe
from app.typed import whole_number
from app.visits import services
from app.visits.views import form_date

bp = Blueprint("cadres", __name__, url_prefix="/admin/cadres")

# Header spellings accepted for the two columns (the first is what the page tells people to use).
HOUSEHOLD_HEADERS = ("户编号", "household_number")
CADRE_HEADERS = ("帮扶责任人用户名", "cadre_username")


def _column(headers: list[str], names: tuple[str, ...]) -> int | None:
    cleaned = [(header or "").strip() for header in headers]
    return next((cleaned.index(name) for name in names if name in cleaned), None)


@bp.route("/")
@requires("administer")
def index(status: int = 200, problems=()):
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name)).all()
    return render_template("admin/cadres.html", villages=scoped_villages(current_user), users=users,
                           today=clock.today(), problems=problems, headers=(HOUSEHOLD_HEADERS[0], CADRE_HEADERS[0])), \
        status


@bp.route("/village", methods=["POST"])
@requires("administer")
def assign_village():
    """All monitored and out-of-poverty households of a village to one cadre."""
    village_id = request.form.get("village", type=whole_number)
    cadre = db.session.get(User, request.form.get("cadre", type=whole_number) or 0)
    try:
        if village_id not in {village.id for village in scoped_villages(current_user)}:
            raise InvalidInput("village", _("请选择村。"))
        if cadre is None:
            raise InvalidInput("cadre", _("请选择帮扶责任人。"))
        changed = services.assign_village(current_user, village_id, cadre, form_date("since"))
    except DomainError as error:
        db.session.rollback()
        flash(describe(error), "error")
        return index(status=error.status)
    flash(_("已为 %(count)s 户指定帮扶责任人。", count=changed), "success")
    return redirect(url_for("cadres.index"))


@bp.route("/upload", methods=["POST"])
@requires("administer")
def upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("请选择文件。"), "error")
        return index(status=422)
    try:
        sheet = read_upload(upload.stream, upload.filename)
    except SheetError as error:
        flash(_(error.message, **error.params), "error")
        return index(status=422)
    number_at, cadre_at = _column(sheet.headers, HOUSEHOLD_HEADERS), _column(sheet.headers, CADRE_HEADERS)
    if number_at is None or cadre_at is None:
        flash(_("文件须有“%(household)s”和“%(cadre)s”两列。", household=HOUSEHOLD_HEADERS[0],
                cadre=CADRE_HEADERS[0]), "error")
        return index(status=422)
    rows = [(number, cells[number_at] if number_at < len(cells) else None,
             cells[cadre_at] if cadre_at < len(cells) else None) for number, cells in sheet.rows]
    changed, problems = services.assign_rows(current_user, rows, clock.today())
    if problems:
        flash(_("文件有 %(count)s 处问题，未做任何更改。", count=len(problems)), "error")
        return index(status=422, problems=problems)
    flash(_("已为 %(count)s 户指定帮扶责任人。", count=changed), "success")
    return redirect(url_for("cadres.index"))
