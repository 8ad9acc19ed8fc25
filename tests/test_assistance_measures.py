"""Assistance measures declared, then carried out (DOMAIN §11, §12): the monitoring services
that do it (each with its event), the household's monitoring page, and the dashboard's counts."""
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.errors import InvalidInput
from app.extensions import db
from app.monitoring import services, workflow
from app.monitoring.models import AssistanceMeasure, MonitoringEvent
from app.reports import dashboard_queries
from tests import factories
from tests.monitoring_setup import fresh, identified, lifecycle, signed_in

TODAY = clock.today()


@pytest.fixture
def setup(county, app):
    built = lifecycle(county, app)
    identified(built, TODAY - dt.timedelta(days=30))
    return built


def declare(setup, household=None, **fields) -> AssistanceMeasure:
    values = {"measure_type": "employment", "declared_on": TODAY - dt.timedelta(days=10), "note": "公益岗位",
              **fields}
    return services.declare_measure(setup.reviewer, fresh(household or setup.household), **values)


def measure_events() -> list[tuple]:
    db.session.expire_all()
    return [(event.action, event.on_date, event.changes, event.actor.username) for event in db.session.scalars(
        select(MonitoringEvent).where(MonitoringEvent.action.in_(("declare_measure", "carry_out_measure")))
        .order_by(MonitoringEvent.id))]


def test_a_measure_is_declared_then_carried_out_each_with_its_event(setup):
    measure = declare(setup)
    assert (measure.declared_on, measure.carried_out_on, measure.carried_out) == (
        TODAY - dt.timedelta(days=10), None, False)
    services.carry_out_measure(setup.reviewer, fresh(measure), TODAY - dt.timedelta(days=2))
    assert fresh(measure).carried_out_on == TODAY - dt.timedelta(days=2)
    assert measure_events() == [
        ("declare_measure", TODAY - dt.timedelta(days=10), {"measure": measure.id}, "reviewer"),
        ("carry_out_measure", TODAY - dt.timedelta(days=2), {"measure": measure.id}, "reviewer")]
    with pytest.raises(InvalidInput, match="已于"):  # once only: the day stays the first one
        services.carry_out_measure(setup.reviewer, fresh(measure), TODAY)


@pytest.mark.parametrize(("fields", "field"), [
    ({"measure_type": "magic"}, "measure_type"),
    ({"declared_on": None}, "declared_on"),
    ({"declared_on": TODAY + dt.timedelta(days=1)}, "declared_on"),
    ({"note": "长" * 2001}, "note"),
])
def test_a_declaration_it_cannot_take_is_refused_beside_its_field(setup, fields, field):
    with pytest.raises(InvalidInput) as refused:
        declare(setup, **fields)
    assert refused.value.field == field
    assert db.session.scalar(select(AssistanceMeasure.id)) is None and measure_events() == []


@pytest.mark.parametrize(("day", "message"), [
    (None, "请填写日期。"),
    (TODAY + dt.timedelta(days=1), "日期不能晚于今天。"),
    (TODAY - dt.timedelta(days=11), f"落实日期不能早于申报日期 {TODAY - dt.timedelta(days=10)}。"),
])
def test_a_carried_out_day_in_the_future_or_before_the_declaration_is_refused(setup, day, message):
    measure = declare(setup)
    with pytest.raises(InvalidInput) as refused:
        services.carry_out_measure(setup.reviewer, fresh(measure), day)
    assert (refused.value.field, refused.value.message) == ("carried_out_on", message)
    assert fresh(measure).carried_out_on is None


def test_the_database_refuses_a_measure_carried_out_before_it_was_declared(setup):
    measure = declare(setup)
    with pytest.raises(IntegrityError, match="carried_out_after_declared"):
        db.session.execute(db.text("UPDATE assistance_measure SET carried_out_on = :day WHERE id = :id"),
                           {"day": TODAY - dt.timedelta(days=11), "id": measure.id})
    db.session.rollback()


