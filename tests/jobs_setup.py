"""A second app whose jobs wait in a SQLite Huey file (not immediate mode), and a real Huey
consumer run until a job has finished: for tests of what a page shows while a job waits, and
of a queue that outlives its server."""
from __future__ import annotations

import gc
import time

import pytest
from sqlalchemy import select
from sqlalchemy.pool import NullPool

from app import create_app
from app.extensions import db
from app.jobs.models import Job
from app.jobs.services import queue_of


@pytest.fixture
def queued_app(app, database_url, tmp_path):
    """Makes apps on the test database sharing one queue file (call it again: a restarted server)."""
    def make(**config):
        queued = create_app({**{key: app.config[key] for key in ("TESTING", "SECRET_KEY", "PASSWORD_HASH_METHOD")},
                             "SQLALCHEMY_DATABASE_URI": database_url, "JOBS_IMMEDIATE": False,
                             "JOBS_QUEUE_FILE": str(tmp_path / "queue.sqlite3"), "JOBS_DIR": str(tmp_path / "jobs"),
                             # A connection is closed as it is given back: none outlives the test.
                             "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool}, **config})
        queued.test_client_class = app.test_client_class
        made.append(queued)
        return queued

    made = []
    yield make
    # Whatever of these apps' sessions a reference cycle still holds (a failed job's traceback)
    # is collected now, so its connection is back in the pool that is closed next, not left
    # open on PostgreSQL for a later test to find.
    gc.collect()
    for queued in made:
        with queued.app_context():
            db.engine.dispose()


def run_a_consumer_until(app, job_id: int, timeout: float = 30) -> str:
    """Start a real Huey consumer (worker threads, as `flask jobs worker` runs) on ``app``'s
    queue until the job has finished; its state."""
    consumer = queue_of(app).huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        deadline = time.monotonic() + timeout
        with app.app_context():
            while time.monotonic() < deadline:
                state = db.session.scalar(select(Job.state).where(Job.id == job_id))
                if state in ("done", "failed"):
                    return state
                db.session.rollback()
                time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")
