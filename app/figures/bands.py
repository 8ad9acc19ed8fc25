"""Pure arithmetic of the dashboards: rates, the circle layers (DOMAIN §12), the bands and
buckets the figures are counted in, and their labels (message ids, translated when shown).

No Flask, no database: the queries count in SQL by the bounds defined here.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.codes import CIRCLE_LAYER, N_

HUNDREDTH = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in per cent, exact to two decimals, half up; None when whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def elimination_rate(eliminated_persons: int, monitored_persons: int) -> Decimal | None:
    """风险消除率, counted by persons as county reports publish it (§11): eliminated persons of
    all persons ever identified, i.e. those still monitored plus those eliminated."""
    return percent(eliminated_persons, monitored_persons + eliminated_persons)


# Circle layers 圈层 (§12) and the visits each calls for.
LAYERS = CIRCLE_LAYER.values
LAYER_LABELS = {layer: CIRCLE_LAYER.source_label(layer) for layer in LAYERS}
LAYER_RULES = {
    "red": N_("脱贫户或监测户，未兜底，人均纯收入低于分层线，有劳动力"),
    "orange": N_("兜底户，人均纯收入低于分层线"),
    "yellow": N_("监测户，人均纯收入不低于分层线"),
    "blue": N_("脱贫户，人均纯收入不低于分层线"),
}
LAYER_DUTIES = {
    "red": N_("每月电话联系，每半年走访一次"),
    "orange": N_("每月电话联系，每半年走访一次"),
    "yellow": N_("每月电话联系，每半年走访一次"),
    "blue": N_("每半年电话联系，每年走访一次"),
}


def circle_layer(*, monitored: bool, out_of_poverty: bool, safety_net: bool, has_labour: bool,
                 reaches_threshold: bool) -> str | None:
    """The layer of an out-of-poverty or monitored household, or None when §12 names none
    (below the layers' threshold, no labour and no safety net; or neither kind of household).

    ``reaches_threshold``: per-capita net income at or above the layers' threshold."""
    if reaches_threshold:
        if monitored:
            return "yellow"
        return "blue" if out_of_poverty else None
    if not (monitored or out_of_poverty):
        return None
    if safety_net:
        return "orange"
    return "red" if has_labour else None


# Proposals waiting, by days since the clue, in the campaign's days (DAY_COUNT): up to half the
# campaign's clue-to-decision limit, up to the limit, over it.
AGE_LABELS = {
    "calendar": (N_("0–%(most)s 天"), N_("%(least)s–%(most)s 天"), N_("超过 %(limit)s 天")),
    "working": (N_("0–%(most)s 个工作日"), N_("%(least)s–%(most)s 个工作日"), N_("超过 %(limit)s 个工作日")),
}


@dataclass(frozen=True)
class AgeBucket:
    label: str  # message id, filled with ``params``
    least: int
    most: int | None  # None: no bound

    @property
    def params(self) -> dict:
        return {"least": self.least, "most": self.most, "limit": self.least - 1}


def age_buckets(limit: int, day_count: str) -> tuple[AgeBucket, ...]:
    """The buckets for a clue-to-decision limit of ``limit`` days counted as ``day_count``."""
    half = limit // 2
    first, second, over = AGE_LABELS[day_count]
    return AgeBucket(first, 0, half), AgeBucket(second, half + 1, limit), AgeBucket(over, limit + 1, None)


def bucket_of(buckets: tuple[AgeBucket, ...], days: int) -> int:
    """The index of the bucket ``days`` falls in."""
    return next(index for index, bucket in enumerate(buckets) if bucket.most is None or days <= bucket.most)

# Year-over-year growth of per-capita net income, in tenths of last year's (30 % = 3 tenths).
GROWTH_BANDS = ("fell_over_30", "fell_up_to_30", "rose_up_to_30", "rose_over_30", "no_last_year")
GROWTH_BAND_LABELS = {
    "fell_over_30": N_("下降超过30%"),
    "fell_up_to_30": N_("下降30%以内"),
    "rose_up_to_30": N_("持平或增长30%以内"),
    "rose_over_30": N_("增长超过30%"),
    "no_last_year": N_("无上年数据"),
}
GROWTH_LIMIT_TENTHS = 3

# Histogram of per-capita net income: bins of 2,000 yuan from 0; the last bin is open.
BIN_WIDTH_FEN = 200_000
BIN_COUNT = 15


def bin_bounds(index: int) -> tuple[int | None, int | None]:
    """The fen range [lower, upper) of histogram bin ``index``; the first takes everything
    below its upper bound (incomes can be negative), the last everything from its lower."""
    lower = None if index == 0 else index * BIN_WIDTH_FEN
    upper = None if index == BIN_COUNT - 1 else (index + 1) * BIN_WIDTH_FEN
    return lower, upper
