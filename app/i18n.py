"""Which language a request is shown in (the user's saved choice, else the choice made on
the sign-in page, else Simplified Chinese), and how dates and times are written in it: in
the county's time zone (``BABEL_DEFAULT_TIMEZONE``), as its language writes them
(2026年12月2日; a moment of this year 12月2日 14:05, else 2026年12月2日 14:05), and how
numbers are (thousands separated as the language separates them)."""
import datetime as dt
from decimal import Decimal

from babel.dates import format_skeleton
from babel.numbers import format_decimal
from flask import has_request_context, session
from flask_babel import get_locale, to_user_timezone
from flask_login import current_user

from app import clock
from app.auth.models import LOCALES

HTML_LANG = {"zh_Hans": "zh-Hans", "en": "en"}


def select_locale() -> str:
    if not has_request_context():  # the CLI and background work speak the default language
        return "zh_Hans"
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    choice = session.get("locale_choice")
    return choice if choice in LOCALES else "zh_Hans"


def local_date(value: dt.date | dt.datetime | None) -> str:
    """A calendar date (or a moment's date in the county) as the user's language writes it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_user_timezone(value)
    return format_skeleton("yMMMd", value, locale=get_locale())


def local_datetime(value: dt.datetime | None) -> str:
    """A moment (stored in UTC; SQLite hands it back naive) in the county's time zone; the year
    is left out when it is the county's current year, as people write it."""
    if value is None:
        return ""
    local = to_user_timezone(value)
    day = "MMMd" if local.year == to_user_timezone(clock.now()).year else "yMMMd"
    return f"{format_skeleton(day, local, locale=get_locale())} {format_skeleton('Hm', local, locale=get_locale())}"


def local_number(value: int | Decimal | float | None, places: int = 0) -> str:
    """A count or measure with the language's thousands separator (12,345), and ``places``
    decimals when asked for; money has its own filter (``yuan``)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0" + ("." + "0" * places if places else ""), locale=get_locale())

