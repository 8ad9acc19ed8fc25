"""The exports as a background job (app.jobs): the worker writes the file with the same
fields and writers as the streamed download, over the asking user's areas, counting rows as
they go; the job page offers it for ``EXPORT_KEEP_DAYS`` days."""
from __future__ import annotations

from flask_babel import gettext

from app.auth.models import User
from app.campaigns.models import Campaign
from app.codes import N_
from app.extensions import db
from app.files.tables import HEADER_LANGUAGES, csv_chunks, xlsx_chunks
from app.jobs import services as jobs
from app.reports.exports import EXPORTS

EXPORT_JOB = "export"
NO_CAMPAIGN = N_("该普查批次已不存在，无法导出。")


def export_params(name: str, file_format: str, headers: str, campaign: Campaign | None) -> dict:
    export = EXPORTS[name]
    return {"export": name, "format": file_format, "headers": headers,
            "campaign": campaign.id if export.per_campaign else None}


def run_export(job, progress: jobs.Progress) -> str:
    params = job.params
    export = EXPORTS[params["export"]]
    user = db.session.get(User, job.owner_id)
    campaign = db.session.get(Campaign, params["campaign"]) if params["campaign"] else None
    if export.per_campaign and campaign is None:
        raise jobs.JobFailed(NO_CAMPAIGN)
    progress.total(export.count(user, campaign))
    rows = progress.count(export.rows(user, campaign))
    language, fields = HEADER_LANGUAGES[params["headers"]], export.fields(campaign)
    chunks = (csv_chunks(fields, rows, language) if params["format"] == "csv"
              else xlsx_chunks(fields, rows, language, export.label))
    return jobs.write_file(job, f"{export.file_name(campaign)}.{params['format']}", chunks)


def describe(params: dict) -> str:
    headers = gettext("中文表头") if params["headers"] == "zh" else gettext("英文表头")
    return f"{gettext(EXPORTS[params['export']].label)} · {params['format'].upper()} · {headers}"


jobs.register(EXPORT_JOB, N_("数据导出"), run_export, right="export", describe=describe)
