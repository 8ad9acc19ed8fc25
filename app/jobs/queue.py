"""The task queue (Huey): SQLite storage next to the database by default, Redis when
``REDIS_URL`` is set; immediate mode (``JOBS_IMMEDIATE``, the tests) runs each task as it is
enqueued, through the same task function the worker runs.

One Huey task runs any job by id (``app.jobs.services.run``), so the queue carries only ids
and the job's state lives in the database, where pages read it. A periodic task expires
finished downloads every hour.
"""
from __future__ import annotations

from flask import Flask
from huey import RedisHuey, SqliteHuey, crontab

from app.jobs import services


def make(app: Flask):
    """The app's Huey, with its two tasks bound to run inside an app context of ``app``."""
    if app.config.get("REDIS_URL"):
        huey = RedisHuey("ruhu", url=app.config["REDIS_URL"], immediate=app.config["JOBS_IMMEDIATE"])
    else:
        huey = SqliteHuey("ruhu", filename=app.config["JOBS_QUEUE_FILE"], immediate=app.config["JOBS_IMMEDIATE"])

    @huey.task(name="run_job")
    def run_job(job_id: int) -> None:
        with app.app_context():
            services.run(job_id)

    @huey.periodic_task(crontab(minute="17"), name="expire_jobs")
    def expire_jobs() -> None:
        with app.app_context():
            services.expire_finished()

    app.extensions[services.EXTENSION] = services.Queue(huey, run_job)
    return huey
