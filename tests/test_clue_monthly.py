"""部门预警月度数据 on the county dashboard: the last 12 months of clues, each counted in the
month of its own day (pushed, verified, proposed) as the county's calendar has it, within the
areas of the user and of the place shown."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, true

from app import clock
from app.campaigns.models import Campaign
from app.clues import queries, workflow
from app.clues.models import Clue, WarningList
from app.extensions import db
from app.households.models import Household
from app.households.scope import household_filter
from app.monitoring.models import Proposal
from tests import factories
from tests.clue_setup import county_admin
from tests.monitoring_setup import signed_in

TODAY = dt.date(2026, 7, 1)


@pytest.fixture
def world(county):
    admin = county_admin(county)
    db.session.add(Campaign(name="2026年收入普查", year=2026, form_version="2026.1"))
    warning_list = WarningList(department_code="medical_insurance", file_name="医保.csv", file_hash="a" * 64,
                               pushed_on=TODAY, rows_read=0, rows_matched=0, rows_not_found=0,
                               rows_already_imported=0, uploaded_by=admin)
    civil = WarningList(department_code="civil_affairs", file_name="民政.csv", file_hash="b" * 64,
                        pushed_on=TODAY, rows_read=0, rows_matched=0, rows_not_found=0,
                        rows_already_imported=0, uploaded_by=admin)
    db.session.add_all([warning_list, civil])
    db.session.commit()
    return county, admin, warning_list, civil


def clue(world, village, pushed_on: dt.date, *, state="assigned", verified_on=None, result=None,
         proposed_at: dt.datetime | None = None, warning_list=None) -> Clue:
    county, admin, medical, _civil = world
    household = factories.household(village, f"H-{db.session.scalar(select(func.count(Household.id))) + 1}")
    due = workflow.due_dates(pushed_on, workflow.DEFAULT_DAYS)
    found = Clue(household=household, warning_list=warning_list or medical, state=state, pushed_on=pushed_on,
                 verify_due=due["verify"], village_review_due=due["village_review"],
                 township_review_due=due["township_review"], verified_on=verified_on, result=result)
    if proposed_at is not None:
        found.proposal = Proposal(household=household, kind="identification", channel="department_warning",
                                  category="sudden_hardship", risk_types=["01"], state="proposed",
                                  clue_date=pushed_on, created_by_id=admin.id, created_at=proposed_at,
                                  campaign=db.session.scalar(select(Campaign)))
    db.session.add(found)
    db.session.commit()
    return found


def by_month(monthly: queries.Monthly) -> dict[str, queries.MonthFigures]:
    return {first.strftime("%Y-%m"): figures for first, figures in monthly.months}


def test_the_months_are_the_last_twelve_ending_with_this_one():
    starts = queries.month_starts(TODAY)
    assert (len(starts), starts[0], starts[-1]) == (12, dt.date(2025, 8, 1), dt.date(2026, 7, 1))
    assert queries.month_starts(dt.date(2026, 3, 31))[-2:] == [dt.date(2026, 2, 1), dt.date(2026, 3, 1)]


def test_each_clue_counts_in_the_month_of_each_of_its_days(world):
    county = world[0]
    # Pushed on the last day of June, verified on the 1st of July, on its last day: on time.
    clue(world, county.village_a, dt.date(2026, 6, 30), state="verified", verified_on=dt.date(2026, 7, 1),
         result=workflow.RISK_FOUND)
    # Pushed 1 June (due 16 June), verified 17 June: late; no risk; closed since.
    clue(world, county.village_a, dt.date(2026, 6, 1), state="closed", verified_on=dt.date(2026, 6, 17),
         result=workflow.NO_RISK)
    # Verified on its last day, 16 June, and waiting for the village since 21 June: overdue now.
    clue(world, county.village_a, dt.date(2026, 6, 1), state="verified", verified_on=dt.date(2026, 6, 16),
         result=workflow.NO_RISK)
    # Pushed in May, never verified: overdue now, counted in May.
    clue(world, county.village_a, dt.date(2026, 5, 10))
    # Pushed a year and more ago: in no month shown.
    clue(world, county.village_a, dt.date(2025, 7, 31))
    months = by_month(queries.monthly(true(), TODAY))
    assert list(months)[0] == "2025-08"
    assert (months["2026-06"].pushed, months["2026-07"].pushed, months["2026-05"].pushed) == (3, 0, 1)
    assert (months["2026-06"].verified, months["2026-06"].on_time) == (2, 1)
    assert (months["2026-07"].verified, months["2026-07"].on_time, months["2026-07"].risks_found) == (1, 1, 1)
    assert (months["2026-05"].overdue, months["2026-06"].overdue, months["2026-07"].overdue) == (1, 1, 0)
    assert sum(figures.pushed for figures in months.values()) == 4


def test_a_proposal_counts_in_the_county_month_it_was_made(world):
    """16:30 UTC on 30 June is 00:30 on 1 July in the county (UTC+8): a July proposal."""
    county = world[0]
    clue(world, county.village_a, dt.date(2026, 6, 2), state="village_reviewed", verified_on=dt.date(2026, 6, 5),
         result=workflow.RISK_FOUND, proposed_at=dt.datetime(2026, 6, 30, 16, 30, tzinfo=dt.UTC))
    clue(world, county.village_a, dt.date(2026, 6, 2), state="village_reviewed", verified_on=dt.date(2026, 6, 5),
         result=workflow.RISK_FOUND, proposed_at=dt.datetime(2026, 6, 30, 15, 59, tzinfo=dt.UTC))
    months = by_month(queries.monthly(true(), TODAY))
    assert (months["2026-06"].proposals, months["2026-07"].proposals) == (1, 1)
    assert months["2026-06"].risks_found == 2


def test_departments_add_up_their_months(world):
    county, _admin, _medical, civil = world
    clue(world, county.village_a, dt.date(2026, 6, 3))
    clue(world, county.village_a, dt.date(2026, 6, 4), warning_list=civil)
    clue(world, county.village_c, dt.date(2026, 2, 4), warning_list=civil)
    clue(world, county.village_c, dt.date(2025, 2, 4), warning_list=civil)  # before the months shown
    departments = {department.code: figures.pushed for department, figures in
                   queries.monthly(true(), TODAY).departments}
    assert departments == {"civil_affairs": 2, "medical_insurance": 1}


def test_a_township_counts_only_its_own_clues(world, app):
    county = world[0]
    clue(world, county.village_a, dt.date(2026, 6, 3))
    clue(world, county.village_c, dt.date(2026, 6, 4))
    township = factories.user("t2", "township_approver", [county.township_2])
    months = by_month(queries.monthly(household_filter(township), TODAY))
    assert months["2026-06"].pushed == 1


def _table(page: str, table_id: str) -> str:
    start = page.index(f'id="{table_id}"')
    return page[start:page.index("</table>", start)]


def test_the_dashboard_shows_the_months_to_those_of_the_area(world, app):
    county = world[0]
    this_month = clock.today().replace(day=1)
    clue(world, county.village_a, this_month, state="verified", verified_on=this_month, result=workflow.RISK_FOUND)
    clue(world, county.village_c, this_month)
    county_user = signed_in(app, factories.user("c", "county_approver", [county.county]))
    page = county_user.get("/reports/").get_data(as_text=True)
    assert "部门预警（近 12 个月）" in page and "每月推送的部门预警线索" in page and "每月按期核查的比例" in page
    months = _table(page, "clue-months")
    assert months.count("<tr>") == 13  # the head and twelve months, this one first
    first_row = months[months.index("<tbody>"):].split("</tr>")[0]
    assert this_month.strftime("%Y-%m") in first_row
    assert [cell.split("<")[0] for cell in first_row.split('class="num">')[1:]] == \
        ["2", "1", "1", "100.00%", "1", "0", "0"]
    assert "医保" in _table(page, "clue-departments")
    # Township Two sees its own clue only; in English the figures keep their words.
    township = signed_in(app, factories.user("t2", "township_approver", [county.township_2], locale="en"))
    page = township.get("/reports/").get_data(as_text=True)
    first_row = _table(page, "clue-months").split("<tbody>")[1].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in first_row.split('class="num">')[1:]] == \
        ["1", "0", "0", "—", "0", "0", "0"]
    assert "Medical insurance" in page
    # Village B has no clue: a sentence instead of empty tables.
    village = signed_in(app, factories.user("vb", "village_reviewer", [county.village_b]))
    page = village.get("/reports/").get_data(as_text=True)
    assert "近 12 个月没有推送到本区域的部门预警线索。" in page and 'id="clue-months"' not in page
