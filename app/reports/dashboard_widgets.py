"""The charts of the dashboard, in the request's language, from the query results the page
also shows as tables (the same numbers in both)."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext
from markupsafe import Markup

from app.clues import queries as clue_queries
from app.codes import MONITORED_CATEGORY
from app.figures import bands
from app.geo.models import Area
from app.money import format_yuan
from app.monitoring import workflow as monitoring_workflow
from app.records import workflow as review_workflow
from app.reports import dashboard_queries as queries
from app.reports.charts import Marker, bar_chart


def part_label(area: Area | None) -> str:
    return area.name if area is not None else gettext("未分组")


def bin_label(index: int) -> str:
    lower, upper = bands.bin_bounds(index)
    if lower is None:
        return f"< {upper // 100:,}"
    if upper is None:
        return f"≥ {lower // 100:,}"
    return f"{lower // 100:,}–{upper // 100:,}"


def band_label(band: str) -> str:
    """Called from Python: the labels hold "%", which Jinja's gettext would take for a placeholder."""
    return gettext(bands.GROWTH_BAND_LABELS[band])


def coverage(rows: list[queries.PartCount]) -> Markup:
    return bar_chart(gettext("已走访户占登记户的比例"), [(part_label(row.area), row.rate or 0) for row in rows],
                     unit="%", axis=gettext("走访率"), scale=100,
                     alert={index for index, row in enumerate(rows) if row.counted < row.total})


def flags(rows: list[queries.PartCount]) -> Markup:
    return bar_chart(gettext("未研判的风险提示"), [(part_label(row.area), row.counted) for row in rows],
                     axis=gettext("户数"), alert={index for index, row in enumerate(rows) if row.counted})


def statuses(rows: list[tuple[str, int]]) -> Markup:
    return bar_chart(gettext("记录按审核状态"), [(gettext(review_workflow.STATE_LABELS[status]), count)
                                         for status, count in rows], axis=gettext("记录数"))


def waiting_by_state(waiting: queries.Waiting) -> Markup:
    return bar_chart(gettext("在办申报按环节"), [(gettext(monitoring_workflow.STATE_LABELS[state]), total)
                                        for state, _buckets, total in waiting.by_state()], axis=gettext("申报数"))


def waiting_by_age(waiting: queries.Waiting) -> Markup:
    return bar_chart(gettext("在办申报按线索发现以来天数"),
                     [(gettext(bucket.label, **bucket.params), count)
                      for bucket, count in zip(waiting.buckets, waiting.by_age())],
                     axis=gettext("申报数"), alert={len(waiting.buckets) - 1})


def categories(found: dict[str, queries.Headcount]) -> Markup:
    return bar_chart(gettext("监测对象人数按类别"),
                     [(MONITORED_CATEGORY.label(code), found[code].persons if code in found else 0)
                      for code in MONITORED_CATEGORY.values], axis=gettext("人数"))


def risk_types(found: dict[str, queries.Headcount], choices: list[tuple[str, str]]) -> Markup:
    return bar_chart(gettext("监测对象户数按风险类型"),
                     [(label, found[code].households if code in found else 0) for code, label in choices],
                     axis=gettext("户数"))


def elimination(monitored: queries.Headcount, eliminated: queries.Headcount) -> Markup:
    return bar_chart(gettext("监测人数与风险消除人数"),
                     [(gettext("仍在监测"), monitored.persons), (gettext("已消除风险"), eliminated.persons)],
                     axis=gettext("人数"))


def histogram(income: queries.Income) -> Markup:
    marker = None
    if income.threshold_fen is not None:
        marker = Marker(income.threshold_fen / bands.BIN_WIDTH_FEN,
                        gettext("虚线：监测线 %(amount)s 元", amount=format_yuan(income.threshold_fen)))
    return bar_chart(gettext("人均纯收入分布（元）"),
                     [(bin_label(index), count) for index, count in enumerate(income.bins)], axis=gettext("户数"),
                     marker=marker)


def growth(income: queries.Income) -> Markup:
    return bar_chart(gettext("人均纯收入较上年变化"),
                     [(band_label(band), count) for band, count in income.growth.items()],
                     axis=gettext("户数"), alert={0})


def layers(found: queries.Layers) -> Markup:
    """Each layer in its own colour (red, orange, yellow, blue), as the policy draws them."""
    return bar_chart(gettext("各圈层户数"), [(gettext(bands.LAYER_LABELS[layer]), found.counts[layer])
                                        for layer in bands.LAYERS],
                     axis=gettext("户数"), colours=[f"layer-{layer}" for layer in bands.LAYERS])


def month_label(first: dt.date) -> str:
    return first.strftime("%Y-%m")


def clues_pushed(monthly: clue_queries.Monthly) -> Markup:
    return bar_chart(gettext("每月推送的部门预警线索"), [(month_label(first), figures.pushed)
                                              for first, figures in monthly.months], axis=gettext("线索数"))


def clues_on_time(monthly: clue_queries.Monthly) -> Markup:
    """Of the clues verified each month, the share verified within the limit; a month with
    none verified has no share and no row; one below 100 % is drawn in the warning colour."""
    verified = [(first, figures) for first, figures in monthly.months if figures.verified]
    return bar_chart(gettext("每月按期核查的比例"),
                     [(month_label(first), bands.percent(figures.on_time, figures.verified))
                      for first, figures in verified],
                     unit="%", axis=gettext("按期核查率"), scale=100,
                     alert={index for index, (_first, figures) in enumerate(verified)
                            if figures.on_time < figures.verified})
