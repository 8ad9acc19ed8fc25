"""The recount of village figures as a background job (app.jobs): every stale village of the
current campaign is counted again and stored, a few villages per commit, with the villages
done of villages as its progress. Changes that arrive while it runs are counted by a further
round; one the last round missed is counted by the next job a page or a write asks for."""
from __future__ import annotations

from app.census.services import current_campaign
from app.codes import N_
from app.figures.store import RECOUNT_JOB, refill_stale, stale_villages
from app.jobs import services as jobs

VILLAGES_PER_COMMIT = 20
MAX_ROUNDS = 5


def run_recount(job, progress: jobs.Progress) -> None:
    campaign = current_campaign()
    if campaign is None:
        return
    done = 0
    for _round in range(MAX_ROUNDS):
        versions, lines = stale_villages(campaign)
        if not versions:
            return
        progress.total(done + len(versions))
        villages = sorted(versions)
        for start in range(0, len(villages), VILLAGES_PER_COMMIT):
            chunk = villages[start:start + VILLAGES_PER_COMMIT]
            refill_stale(campaign, {village: versions[village] for village in chunk},
                         {village: lines[village] for village in chunk})
            done += len(chunk)
            progress.done(done)


jobs.register(RECOUNT_JOB, N_("重新统计村级数据"), run_recount)
