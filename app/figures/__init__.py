"""Village figures (村级统计): counts kept per village and group, so that a township or county
dashboard and the review queue's counts add up a few hundred stored rows instead of counting
every household again (as DHIS2's analytics tables do, but never stale).

- ``counts``: what is counted (typed ``Counts``) and the queries that count a village.
- ``models``: the stored rows (``VillageFigures``) and each village's ``data_version``, moved
  on in the same transaction as any change to its households, members, records, proposals
  or assessments (``note_changed_villages``, an ``after_flush`` hook) or by ``mark_changed``
  for bulk writes that bypass the ORM.
- ``store``: reading them (stale ones as stored, with the time they were counted) and asking
  for the recount job.
- ``monthly``: a measure of a package above kept per village and month the same way (the
  monthly ranking's overdue visits, counted by app.visits), stale also once its month ended
  after it was counted; the package's models move the version through ``models.track``.
- ``jobs``: the recount job (app.jobs): every stale village, and every stale monthly figure,
  counted again by the worker.

``init_app`` registers both hooks; the app factory calls it.
"""
from __future__ import annotations

import functools

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.figures import jobs  # noqa: F401  (registers the recount job)
from app.figures.models import CHANGED_VILLAGES, note_changed_villages
from app.figures.store import ask_recount


def init_app(app: Flask) -> None:
    """Track the villages every flush changes, and once the response of the request that
    changed them has gone, ask the worker to count them again (the writer does not wait)."""
    if not event.contains(Session, "after_flush", note_changed_villages):
        event.listen(Session, "after_flush", note_changed_villages)

    @app.after_request
    def _recount_after_the_response(response):
        changed = db.session.info.pop(CHANGED_VILLAGES, None)
        if changed:
            response.call_on_close(functools.partial(_recount_after_response, app))
        return response


def _recount_after_response(app: Flask) -> None:
    with app.app_context():
        try:
            ask_recount()
        except Exception:  # the writer's response has gone; the next page asks again
            db.session.rollback()
            app.logger.exception("Counting the figures of changed villages failed")
