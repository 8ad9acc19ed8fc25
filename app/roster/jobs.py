"""The browser's roster import as a background job (app.jobs): after its dry run on the page,
the checked rows kept for the worker (files.kept) are checked again against the database as it
is now and written all or nothing, rows checked of rows as the progress; the kept rows are
removed once the job has run. The command line imports in its own process, without a job."""
from __future__ import annotations

import dataclasses

from app.auth.models import User
from app.codes import N_
from app.extensions import db
from app.files.cells import Problem
from app.jobs import services as jobs
from app.roster import services
from app.roster.plan import Counts, Plan

IMPORT_JOB = "roster_import"
UPLOAD_KIND = "roster"
CHANGED = N_("检查之后数据库中的数据有了变化，没有导入任何数据。请重新上传文件检查。")


def run_import(job, progress: jobs.Progress) -> dict:
    with jobs.kept_upload(UPLOAD_KIND, job) as sheet:
        progress.total(len(sheet.rows))
        try:
            plan, imported = services.import_roster(sheet, db.session.get(User, job.owner_id), progress.count)
        except services.RosterConflict:
            raise jobs.JobFailed(CHANGED) from None
    if not imported:
        raise jobs.JobFailed(jobs.NOTHING_IMPORTED, outcome(plan))
    return outcome(plan)


def outcome(plan: Plan) -> dict:
    """A plan's counts and problems as the job keeps them (``read_outcome`` reads them back)."""
    return {"counts": dataclasses.asdict(plan.counts), "problems": [problem.as_dict() for problem in plan.problems],
            "ignored_columns": plan.ignored_columns}


def read_outcome(stored: dict) -> Plan:
    return Plan(Counts(**stored["counts"]), [Problem.from_dict(problem) for problem in stored["problems"]],
                stored["ignored_columns"])


jobs.register(IMPORT_JOB, N_("导入花名册"), run_import, right="administer",
              outcome_template="roster/_job_outcome.html", read_outcome=read_outcome)
