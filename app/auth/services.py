"""Sign-in verbs: check a password with throttling, and record the outcome."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, func, select

from app import clock
from app.auth.models import LoginFailure, User, password_matches
from app.extensions import db


@dataclass(frozen=True)
class SignIn:
    user: User | None = None
    locked_minutes: int = 0  # > 0: too many failures, try again after this many minutes


def _lock_remaining(username: str, address: str, now: dt.datetime) -> dt.timedelta | None:
    """How long the (username, address) pair, or the address alone, is still locked."""
    config = current_app.config
    window = dt.timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])
    since = now - window
    for condition, limit in (
        ((LoginFailure.username == username) & (LoginFailure.address == address), config["LOGIN_FAILURE_LIMIT"]),
        (LoginFailure.address == address, config["LOGIN_FAILURE_ADDRESS_LIMIT"]),
    ):
        recent = select(LoginFailure.failed_at).where(condition, LoginFailure.failed_at > since)
        count = db.session.scalar(select(func.count()).select_from(recent.subquery()))
        if count >= limit:
            # Locked until the oldest failure that still counts towards the limit leaves the window.
            oldest_counted = db.session.scalars(
                recent.order_by(LoginFailure.failed_at.desc()).offset(limit - 1).limit(1)
            ).first()
            if oldest_counted.tzinfo is None:  # SQLite hands back naive datetimes
                oldest_counted = oldest_counted.replace(tzinfo=dt.UTC)
            return oldest_counted + window - now
    return None


def sign_in(username: str, password: str, address: str) -> SignIn:
    username = username.strip()
    now = clock.now()
    remaining = _lock_remaining(username, address, now)
    if remaining is not None:
        return SignIn(locked_minutes=max(1, math.ceil(remaining.total_seconds() / 60)))
    user = db.session.scalar(select(User).where(User.username == username))
    # The hash is checked before the account's state, so that every failure costs the same.
    if not password_matches(user, password) or not user.active:
        db.session.add(LoginFailure(username=username, address=address, failed_at=now))
        # Forget failures that left the window long ago, so the table stays small.
        db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at < now - dt.timedelta(days=1)))
        db.session.commit()
        return SignIn()
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.address == address))
    db.session.commit()
    return SignIn(user=user)


def session_user(token: str) -> User | None:
    """The user a session names (``User.get_id``), unless that session has been ended."""
    user_id, _, version = token.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.session_version == int(version) else None


def sign_out(user: User) -> None:
    """Signing out ends every session of the user, not only this browser's: a copied cookie
    or a forgotten phone is signed out too."""
    user.end_sessions()
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()
