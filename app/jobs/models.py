"""The ``job`` table: one row per piece of long work asked for (an export, a recount, an import, a draw)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.dbtypes import created_at_column, values_check
from app.extensions import db
from app.jobs.workflow import STATES


class Job(db.Model):
    """Long work (作业) run by the worker. ``active_key`` is set only while the job is queued or
    running and is unique, so the same thing (kind, owner, scope, params) is never queued twice:
    asking again finds the job already on its way."""

    __tablename__ = "job"
    __table_args__ = (values_check("state", STATES, "state_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(400), default="")  # the owner's area ids when asked, "12,15"
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    active_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_total: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)  # a message id, shown in the reader's language
    result_path: Mapped[str | None] = mapped_column(String(300))  # under JOBS_DIR
    outcome: Mapped[dict | None] = mapped_column(JSON)  # what it found, for its page (an import's bad rows)
    created_at: Mapped[dt.datetime] = created_at_column()
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
