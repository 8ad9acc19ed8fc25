"""Background jobs (后台作业): long work — exports, the recount of village figures — asked for on
a page, run by a worker (Huey), followed on the job's page and fetched from "my background jobs".

- ``workflow``: the job state machine (pure).
- ``models``: the ``job`` table.
- ``services``: asking (never the same thing twice at once), the worker's run with its
  progress, result files and their expiry; the registry of kinds that packages above fill.
- ``queue``: the Huey instance (SQLite by default, Redis with ``REDIS_URL``) and its tasks.
- ``views``: a job's page and its JSON status, my jobs, the download (the owner's only).
- ``cli``: ``flask jobs worker``.
"""
from __future__ import annotations

from flask import Flask

from app.jobs import queue


def init_app(app: Flask) -> None:
    queue.make(app)
