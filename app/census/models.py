from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.dbtypes import created_at_column
from app.extensions import db


class FormDefinition(db.Model):
    """A published census form version (调查表版本). Published versions never change:
    submissions pin the version they were made with. The version that ships with the app
    lives in app/census/definitions/ and is not stored here."""

    __tablename__ = "form_definition"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(32), unique=True)
    definition: Mapped[dict] = mapped_column(JSON)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    published_at: Mapped[dt.datetime] = created_at_column()
