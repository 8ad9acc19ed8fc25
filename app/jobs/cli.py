"""``flask jobs worker``: the Huey consumer that runs the queued jobs (make run starts one)."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup

from app.jobs.services import queue_of

cli = AppGroup("jobs", help="Background jobs.")


@cli.command("worker")
@click.option("--workers", default=1, show_default=True, help="Jobs run at once (threads).")
def worker(workers: int) -> None:
    """Run queued jobs until stopped (Ctrl-C waits for the running job; SIGTERM stops now)."""
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s")
    huey = queue_of(current_app).huey
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
