"""Today and now, read in one place: the county's calendar date (a notice's days, a clue's
age, a visit's date are the county's days, not the server's) and the current moment, in UTC.
Tests move both by moving the system clock (time-machine), never by patching callers."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The county's date now (its time zone is ``BABEL_DEFAULT_TIMEZONE``)."""
    return county_date(now())


def zone_name() -> str:
    """The county's time zone (IANA name; the phone writes its times in it too)."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"] if has_app_context() else DEFAULT_ZONE


def county_date(moment: dt.datetime) -> dt.date:
    """The county's date at ``moment`` (naive moments, as SQLite returns them, are UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(zone_name())).date()
