"""The census record (普查记录) as one aggregate: its model, revisions, conflicts and files
(``models``, ``attachments``), the review workflow and its events (``workflow``,
``services``), canonical content (``canonical``), the reads other packages share
(``queries``), the one display of a record (``display``), and its form page and server check
(``views``). app.sync carries records from phones; app.review shows them to reviewers.
"""
from flask import Flask

from app.records.models import listen


def init_app(app: Flask) -> None:
    """Keep each record's summary columns equal to its current revision's result, and
    record_person equal to its current revision's people."""
    listen()
