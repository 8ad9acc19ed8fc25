"""A job's page (progress bar, polled by static/js/job-progress.js), its JSON status, the
user's jobs ("my background jobs") and the download. Each job is its owner's only: anyone else's
answers 404, like a record outside one's areas."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, send_file
from flask_babel import gettext
from flask_login import current_user, login_required

from app.extensions import db
from app.jobs import services
from app.jobs.models import Job
from app.jobs.workflow import DONE, FAILED, STATE_LABELS, UNFINISHED

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _own_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    return job if services.may_see(current_user, job) else abort(404)


@bp.route("")
@login_required
def mine():
    return render_template("jobs/mine.html", jobs=services.owners_jobs(current_user), view=_view)


@bp.route("/<int:job_id>")
@login_required
def show(job_id: int):
    return render_template("jobs/show.html", job=_view(_own_job(job_id)))


@bp.route("/<int:job_id>/status")
@login_required
def status(job_id: int):
    view = _view(_own_job(job_id))
    return jsonify({key: view[key] for key in ("state", "state_label", "rows_done", "rows_total", "progress_text",
                                               "finished")})


@bp.route("/<int:job_id>/download")
@login_required
def download(job_id: int):
    job = _own_job(job_id)
    if job.state != DONE or services.is_expired(job):
        return render_template("jobs/show.html", job=_view(job)), 410 if services.is_expired(job) else 409
    return send_file(services.jobs_dir() / job.result_path, as_attachment=True,
                     download_name=services.download_name(job), max_age=0)


def _view(job: Job) -> dict:
    """What the pages and the status JSON show of a job, in the reader's language."""
    kind = services.KINDS[job.kind]
    expired = services.is_expired(job)
    state = "expired" if expired else job.state
    if job.rows_total is None:
        progress = gettext("已处理 %(done)s 行", done=job.rows_done)
    else:
        progress = gettext("已处理 %(done)s / %(total)s 行", done=job.rows_done, total=job.rows_total)
    return {"job": job, "id": job.id, "label": gettext(kind.label), "description": kind.describe(job.params),
            "state": state, "state_label": gettext(STATE_LABELS[state]), "rows_done": job.rows_done,
            "rows_total": job.rows_total, "progress_text": progress, "finished": job.state not in UNFINISHED,
            "downloadable": job.state == DONE and not expired and bool(job.result_path),
            "error": gettext(job.error) if job.state == FAILED and job.error else None,
            "outcome_template": kind.outcome_template if job.outcome is not None else None,
            "outcome": kind.read_outcome(job.outcome) if job.outcome is not None else None}
