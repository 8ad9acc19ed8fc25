"""Numbers and dates as each language writes them, through the one filter per kind that every
template uses: thousands separated, the county's time zone, the year left out of a moment of
this year."""
import datetime as dt
from decimal import Decimal

import pytest
from flask import render_template_string
from flask_babel import force_locale

from app import clock


def render(app, template: str, locale: str, **values) -> str:
    with app.test_request_context("/"), force_locale(locale):
        return render_template_string(template, **values)


@pytest.mark.parametrize(("locale", "expected"), [("zh_Hans", "1,234,567"), ("en", "1,234,567")])
def test_counts_have_thousands_separators(app, locale, expected):
    assert render(app, "{{ n | number }}", locale, n=1234567) == expected


def test_small_counts_zero_and_missing(app):
    assert render(app, "{{ 0 | number }}|{{ 999 | number }}|{{ none | number }}", "zh_Hans") == "0|999|"


def test_decimals_when_asked(app):
    assert render(app, "{{ n | number(1) }}", "en", n=Decimal("12345.25")) == "12,345.2"
    assert render(app, "{{ n | number(1) }}", "zh_Hans", n=Decimal("87.5")) == "87.5"


@pytest.mark.parametrize(("locale", "expected"), [("zh_Hans", "2026年12月2日"), ("en", "Dec 2, 2026")])
def test_dates(app, locale, expected):
    assert render(app, "{{ day | date }}", locale, day=dt.date(2026, 12, 2)) == expected


def test_a_moment_of_this_year_leaves_the_year_out_in_the_countys_time_zone(app):
    year = clock.now().year
    moment = dt.datetime(year, 12, 2, 6, 5, tzinfo=dt.UTC)  # 14:05 in Asia/Shanghai
    assert render(app, "{{ at | datetime }}", "zh_Hans", at=moment) == "12月2日 14:05"
    assert render(app, "{{ at | datetime }}", "en", at=moment) == "Dec 2 14:05"


def test_a_moment_of_another_year_keeps_it(app):
    moment = dt.datetime(clock.now().year - 1, 7, 1, 18, 30)  # naive, as SQLite returns: UTC
    year = clock.now().year - 1
    assert render(app, "{{ at | datetime }}", "zh_Hans", at=moment) == f"{year}年7月2日 02:30"
    assert render(app, "{{ at | datetime }}", "en", at=moment) == f"Jul 2, {year} 02:30"
