"""The dashboards' pure parts: rates, circle layers, histogram bins and the SVG chart."""
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from app.figures import bands as dashboard
from app.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(("eliminated", "monitored", "rate"), [
    (5245, 7044 - 5245, Decimal("74.46")),  # published county figures (DOMAIN §11)
    (4725, 10467 - 4725, Decimal("45.14")),
    (1, 7, Decimal("12.50")),
    (0, 0, None),
])
def test_elimination_rate_is_by_persons_exact_to_two_decimals(eliminated, monitored, rate):
    assert dashboard.elimination_rate(eliminated, monitored) == rate


@pytest.mark.parametrize(("limit", "day_count", "expected"), [
    (15, "calendar", [("0–%(most)s 天", 0, 7), ("%(least)s–%(most)s 天", 8, 15), ("超过 %(limit)s 天", 16, None)]),
    (20, "working", [("0–%(most)s 个工作日", 0, 10), ("%(least)s–%(most)s 个工作日", 11, 20),
                     ("超过 %(limit)s 个工作日", 21, None)]),
])
def test_the_age_buckets_follow_the_campaigns_decision_limit(limit, day_count, expected):
    buckets = dashboard.age_buckets(limit, day_count)
    assert [(bucket.label, bucket.least, bucket.most) for bucket in buckets] == expected
    assert [dashboard.bucket_of(buckets, days) for days in (0, limit // 2, limit // 2 + 1, limit, limit + 1)] == \
        [0, 0, 1, 1, 2]


def test_percent_rounds_half_up():
    assert dashboard.percent(1, 8) == Decimal("12.50")
    assert dashboard.percent(1, 3) == Decimal("33.33")
    assert dashboard.percent(2, 3) == Decimal("66.67")
    assert dashboard.percent(1, 40000) == Decimal("0.00")  # 0.0025 %
    assert dashboard.percent(1, 400) == Decimal("0.25")
    assert dashboard.percent(1, 20000) == Decimal("0.01")  # 0.005 %: half up, not to even
    assert dashboard.percent(5, 5) == Decimal("100.00")


def layer(monitored=False, out_of_poverty=False, safety_net=False, has_labour=True, reaches_threshold=False):
    return dashboard.circle_layer(monitored=monitored, out_of_poverty=out_of_poverty, safety_net=safety_net,
                                  has_labour=has_labour, reaches_threshold=reaches_threshold)


@pytest.mark.parametrize(("facts", "expected"), [
    ({"out_of_poverty": True}, "red"),
    ({"monitored": True}, "red"),
    ({"monitored": True, "out_of_poverty": True}, "red"),
    ({"out_of_poverty": True, "has_labour": False}, None),  # §12 names no layer for it
    ({"out_of_poverty": True, "safety_net": True}, "orange"),
    ({"monitored": True, "safety_net": True, "has_labour": False}, "orange"),
    ({"monitored": True, "reaches_threshold": True}, "yellow"),
    ({"monitored": True, "out_of_poverty": True, "reaches_threshold": True}, "yellow"),
    ({"monitored": True, "safety_net": True, "reaches_threshold": True}, "yellow"),
    ({"out_of_poverty": True, "reaches_threshold": True}, "blue"),
    ({"out_of_poverty": True, "safety_net": True, "reaches_threshold": True}, "blue"),
    ({}, None),  # an ordinary household
    ({"reaches_threshold": True, "safety_net": True}, None),
])
def test_circle_layer(facts, expected):
    assert layer(**facts) == expected


def test_every_layer_has_a_rule_and_a_visit_duty():
    assert set(dashboard.LAYER_RULES) == set(dashboard.LAYER_DUTIES) == set(dashboard.LAYERS)
    assert dashboard.LAYER_DUTIES["red"] == dashboard.LAYER_DUTIES["yellow"] != dashboard.LAYER_DUTIES["blue"]


def test_histogram_bins_cover_every_income():
    assert dashboard.bin_bounds(0) == (None, 200_000)
    assert dashboard.bin_bounds(1) == (200_000, 400_000)
    assert dashboard.bin_bounds(dashboard.BIN_COUNT - 1) == ((dashboard.BIN_COUNT - 1) * 200_000, None)
    for index in range(1, dashboard.BIN_COUNT):
        assert dashboard.bin_bounds(index)[0] == dashboard.bin_bounds(index - 1)[1]


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def texts_of(svg, kind=None) -> list[str]:
    return [text.text for text in svg.iter(f"{SVG}text") if text.get("class") == kind]


def test_bar_chart_is_an_accessible_svg_with_its_title_labels_values_and_axis():
    svg = parse(charts.bar_chart("Visits <by> village", [("Village A", 3), ("Village B", 1200)], alert={0},
                                 axis="Households"))
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img" and svg.get("aria-label") == "Visits <by> village"
    assert svg.find(f"{SVG}title").text == "Visits <by> village"
    assert texts_of(svg, "title") == ["Visits <by> village"]  # shown, not only announced
    assert texts_of(svg) == ["Village A", "Village B"] and texts_of(svg, "value") == ["3", "1,200"]
    assert texts_of(svg, "tick") == ["0", "600", "1,200", "Households"]
    bars = svg.findall(f"{SVG}rect")
    assert [bar.get("class") for bar in bars] == ["bar alert", "bar"]
    assert float(bars[1].get("width")) == charts.BAR_SPACE  # the largest value fills the space
    assert float(bars[0].get("width")) == round(charts.BAR_SPACE * 3 / 1200, 1)
    assert svg.get("width") == str(charts.WIDTH) and svg.get("font-size") == "13"  # 13 px on a phone


def test_bar_chart_scale_unit_and_marker():
    svg = parse(charts.bar_chart("Rate", [("A", Decimal("50.00")), ("B", Decimal("0"))], unit="%", scale=100,
                                 marker=charts.Marker(1.5, "Threshold 8,700")))
    assert float(svg.findall(f"{SVG}rect")[0].get("width")) == charts.BAR_SPACE / 2
    assert "50.00%" in texts_of(svg, "value") and texts_of(svg, "marker") == ["Threshold 8,700"]
    assert texts_of(svg, "tick") == ["0%", "50%", "100%"]
    line = svg.find(f"{SVG}line[@class='marker']")
    assert float(line.get("y1")) == charts.TOP + 1.5 * charts.ROW_HEIGHT


def test_bar_chart_keeps_a_marker_beyond_the_bars_inside_and_draws_no_bars_for_nothing():
    svg = parse(charts.bar_chart("Empty", [], marker=charts.Marker(40, "far")))
    assert svg.findall(f"{SVG}rect") == []
    assert float(svg.find(f"{SVG}line[@class='marker']").get("y1")) == charts.TOP
    svg = parse(charts.bar_chart("Zeros", [("A", 0)], marker=charts.Marker(40, "far")))
    assert float(svg.findall(f"{SVG}rect")[0].get("width")) == 0
    assert float(svg.find(f"{SVG}line[@class='marker']").get("y1")) == charts.TOP + charts.ROW_HEIGHT


def test_each_row_may_have_its_own_colour():
    svg = parse(charts.bar_chart("Layers", [("Red", 1), ("Blue", 2)], colours=["layer-red", "layer-blue"]))
    assert [bar.get("class") for bar in svg.findall(f"{SVG}rect")] == ["bar layer-red", "bar layer-blue"]
