"""Roster import in the browser (county admin): upload → check (dry run) → import, as a
background job whose page shows its progress and then what was imported (roster/jobs.py)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.roles import requires
from app.files import kept, sheets
from app.jobs import services as jobs
from app.roster import columns, services
from app.roster.forms import ImportForm, UploadForm
from app.roster.jobs import IMPORT_JOB, UPLOAD_KIND

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
            import_form = ImportForm(upload=kept.keep(UPLOAD_KIND, sheet, current_user.id)) if plan.ok else None
            return render_template("roster/report.html", plan=plan, import_form=import_form)
    return render_template("roster/upload.html", form=form, columns=columns.COLUMNS)


@bp.route("/import", methods=["POST"])
@requires("administer")
def apply():
    form = ImportForm()
    token = form.upload.data if form.validate_on_submit() else None
    if not kept.exists(UPLOAD_KIND, current_user.id, token):
        flash(_(jobs.UPLOAD_GONE), "error")
        return redirect(url_for("roster.upload"))
    job = jobs.ask(IMPORT_JOB, current_user, {"upload": token})
    return redirect(url_for("jobs.show", job_id=job.id), 303)
