"""Roster import in the browser (county admin): upload → check (dry run) → import."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.roles import requires
from app.files import sheets
from app.roster import columns, services, storage
from app.roster.forms import ImportForm, UploadForm

bp = Blueprint("roster", __name__, url_prefix="/admin/roster")


@bp.route("/", methods=["GET", "POST"])
@requires("administer")
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        try:
            sheet = sheets.read_upload(form.roster.data.stream, form.roster.data.filename)
        except sheets.SheetError as error:
            form.roster.errors.append(_(error.message, **error.params))
        else:
            plan = services.check(sheet, current_user)
            import_form = ImportForm(upload=storage.keep(sheet, current_user.id)) if plan.ok else None
            return render_template("roster/report.html", plan=plan, imported=False, import_form=import_form)
    return render_template("roster/upload.html", form=form, columns=columns.COLUMNS)


@bp.route("/import", methods=["POST"])
@requires("administer")
def apply():
    form = ImportForm()
    token = form.upload.data if form.validate_on_submit() else None
    sheet = storage.load(current_user.id, token)
    if sheet is None:
        flash(_("找不到要导入的文件（可能已经导入或已过期），请重新上传。"), "error")
        return redirect(url_for("roster.upload"))
    try:
        plan, imported = services.import_roster(sheet, current_user)
    except services.RosterConflict:
        flash(_("检查之后数据库中的数据有了变化，没有导入任何数据。请重新上传文件检查。"), "error")
        return redirect(url_for("roster.upload"))
    finally:
        storage.remove(current_user.id, token)
    return render_template("roster/report.html", plan=plan, imported=imported, import_form=None)
