"""The recount of village figures as a background job (app.jobs): every stale village of the
current campaign is counted again and stored, a few villages per commit, then every stale
monthly figure (app.figures.monthly: the ranking's overdue visits), with the villages done of
villages as its progress. Changes that arrive while it runs are counted by a further
round; one the last round missed is counted by the next job a page or a write asks for."""
from __future__ import annotations

from app.census.services import current_campaign
from app.codes import N_
from app.figures import monthly
from app.figures.store import RECOUNT_JOB, refill_stale, stale_villages
from app.jobs import services as jobs

VILLAGES_PER_COMMIT = 20
MAX_ROUNDS = 5


def run_recount(job, progress: jobs.Progress) -> None:
    campaign = current_campaign()
    done = 0
    for _round in range(MAX_ROUNDS):
        versions, lines = stale_villages(campaign) if campaign is not None else ({}, {})
        months = monthly.stale_months()
        if not versions and not months:
            return
        progress.total(done + len(versions) + sum(len(villages) for villages in months.values()))
        done = _in_chunks(versions, lambda chunk, lines=lines: refill_stale(
            campaign, chunk, {village: lines[village] for village in chunk}), progress, done)
        for (code, month), month_versions in months.items():
            done = _in_chunks(month_versions, lambda chunk, code=code, month=month: monthly.refill(code, month, chunk),
                              progress, done)


def _in_chunks(versions: dict[int, int], count, progress: jobs.Progress, done: int) -> int:
    """Count these villages (id → version) a few per commit; the villages done after them."""
    villages = sorted(versions)
    for start in range(0, len(villages), VILLAGES_PER_COMMIT):
        chunk = villages[start:start + VILLAGES_PER_COMMIT]
        count({village: versions[village] for village in chunk})
        done += len(chunk)
        progress.done(done)
    return done


jobs.register(RECOUNT_JOB, N_("重新统计村级数据"), run_recount)
