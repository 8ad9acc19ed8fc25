"""The monthly ranking's overdue visits stored per village and month (app.figures.monthly,
registered by app.visits.queries): the stored figure is the live count (``missed_by_village``)
month by month, a visit, layer or rule change makes it stale and the recount job counts it
again, a month that ended after it was counted is counted again, and the dashboard shows when
it was counted."""
from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select, update

from app import clock
from app.campaigns.models import Campaign
from app.census import definitions
from app.extensions import db
from app.figures import monthly
from app.figures.models import VillageMonthFigure
from app.figures.store import ask_recount
from app.geo.models import Area
from app.monitoring import services as monitoring
from app.reports import ranking
from app.visits import queries
from app.visits import services as visits
from app.visits.models import Visit
from tests import factories

MONTHS = 3  # the last three full months


@pytest.fixture
def duties(county):
    """Monitored households in villages A (two), B and C since 200 days ago, weekly home visits
    (the county's rules by monitoring status), and a few visits in each of the last months."""
    admin = factories.user("admin", "county_admin", [county.county])
    cadre = factories.user("cadre", "enumerator", [county.county])
    households = {number: factories.household(village, number, group=group) for number, village, group in (
        ("A-1", county.village_a, county.group_a1), ("A-2", county.village_a, county.group_a2),
        ("B-1", county.village_b, None), ("C-1", county.village_c, None))}
    since = clock.today() - dt.timedelta(days=200)
    monitoring.enter_from_national_system(admin, [(household.id, "marginal", since)
                                                  for household in households.values()])
    db.session.commit()
    visits.choose_rule_set(admin, county.county, "by_status")
    for months_ago, number, day in ((1, "A-1", 3), (1, "A-1", 10), (1, "C-1", 12), (2, "A-2", 5), (2, "B-1", 20),
                                    (3, "A-1", 15)):
        first, _last = _month(months_ago)
        _visit(households[number], cadre, first + dt.timedelta(days=day - 1))
    db.session.commit()
    villages = [county.village_a.id, county.village_b.id, county.village_c.id]
    return county, admin, cadre, households, villages


def _month(months_ago: int) -> tuple[dt.date, dt.date]:
    first = clock.today().replace(day=1)
    for _ in range(months_ago):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return ranking.month_bounds(first.strftime("%Y-%m"), clock.today())


def _visit(household, cadre, on: dt.date) -> None:
    db.session.add(Visit(id=str(uuid.uuid4()), household_id=household.id, cadre_id=cadre.id, visit_date=on,
                         kind="home_visit", content_sha256="0" * 64))


def _live(admin, villages, first, last) -> dict[int, int]:
    missed = queries.missed_by_village(admin, first, last)
    return {village: missed.get(village, 0) for village in villages}


def _stored(villages, first) -> dict[int, int]:
    return monthly.month_figures(queries.OVERDUE_VISITS, villages, first).values


def _kept(village: int, first: dt.date) -> VillageMonthFigure | None:
    db.session.expire_all()
    return db.session.get(VillageMonthFigure, (queries.OVERDUE_VISITS, village, first))


def test_the_stored_overdue_visits_are_the_live_count_in_every_month_and_after_a_visit(duties):
    county, admin, cadre, households, villages = duties
    months = [_month(months_ago) for months_ago in range(1, MONTHS + 1)]
    for first, last in months:
        live = _live(admin, villages, first, last)
        assert any(live.values())
        assert _stored(villages, first) == live  # counted on the page once: nothing was stored
        assert all(_kept(village, first) is not None for village in villages)
        assert _stored(villages, first) == live  # read as stored
    # Village A's household visited once more in the month before last: its version moves, the
    # page asks for the recount (run at once in tests) and reads the new figure.
    first, last = months[1]
    before = _kept(county.village_a.id, first)
    counted_before, version_before = before.value, before.data_version
    _visit(households["A-1"], cadre, first + dt.timedelta(days=1))
    db.session.commit()
    assert db.session.scalar(select(Area.data_version).where(Area.id == county.village_a.id)) > version_before
    live = _live(admin, villages, first, last)
    assert live[county.village_a.id] == counted_before - 1
    assert _stored(villages, first) == live
    assert _kept(county.village_a.id, first).value == counted_before - 1
    for other_first, other_last in months:  # every month of the village is counted again
        assert _stored(villages, other_first) == _live(admin, villages, other_first, other_last)


