"""The county's draw of a sample audit round as a background job (app.jobs): what it is asked
with is checked on the page first; the worker reads the population, draws and writes the
samples (samples written of samples as its progress); the job's page then links to the round.
The same draw (county, population, period, size, seed) is never run twice at once."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _

from app.audits import services
from app.audits.models import AuditRound
from app.auth.models import User
from app.codes import AUDIT_POPULATION, N_
from app.errors import DomainError
from app.extensions import db
from app.geo.models import Area
from app.jobs import services as jobs

DRAW_JOB = "audit_draw"
NOT_YOUR_COUNTY = N_("您的负责区域已不包括这个县，没有抽样。")


def draw_params(county: Area, population: str, start: dt.date, end: dt.date, share: Decimal | None,
                count: int | None, seed: int) -> dict:
    return {"county": county.id, "population": population, "start": start.isoformat(), "end": end.isoformat(),
            "share": None if share is None else str(share), "count": count, "seed": seed}


def run_draw(job, progress: jobs.Progress) -> dict:
    params = job.params
    user = db.session.get(User, job.owner_id)
    county = db.session.get(Area, params["county"])
    if county is None or county not in user.areas:
        raise jobs.JobFailed(NOT_YOUR_COUNTY)

    def counted(sample):
        progress.total(len(sample))
        return progress.count(sample)

    try:
        audit_round = services.draw_round(
            user, county, params["population"], dt.date.fromisoformat(params["start"]),
            dt.date.fromisoformat(params["end"]), share=None if params["share"] is None else Decimal(params["share"]),
            count=params["count"], seed=params["seed"], counted=counted)
    except DomainError as error:  # e.g. no household in the period
        raise jobs.JobFailed(error.message) from None
    return {"round": audit_round.id}


def read_outcome(stored: dict) -> dict:
    audit_round = db.session.get(AuditRound, stored["round"])
    return {"round": audit_round, "report": services.round_report(audit_round) if audit_round else None}


def describe(params: dict) -> str:
    size = (_("抽样比例 %(share)s", share=params["share"]) if params["share"] is not None
            else _("抽样户数 %(count)s", count=params["count"]))
    return " · ".join([AUDIT_POPULATION.label(params["population"]), f"{params['start']} – {params['end']}", size,
                       _("随机种子 %(seed)s", seed=params["seed"])])


jobs.register(DRAW_JOB, N_("抽取审核样本"), run_draw, right="administer", describe=describe,
              outcome_template="audits/_job_outcome.html", read_outcome=read_outcome)
