"""Which monitoring threshold applies: the most specific area with one for the year."""
import pytest

from app.campaigns.models import Campaign, MonitoringThreshold
from app.campaigns.queries import threshold_for
from app.campaigns.thresholds import ThresholdMatch, ancestry, applicable_threshold
from app.extensions import db

VILLAGE, TOWNSHIP, COUNTY, OTHER_VILLAGE = 3, 2, 1, 4
CHAIN = [VILLAGE, TOWNSHIP, COUNTY]


@pytest.mark.parametrize("thresholds, year, expected", [
    ({(2025, COUNTY): 870000}, 2025, ThresholdMatch(COUNTY, 870000)),
    ({(2025, COUNTY): 870000, (2025, TOWNSHIP): 900000}, 2025, ThresholdMatch(TOWNSHIP, 900000)),
    ({(2025, COUNTY): 870000, (2025, TOWNSHIP): 900000, (2025, VILLAGE): 950000}, 2025,
     ThresholdMatch(VILLAGE, 950000)),
    ({(2025, COUNTY): 870000, (2024, VILLAGE): 950000}, 2025, ThresholdMatch(COUNTY, 870000)),  # other year ignored
    ({(2024, COUNTY): 870000}, 2025, None),
    ({(2025, OTHER_VILLAGE): 870000}, 2025, None),  # another branch of the tree
    ({}, 2025, None),
])
def test_the_most_specific_threshold_for_the_year_applies(thresholds, year, expected):
    assert applicable_threshold(thresholds, CHAIN, year) == expected


def test_ancestry_walks_up_to_the_root():
    parents = {VILLAGE: TOWNSHIP, TOWNSHIP: COUNTY, COUNTY: None, OTHER_VILLAGE: TOWNSHIP}
    assert ancestry(VILLAGE, parents) == CHAIN
    assert ancestry(COUNTY, parents) == [COUNTY]


def test_ancestry_stops_at_a_loop():
    assert ancestry(1, {1: 2, 2: 1}) == [1, 2]


def test_threshold_for_walks_the_stored_parents(county):
    campaign = Campaign(name="2025", year=2025, form_version="v1")
    db.session.add_all([
        campaign,
        MonitoringThreshold(campaign=campaign, year=2025, area=county.county, amount_fen=870000),
        MonitoringThreshold(campaign=campaign, year=2025, area=county.township_1, amount_fen=900000),
        MonitoringThreshold(campaign=campaign, year=2024, area=county.village_a, amount_fen=800000),
    ])
    db.session.commit()
    assert threshold_for(campaign, county.group_a1) == ThresholdMatch(county.township_1.id, 900000)
    assert threshold_for(campaign, county.village_c) == ThresholdMatch(county.county.id, 870000)
    assert threshold_for(campaign, county.group_a1, year=2024) == ThresholdMatch(county.village_a.id, 800000)
    assert threshold_for(campaign, county.village_b, year=2024) is None
