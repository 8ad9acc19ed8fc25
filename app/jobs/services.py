"""The only writers of jobs: asking for one, the worker's run of it (claim, progress, finish or
fail), and the sweep that expires finished downloads.

A kind of job is registered by the package whose work it is (``register``: reports' exports,
figures' recount, the roster and warning-list imports, the audit draw), so this package never
imports them. The run function gets the job and a ``Progress`` and returns the name of the file
it wrote under ``JOBS_DIR``, or what it found (a dict, kept as the job's ``outcome`` for its
page), or None.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.auth.roles import can
from app.codes import N_
from app.extensions import db, on_primary
from app.files import kept
from app.files.sheets import Sheet
from app.jobs.models import Job
from app.jobs.workflow import DONE, QUEUED, RUNNING, from_states, next_state

log = logging.getLogger(__name__)

EXTENSION = "ruhu.jobs"  # the app's Queue (app.jobs.queue.make)

PROGRESS_EVERY_ROWS = 500  # a progress write at most this often, and at least every second
PROGRESS_EVERY_SECONDS = 1.0
UNEXPECTED = N_("作业意外中断。请重新发起；若仍失败，请联系管理员。")
NOT_QUEUED = N_("作业无法加入队列，请稍后再试。")
ABANDONED = N_("作业运行时中断（服务器可能已重启），请重新发起。")


class JobFailed(Exception):
    """A job that cannot be done, with the reason as a message id (shown in the reader's
    language) and what it found on the way (an import's bad rows) for its page."""

    def __init__(self, message: str, outcome: dict | None = None):
        super().__init__(message)
        self.message = message
        self.outcome = outcome


UPLOAD_GONE = N_("找不到要导入的文件（可能已经导入或已过期），请重新上传。")
NOTHING_IMPORTED = N_("文件中有问题，没有导入任何数据。请改正文件后重新上传。")


@contextmanager
def kept_upload(kind: str, job: Job) -> Iterator[Sheet]:
    """The table kept for an import job (``params["upload"]``, app.files.kept), removed once
    the job is done with it, whatever happened; gone already, the job fails saying so."""
    token = job.params["upload"]
    try:
        sheet = kept.load(kind, job.owner_id, token)
        if sheet is None:
            raise JobFailed(UPLOAD_GONE)
        yield sheet
    finally:
        kept.remove(kind, job.owner_id, token)


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # message id
    run: Callable[[Job, Progress], str | dict | None]  # a file name, or an outcome for the page
    right: str | None = None  # the role right its owner needs to see it (None: owner only)
    describe: Callable[[dict], str] = lambda params: ""  # what was asked, in the reader's language
    outcome_template: str | None = None  # shows the job's outcome on its page
    read_outcome: Callable[[dict], object] = lambda outcome: outcome  # the stored outcome as that template reads it


KINDS: dict[str, Kind] = {}


@dataclass(frozen=True)
class Queue:
    huey: object  # huey.Huey
    run_job: Callable[[int], object]  # the Huey task: enqueues (runs at once in immediate mode)


def queue_of(app=None) -> Queue:
    return (app or current_app).extensions[EXTENSION]


def register(name: str, label: str, run: Callable, *, right: str | None = None,
             describe: Callable[[dict], str] | None = None, outcome_template: str | None = None,
             read_outcome: Callable[[dict], object] | None = None) -> None:
    KINDS[name] = Kind(name, label, run, right, describe or Kind.describe, outcome_template,
                       read_outcome or Kind.read_outcome)


def owners_jobs(user, limit: int = 50) -> list[Job]:
    """A user's jobs, newest first, of kinds they may still see, asked while covering the areas they cover now."""
    jobs = db.session.scalars(select(Job).where(Job.owner_id == user.id, Job.scope == scope_of(user))
                              .order_by(Job.id.desc()).limit(limit)).all()
    return [job for job in jobs if may_see(user, job)]


def may_see(user, job: Job | None) -> bool:
    """Only its owner, while they cover the same areas and keep the right its kind needs."""
    if job is None or job.owner_id != user.id or job.scope != scope_of(user) or job.kind not in KINDS:
        return False
    right = KINDS[job.kind].right
    return right is None or can(user, right)


def jobs_dir() -> Path:
    path = Path(current_app.config["JOBS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def scope_of(user) -> str:
    """The areas a user covers, as stored with their job (a job is theirs only while they still cover these)."""
    return ",".join(str(area_id) for area_id in sorted(area.id for area in user.areas)) if user else ""


def _key(kind: str, owner_id: int | None, scope: str, params: dict) -> str:
    return hashlib.sha256(json.dumps([kind, owner_id, scope, params], sort_keys=True).encode()).hexdigest()


def ask(kind: str, owner, params: dict, *, same: tuple[str, ...] | None = None) -> Job:
    """The job doing ``kind`` with ``params`` for ``owner`` (None: the system): the one already
    queued or running for the same thing, else a new one, committed and handed to the queue.
    ``same`` names the params that say what the thing is (default: all of them), e.g. a
    warning list's department and file hash but not the name its upload is kept under."""
    if kind not in KINDS:
        raise KeyError(kind)
    scope = scope_of(owner)
    key = _key(kind, owner.id if owner else None, scope,
               params if same is None else {name: params[name] for name in same})
    # A page reading the read-only engine asks too (the recount): a job's state is the primary's.
    with on_primary(db.session):
        return _ask(kind, owner, scope, key, params)


def _ask(kind: str, owner, scope, key: str, params: dict) -> Job:
    for _attempt in range(3):  # the job found may finish between the look-up and the insert
        # Looked up first: asked often (the recount after every write), it is usually on its way.
        running = db.session.scalar(select(Job).where(Job.active_key == key))
        if running is not None:
            if not _abandoned(running):
                return running
            _end(running.id, "fail", error=ABANDONED)
        job = Job(kind=kind, owner_id=owner.id if owner else None, scope=scope, params=params, state=QUEUED,
                  active_key=key, rows_done=0)
        db.session.add(job)
        try:
            db.session.commit()
        except IntegrityError:  # asked at the same moment by another request: look again
            db.session.rollback()
            continue
        job_id = job.id
        try:
            queue_of().run_job(job_id)
        except Exception:  # e.g. Redis down: say so on the job's page, free the key
            log.exception("Job %s could not be queued", job_id)
            db.session.rollback()
            _end(job_id, "fail", error=NOT_QUEUED)
        db.session.expire_all()  # the worker (or immediate mode) changed it in its own session
        return db.session.get(Job, job_id)
    raise RuntimeError("the same job kept finishing while asked for")


def _abandoned(job: Job) -> bool:
    """Running for longer than any job takes (``JOBS_RUNNING_LIMIT_MINUTES``): its worker died
    (a restart, a crash), and no queue hands it out again."""
    if job.state != RUNNING or job.started_at is None:
        return False
    limit = dt.timedelta(minutes=current_app.config["JOBS_RUNNING_LIMIT_MINUTES"])
    started = job.started_at if job.started_at.tzinfo else job.started_at.replace(tzinfo=dt.UTC)
    return clock.now() - started > limit


# The worker's side ------------------------------------------------------------------------------------------------

def run(job_id: int) -> None:
    """Run a queued job once: claim it (a job already claimed, by this or another worker, is
    left alone: never twice at once), run its kind, then finish or fail it."""
    claimed = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state.in_(from_states("start")))
        .values(state=next_state(QUEUED, "start"), started_at=clock.now())).rowcount
    db.session.commit()
    if not claimed:
        return
    job = db.session.get(Job, job_id)
    try:
        result = KINDS[job.kind].run(job, Progress(job_id))
    except JobFailed as failure:
        db.session.rollback()
        _end(job_id, "fail", error=failure.message, outcome=failure.outcome)
    except Exception:
        db.session.rollback()
        log.exception("Job %s (%s) failed", job_id, job.kind)
        _end(job_id, "fail", error=UNEXPECTED)
    else:
        db.session.rollback()  # whatever the run read (an export's cursor) ends here
        if isinstance(result, dict):
            _end(job_id, "finish", outcome=result)
        else:
            _end(job_id, "finish", result=result)


def _end(job_id: int, step: str, *, error: str | None = None, result: str | None = None,
         outcome: dict | None = None) -> None:
    job = db.session.get(Job, job_id)
    job.state = next_state(job.state, step)
    job.active_key = None
    job.finished_at = clock.now()
    job.error = error
    job.outcome = outcome
    if result:
        job.result_path = result
        job.expires_at = job.finished_at + dt.timedelta(days=current_app.config["EXPORT_KEEP_DAYS"])
    db.session.commit()


class Progress:
    """Rows done of rows, written on a connection of its own so that the job's own reading
    (a server-side cursor in its transaction) goes on undisturbed."""

    def __init__(self, job_id: int):
        self.job_id = job_id

    def _write(self, **values) -> None:
        with db.engine.begin() as connection:
            connection.execute(update(Job.__table__).where(Job.__table__.c.id == self.job_id).values(**values))

    def total(self, rows_total: int) -> None:
        self._write(rows_total=rows_total)

    def done(self, rows_done: int) -> None:
        self._write(rows_done=rows_done)

    def count(self, rows: Iterable) -> Iterator:
        """``rows``, passed through, with rows done written as they go by and once at the end."""
        done, written, last = 0, 0, time.monotonic()
        for row in rows:
            yield row
            done += 1
            if done - written >= PROGRESS_EVERY_ROWS or time.monotonic() - last >= PROGRESS_EVERY_SECONDS:
                self.done(done)
                written, last = done, time.monotonic()
        self.done(done)


def write_file(job: Job, name: str, chunks: Iterable[str | bytes]) -> str:
    """Write a job's result file from ``chunks``; returns its name under JOBS_DIR. It appears
    under that name only once whole: a failed run leaves nothing behind."""
    final = f"{job.id}-{name}"
    partial = jobs_dir() / f"{final}.part"
    try:
        with partial.open("wb") as file:
            for chunk in chunks:
                file.write(chunk.encode() if isinstance(chunk, str) else chunk)
        partial.replace(jobs_dir() / final)
    finally:
        partial.unlink(missing_ok=True)
    return final


def download_name(job: Job) -> str:
    return job.result_path.split("-", 1)[1]


def is_expired(job: Job) -> bool:
    if job.state != DONE or job.expires_at is None:
        return job.state == "expired"
    expires = job.expires_at if job.expires_at.tzinfo else job.expires_at.replace(tzinfo=dt.UTC)
    return expires <= clock.now()


def expire_finished() -> int:
    """Expire every finished job whose keeping days are over and remove its file; how many."""
    now = clock.now()
    jobs = db.session.scalars(select(Job).where(Job.state == DONE, Job.expires_at <= now)).all()
    for job in jobs:
        if job.result_path:
            (jobs_dir() / job.result_path).unlink(missing_ok=True)
        job.state = next_state(job.state, "expire")
        job.result_path = None
    db.session.commit()
    return len(jobs)

