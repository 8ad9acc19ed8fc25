"""Review history: events are appended, never changed; comments belong to the revision
they were written on."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.dbtypes import created_at_column, values_check
from app.extensions import db
from app.review.workflow import ACTIONS, STATES


class ReviewEvent(db.Model):
    """审核记录: one transition of one submission (append-only)."""

    __tablename__ = "review_event"
    __table_args__ = (
        values_check("action", ACTIONS, "action_code"),
        values_check("from_state", STATES, "from_state_code"),
        values_check("to_state", STATES, "to_state_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = created_at_column()

    actor: Mapped[User] = relationship()


class ReviewComment(db.Model):
    """审核意见: a reviewer's comment on one field of one revision."""

    __tablename__ = "review_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime] = created_at_column()

    reviewer: Mapped[User] = relationship()