def test_only_the_village_declares_or_carries_out_and_only_for_a_monitored_household(setup):
    with pytest.raises(workflow.RoleNotAllowed):
        services.declare_measure(setup.township, fresh(setup.household), measure_type="employment",
                                 declared_on=TODAY, note="")
    measure = declare(setup)
    with pytest.raises(workflow.RoleNotAllowed):
        services.carry_out_measure(setup.township, fresh(measure), TODAY)
    with pytest.raises(InvalidInput, match="只能为监测对象申报帮扶措施"):
        declare(setup, setup.second)


def test_the_household_page_declares_marks_carried_out_and_shows_state_and_dates(setup, app):
    client = signed_in(app, setup.reviewer)
    url = f"/monitoring/households/{setup.household.id}"
    page = client.get(url).get_data(as_text=True)
    assert '<label for="declared_on">申报日期</label>' in page and "还没有申报帮扶措施。" in page
    declared_on = (TODAY - dt.timedelta(days=4)).isoformat()
    response = client.post(f"{url}/measures", data={"measure_type": "health", "declared_on": declared_on,
                                                    "note": "慢病签约"})
    assert response.status_code == 302
    measure = db.session.scalar(select(AssistanceMeasure))
    page = client.get(url).get_data(as_text=True)
    assert "已申报帮扶措施。落实后请登记落实日期" in page
    assert "已申报，未落实" in page and f'<label for="carried_out_on_{measure.id}">落实日期</label>' in page
    # A bad day: the page again, saying why, nothing changed.
    response = client.post(f"{url}/measures/{measure.id}/carried-out",
                           data={f"carried_out_on_{measure.id}": (TODAY - dt.timedelta(days=5)).isoformat()})
    assert response.status_code == 422
    assert f"落实日期不能早于申报日期 {declared_on}。" in response.get_data(as_text=True)
    response = client.post(f"{url}/measures/{measure.id}/carried-out",
                           data={f"carried_out_on_{measure.id}": "2026/12/01"})
    assert response.status_code == 422 and "日期格式应为" in response.get_data(as_text=True)
    assert fresh(measure).carried_out_on is None
    response = client.post(f"{url}/measures/{measure.id}/carried-out",
                           data={f"carried_out_on_{measure.id}": TODAY.isoformat()})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "已登记帮扶措施落实。" in page and "badge-carried_out" in page and "登记已落实" not in page
    assert "帮扶措施已落实" in page  # the event, in the household's history


def test_a_measure_of_another_household_or_area_answers_404(setup, app):
    mine = declare(setup)
    client = signed_in(app, setup.reviewer)
    other = f"/monitoring/households/{setup.second.id}/measures/{mine.id}/carried-out"
    assert client.post(other, data={f"carried_out_on_{mine.id}": TODAY.isoformat()}).status_code == 404
    outside = signed_in(app, setup.reviewer_b)
    url = f"/monitoring/households/{setup.household.id}/measures/{mine.id}/carried-out"
    assert outside.post(url, data={f"carried_out_on_{mine.id}": TODAY.isoformat()}).status_code == 404
    assert fresh(mine).carried_out_on is None


def test_the_dashboard_counts_measures_declared_and_carried_out_by_township(setup, app, county):
    first, _second = declare(setup), declare(setup, measure_type="health")
    services.carry_out_measure(setup.reviewer, fresh(first), TODAY)
    admin = factories.user("admin", "county_admin", [county.county])
    counts = {(row.area.name if row.area else None): (row.total, row.counted)
              for row in dashboard_queries.measures(dashboard_queries.place(admin, county.county.id))}
    assert counts == {county.township_1.name: (2, 1), county.township_2.name: (0, 0)}
    page = signed_in(app, admin).get(f"/reports/areas/{county.county.id}").get_data(as_text=True)
    assert "帮扶措施：已申报与已落实（截至今天）" in page and "50%" in page
    # The village outside a reviewer's areas counts nothing of theirs.
    village_b = dashboard_queries.measures(dashboard_queries.place(setup.reviewer_b, None))
    assert sum(row.total for row in village_b) == 0