def test_the_recount_job_counts_every_stale_month_again(duties):
    county, admin, cadre, households, villages = duties
    months = [_month(months_ago) for months_ago in range(1, MONTHS + 1)]
    for first, _last in months:
        _stored(villages, first)
    for first, _last in months:
        _visit(households["C-1"], cadre, first + dt.timedelta(days=20))
    db.session.commit()
    assert {month for _code, month in monthly.stale_months()} == {first for first, _last in months}
    ask_recount()
    assert monthly.stale_months() == {}
    for first, last in months:
        assert _kept(county.village_c.id, first).value == _live(admin, villages, first, last)[county.village_c.id]


def test_a_figure_counted_before_its_month_ended_is_counted_again(duties):
    county, admin, _cadre, _households, villages = duties
    first, last = _month(1)
    live = _live(admin, villages, first, last)
    _stored(villages, first)
    # Village A's row as if counted on the month's last day (with another figure); village B's
    # as if counted after the month (a wrong figure too, to show it is read, not counted).
    zone_noon = dt.datetime.combine(last, dt.time(4, 0), tzinfo=dt.UTC)  # noon in Asia/Shanghai
    db.session.execute(update(VillageMonthFigure).where(VillageMonthFigure.village_id == county.village_a.id,
                                                        VillageMonthFigure.month == first)
                       .values(value=999, counted_at=zone_noon))
    db.session.execute(update(VillageMonthFigure).where(VillageMonthFigure.village_id == county.village_b.id,
                                                        VillageMonthFigure.month == first)
                       .values(value=999, counted_at=zone_noon + dt.timedelta(days=1)))
    db.session.commit()
    stored = _stored(villages, first)
    assert stored[county.village_a.id] == live[county.village_a.id]
    assert stored[county.village_b.id] == 999
    # The month not ended yet: a figure counted today stays.
    this_month = clock.today().replace(day=1)
    _stored(villages, this_month)
    assert monthly.stale_months() == {}


def test_a_change_of_the_countys_rules_moves_every_village_of_it(duties):
    county, admin, _cadre, _households, villages = duties
    first, last = _month(1)
    _stored(villages, first)
    versions = dict(db.session.execute(select(Area.id, Area.data_version).where(Area.id.in_(villages))).all())
    visits.choose_rule_set(admin, county.county, "by_layer")
    db.session.expire_all()
    after = dict(db.session.execute(select(Area.id, Area.data_version).where(Area.id.in_(villages))).all())
    assert all(after[village] > versions[village] for village in villages)
    assert _stored(villages, first) == _live(admin, villages, first, last)


def test_a_user_covering_part_of_a_village_gets_it_counted_live_within_their_areas(duties):
    county, admin, _cadre, _households, villages = duties
    first, last = _month(1)
    township = factories.user("part", "township_approver", [county.group_a1, county.village_b])
    found, _counted = ranking.measures()[0].per_village(township, None, villages, first, last)
    missed = queries.missed_by_village(township, first, last)
    assert {village: figure for village, (figure, _) in found.items()} == {
        village: missed.get(village, 0) for village in villages}
    assert missed[county.village_a.id] < _live(admin, villages, first, last)[county.village_a.id]


def test_the_county_dashboard_shows_when_the_ranking_was_counted(duties, login):
    county, admin, cadre, households, villages = duties
    db.session.add(Campaign(name="2026年收入普查", year=2026, form_version=definitions.DEFAULT_VERSION))
    db.session.commit()
    client = login("admin")
    page = client.get("/reports/").get_data(as_text=True)
    assert 'id="ranking-counted"' in page and 'id="figures-counted"' in page
    first, last = _month(1)
    villages_table = page[page.index('id="ranking-villages"'):]
    rows = dict(re.findall(r"<th scope=\"row\">([^<]+)</th>\s*<td>([^<]+)</td>", villages_table))
    live = _live(admin, villages, first, last)
    assert rows == {"Village A": str(live[county.village_a.id]), "Village B": str(live[county.village_b.id]),
                    "Village C": str(live[county.village_c.id])}
    _visit(households["B-1"], cadre, first + dt.timedelta(days=2))
    db.session.commit()
    page = client.get("/reports/").get_data(as_text=True)
    rows = dict(re.findall(r"<th scope=\"row\">([^<]+)</th>\s*<td>([^<]+)</td>", page[page.index(
        'id="ranking-villages"'):]))
    assert rows["Village B"] == str(_live(admin, villages, first, last)[county.village_b.id])
