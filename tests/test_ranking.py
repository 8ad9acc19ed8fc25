"""The monthly ranking 月排名 (app/reports/ranking.py): ranks per measure with ties, the overall
order, the month's bounds, and the ranked tables on the county dashboard."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace

from app import clock
from app.campaigns.models import Campaign
from app.census import definitions
from app.clues import queries as clue_queries
from app.clues.models import Clue
from app.extensions import db
from app.monitoring import services as monitoring
from app.reports import ranking
from app.visits import services as visits
from tests import factories
from tests.sync_setup import field

OVERDUE = ranking.Measure("overdue_visits", "逾期走访次数", True, lambda *args: {})
COVERAGE = ranking.Measure("census_coverage", "普查覆盖率", False, lambda *args: {})


def line(code: str, overdue: int, visited: int, households: int) -> ranking.Line:
    return ranking.Line(SimpleNamespace(code=code, name=code), {"overdue_visits": (overdue, None),
                                                                 "census_coverage": (visited, households)})


def test_each_measure_ranks_with_ties_and_the_overall_rank_orders_the_sums():
    lines = [line("A", 3, 90, 100), line("B", 0, 50, 100), line("C", 3, 100, 100), line("D", 1, 0, 0)]
    ordered = ranking.rank(lines, [OVERDUE, COVERAGE])
    ranks = {item.area.code: (item.ranks["overdue_visits"], item.ranks["census_coverage"], item.overall)
             for item in ordered}
    # Overdue: B 0, D 1, A and C 3 (tied third). Coverage: C 100 %, A 90 %, B 50 %, D none (last).
    assert ranks == {"B": (1, 3, 1), "C": (3, 1, 2), "A": (3, 2, 3), "D": (2, 4, 4)}
    assert [item.area.code for item in ordered] == ["B", "C", "A", "D"]


def test_the_month_is_the_last_full_one_unless_named():
    assert ranking.month_bounds(None, dt.date(2026, 12, 2)) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert ranking.month_bounds(None, dt.date(2026, 1, 15)) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert ranking.month_bounds("2028-02", dt.date(2028, 5, 1)) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))


def test_the_county_dashboard_ranks_townships_by_overdue_visits_and_coverage(county, login):
    field(county)  # the campaign, and households of villages A and B
    admin = factories.user("admin", "county_admin", [county.county])
    monitored = factories.household(county.village_c, "C-1")
    long_ago = clock.today() - dt.timedelta(days=200)
    monitoring.enter_from_national_system(admin, [(monitored.id, "marginal", long_ago)])
    db.session.commit()
    visits.choose_rule_set(admin, county.county, "by_status")
    page = login("admin").get("/reports/").get_data(as_text=True)
    townships = page[page.index('id="ranking-townships"'):page.index('id="ranking-villages"')]
    rows = re.findall(r"<tr><td>(\d+)</td><th scope=\"row\">([^<]+)</th>\s*<td>([^<]+)</td>", townships)
    # Township Two's monitored household missed its weekly visits all month; Township One owes none.
    first, last = ranking.month_bounds(None, clock.today())
    weeks = sum(1 for day in range((last - first).days + 1) if (first + dt.timedelta(days=day)).weekday() == 6)
    assert rows == [("1", "Township One", "0"), ("2", "Township Two", str(2 * weeks))]


def test_clue_timeliness_is_the_share_of_clues_due_in_the_month_verified_by_their_last_day(county):
    admin = factories.user("admin", "county_admin", [county.county])
    first, last = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    a, b, c = (factories.household(village, number) for village, number in (
        (county.village_a, "A-1"), (county.village_b, "B-1"), (county.village_c, "C-1")))

    def clue(household, due: dt.date, verified: dt.date | None):
        db.session.add(Clue(household_id=household.id, channel="duty_visit", note="", state="verified"
                            if verified else "assigned", pushed_on=due - dt.timedelta(days=15), verify_due=due,
                            village_review_due=due, township_review_due=due, result="no_risk" if verified else None,
                            verified_on=verified, verified_by_id=admin.id if verified else None))

    clue(a, dt.date(2026, 11, 10), dt.date(2026, 11, 10))  # on its last day: in time
    clue(a, dt.date(2026, 11, 20), dt.date(2026, 11, 21))  # a day late
    clue(a, dt.date(2026, 11, 30), None)  # never verified
    clue(a, dt.date(2026, 12, 5), dt.date(2026, 11, 3))  # due next month: not this month's
    clue(b, dt.date(2026, 11, 2), dt.date(2026, 10, 30))  # early
    db.session.commit()
    villages = [county.village_a.id, county.village_b.id, county.village_c.id]
    # Only within the user's areas: village A's reviewer counts none of B's.
    reviewer = factories.user("village", "village_reviewer", [county.village_a])
    assert clue_queries.verified_in_time_by_village(reviewer, villages, first, last) == {county.village_a.id: (1, 3)}
    # Higher is better; village C, with no clue due, has no figure and ranks last; Township One
    # (villages A and B) verified 2 of its 4 in time.
    campaign = Campaign(name="2026年收入普查", year=2026, form_version=definitions.DEFAULT_VERSION)
    db.session.add(campaign)
    db.session.commit()
    ranked = ranking.ranking(admin, campaign, [county.village_a, county.village_b, county.village_c],
                             [county.township_1, county.township_2], first, last)
    assert [(line.area.id, line.figure("clue_timeliness"), line.ranks["clue_timeliness"])
            for line in ranked.villages] \
        == [(county.village_b.id, Decimal("100.00"), 1), (county.village_a.id, Decimal("33.33"), 2),
            (county.village_c.id, None, 3)]
    assert [(line.area.id, line.figure("clue_timeliness")) for line in ranked.townships] == [
        (county.township_1.id, Decimal("50.00")), (county.township_2.id, None)]
