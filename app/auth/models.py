from __future__ import annotations

import datetime as dt
import functools
import secrets

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false, true
from werkzeug.security import check_password_hash, generate_password_hash

from app.codes import ROLE
from app.dbtypes import code_check, created_at_column
from app.extensions import db
from app.geo.models import Area

LOCALES = ("zh_Hans", "en")

user_area = Table(
    "user_area",
    db.metadata,
    Column("user_id", ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("area.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class User(UserMixin, db.Model):
    """Someone who signs in. ``areas`` are the areas they cover; what they may see is
    everything inside those areas (see app.households.scope)."""

    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        code_check(ROLE, "role"),
        CheckConstraint("locale IS NULL OR locale IN ('zh_Hans', 'en')", name="locale_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = created_at_column()
    # Part of every session's token (get_id): moving it on ends every session of the user.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set by an admin's reset: every page sends the user to choose a password of their own.
    password_change_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    areas: Mapped[list[Area]] = relationship(secondary=user_area, order_by=Area.code)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """Flask-Login's alternative token, kept in the session: the id and the session
        version, so that a session from before the version moved on names nobody."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Every session signed in so far stops working at its next request (the caller commits)."""
        self.session_version += 1

    @property
    def role_label(self) -> str:
        return ROLE.label(self.role)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def password_matches(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s. With no user, a hash of the same method and cost
    is checked all the same: an unknown username then answers as slowly as a known one."""
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return user.check_password(password)


class LoginFailure(db.Model):
    """One failed sign-in, kept for the throttling window (shared by every server worker)."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
