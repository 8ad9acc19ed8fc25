"""A department's warning list uploaded in the browser, checked, matched and imported as a
background job (app.jobs): the rows read from the upload are kept for the worker (files.kept)
and removed once the job has run; rows checked of rows is its progress; a list with bad rows
fails with each of them on the job's page. The same list (department, file hash, dry run or
not) is never imported twice at once. The command line imports in its own process."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from app.auth.models import User
from app.clues import services
from app.clues.models import Department
from app.codes import N_
from app.errors import DomainError
from app.extensions import db
from app.files.cells import Problem
from app.jobs import services as jobs

IMPORT_JOB = "warning_import"
UPLOAD_KIND = "warnings"
SAME_LIST = ("department", "digest", "dry_run")  # what says two asks are the same import
COUNTS = ("rows_read", "rows_with_errors", "households_matched", "persons_not_found", "rows_already_imported",
          "clues", "file_already_imported")


def run_import(job, progress: jobs.Progress) -> dict:
    params = job.params
    with jobs.kept_upload(UPLOAD_KIND, job) as sheet:
        progress.total(len(sheet.rows))
        try:
            report = services.import_list(db.session.get(User, job.owner_id), sheet, params["department"],
                                          params["file_name"], params["digest"], dry_run=params["dry_run"],
                                          count=progress.count)
        except DomainError as error:  # the department was retired meanwhile
            raise jobs.JobFailed(error.message) from None
    if not report.ok:
        raise jobs.JobFailed(jobs.NOTHING_IMPORTED, outcome(report, params["dry_run"]))
    return outcome(report, params["dry_run"])


def outcome(report: services.Report, dry_run: bool) -> dict:
    return {**{name: getattr(report, name) for name in COUNTS},
            "problems": [problem.as_dict() for problem in report.problems], "dry_run": dry_run,
            "imported": report.warning_list is not None}


def read_outcome(stored: dict) -> dict:
    report = services.Report(**{name: stored[name] for name in COUNTS},
                             problems=[Problem.from_dict(problem) for problem in stored["problems"]])
    return {"report": report, "dry_run": stored["dry_run"], "imported": stored["imported"]}


def describe(params: dict) -> str:
    department = db.session.get(Department, params["department"])
    parts = [department.name(str(get_locale())) if department else params["department"], params["file_name"]]
    if params["dry_run"]:
        parts.append(_("试运行"))
    return " · ".join(parts)


jobs.register(IMPORT_JOB, N_("导入预警名单"), run_import, right="administer", describe=describe,
              outcome_template="clues/_job_outcome.html", read_outcome=read_outcome)
