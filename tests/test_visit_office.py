"""The offices' side of the visit duties: responsible cadres (by hand, by village, from an XLSX
column), circle layers per year with their history, overdue visits per township, village and
cadre, the county's rule set, and the visit log's export."""
from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import pytest
from sqlalchemy import select

from app import clock
from app.campaigns.models import MonitoringThreshold
from app.extensions import db
from app.files import xlsx
from app.monitoring import services as monitoring
from app.visits import duties, queries
from app.visits import services as visits
from app.visits.models import CircleLayer, DutyEvent, ResponsibleCadre, Visit
from tests import factories
from tests.monitoring_setup import lifecycle
from tests.test_exports import bare_get, read_xlsx_bytes


@pytest.fixture
def office(county):
    """A county admin; cadres of village A and of township two; monitored households A-1 and A-2
    (village A), out-of-poverty B-1 (village B), an ordinary A-3, monitored C-1 (township two)."""
    admin = factories.user("admin", "county_admin", [county.county])
    cadre = factories.user("cadre", "enumerator", [county.village_a])
    far = factories.user("far", "enumerator", [county.township_2])
    households = {number: factories.household(village, number, **fields) for number, village, fields in (
        ("A-1", county.village_a, {}), ("A-2", county.village_a, {}), ("A-3", county.village_a, {}),
        ("B-1", county.village_b, {"household_type": "out_of_poverty", "poverty_subtype": "general"}),
        ("C-1", county.village_c, {}))}
    since = clock.today() - dt.timedelta(days=400)
    monitoring.enter_from_national_system(admin, [(households[number].id, "marginal", since)
                                                  for number in ("A-1", "A-2", "C-1")])
    db.session.commit()
    return county, admin, cadre, far, households


def test_the_admin_assigns_a_cadre_by_hand_and_the_household_page_shows_them(office, login):
    _, _, cadre, far, households = office
    client = login("admin")
    household = households["A-1"]
    response = client.post(f"/visits/households/{household.id}/cadre", data={"cadre": cadre.id, "since": "2026-01-05"})
    assert response.status_code == 302
    assert "Cadre" in client.get(f"/households/{household.id}").get_data(as_text=True)
    assert db.session.get(ResponsibleCadre, household.id).since == dt.date(2026, 1, 5)
    # A cadre whose areas do not cover the household is refused, with the reason on the page.
    response = client.post(f"/visits/households/{household.id}/cadre", data={"cadre": far.id})
    assert response.status_code == 422 and "Far" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ResponsibleCadre, household.id).user_id == cadre.id
    assert db.session.scalars(select(DutyEvent.after).where(DutyEvent.action == "assign_cadre")).all() == [
        str(cadre.id)]


def test_a_village_reviewer_cannot_assign_cadres(office, login):
    county, _, cadre, _, households = office
    factories.user("village", "village_reviewer", [county.village_a])
    client = login("village")
    assert client.post(f"/visits/households/{households['A-1'].id}/cadre", data={"cadre": cadre.id}).status_code == 403
    assert client.get("/admin/cadres/").status_code == 403


def test_assigning_a_village_covers_its_monitored_and_out_of_poverty_households_only(office, login):
    county, _, cadre, _, households = office
    response = login("admin").post("/admin/cadres/village", data={"village": county.village_a.id, "cadre": cadre.id})
    assert response.status_code == 302
    assigned = set(db.session.scalars(select(ResponsibleCadre.household_id)))
    assert assigned == {households["A-1"].id, households["A-2"].id}  # not the ordinary A-3


def _xlsx(rows) -> io.BytesIO:
    return io.BytesIO(b"".join(xlsx.workbook_chunks("cadres", ["户编号", "帮扶责任人用户名", "备注"], rows)))


def test_an_xlsx_column_assigns_each_household_or_nothing_at_all(office, login):
    _, _, cadre, far, households = office
    client = login("admin")
    response = client.post("/admin/cadres/upload", data={"file": (_xlsx([
        ["A-1", "cadre", ""], ["C-1", "far", ""], ["A-2", "far", ""], ["Z-9", "cadre", ""]]), "cadres.xlsx")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Z-9" in page and "A-2" in page  # far does not cover village A
    assert db.session.scalar(select(ResponsibleCadre)) is None
    response = client.post("/admin/cadres/upload", data={"file": (_xlsx([["A-1", "cadre", ""], ["C-1", "far", ""]]),
                                                                 "cadres.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert dict(db.session.execute(select(ResponsibleCadre.household_id, ResponsibleCadre.user_id)).all()) == {
        households["A-1"].id: cadre.id, households["C-1"].id: far.id}


def test_a_file_without_the_two_columns_is_refused_with_their_names(office, login):
    response = login("admin").post("/admin/cadres/upload", data={"file": (io.BytesIO(
        "户号,责任人\nA-1,cadre\n".encode()), "cadres.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422 and "帮扶责任人用户名" in response.get_data(as_text=True)


def test_layers_are_stored_per_year_with_the_reason_and_every_change_kept(office, login, app):
    county, _, _, _, households = office
    factories.user("village", "village_reviewer", [county.village_a])
    client = login("village")
    household = households["A-1"]
    url = f"/visits/households/{household.id}/layer"
    # No approved record: the live rule suggests nothing, so a layer needs a reason.
    assert client.post(url, data={"layer": "red"}).status_code == 422
    assert client.post(url, data={"layer": "red", "reason": "年度调整：务工收入下降"}).status_code == 302
    assert client.post(url, data={"layer": "orange"}).status_code == 422  # a change needs its reason
    assert client.post(url, data={"layer": "orange", "reason": "纳入低保"}).status_code == 302
    assert client.post(url, data={"layer": "purple", "reason": "x"}).status_code == 422
    stored, = db.session.scalars(select(CircleLayer))
    assert (stored.year, stored.layer, stored.reason) == (clock.today().year, "orange", "纳入低保")
    history = [(event.before, event.after, event.reason) for event in reversed(queries.layer_history(household.id))]
    assert history == [(None, "red", "年度调整：务工收入下降"), ("red", "orange", "纳入低保")]
    page = client.get(f"/visits/households/{household.id}").get_data(as_text=True)
    assert "纳入低保" in page and "年度调整：务工收入下降" in page


def _visit(household, cadre, on: dt.date, kind: str = "home_visit", **fields) -> Visit:
    visit = Visit(id=str(uuid.uuid4()), household_id=household.id, cadre_id=cadre.id, visit_date=on, kind=kind,
                  content_sha256="0" * 64, **fields)
    db.session.add(visit)
    return visit


def test_overdue_visits_are_counted_per_township_village_and_cadre(office, login, app):
    county, admin, cadre, far, households = office
    visits.choose_rule_set(admin, county.county, "by_status")
    for number, who in (("A-1", cadre), ("A-2", cadre), ("C-1", far)):
        visits.assign_cadre(admin, households[number], who, clock.today())
    last_week = clock.today() - dt.timedelta(days=7)
    _visit(households["A-1"], cadre, last_week)
    _visit(households["A-1"], cadre, last_week)
    _visit(households["C-1"], far, last_week)
    db.session.commit()
    rows = queries.household_duties(admin, clock.today())
    by_township = {line.name: (line.households, line.overdue_households, line.overdue)
                   for line in queries.overdue_by(rows, "township")}
    assert by_township == {"Township One": (2, 1, 2), "Township Two": (1, 1, 1)}
    assert [(line.name, line.overdue) for line in queries.overdue_by(rows, "cadre")] == [("Cadre", 2), ("Far", 1)]
    assert [(line.name, line.overdue) for line in queries.overdue_by(rows, "village")] == [
        ("Village A", 2), ("Village C", 1)]
    page = login("admin").get("/visits/").get_data(as_text=True)
    assert "Township One" in page and "Cadre" in page


def test_a_township_sees_only_its_own_households_overdue(office, login):
    county, admin, cadre, _, households = office
    factories.user("township", "township_approver", [county.township_2])
    rows = queries.household_duties(db.session.get(type(admin), admin.id), clock.today())
    assert {row.household.household_number for row in rows} == {"A-1", "A-2", "C-1"}
    township = db.session.scalar(select(type(admin)).where(type(admin).username == "township"))
    assert {row.household.household_number for row in queries.household_duties(township, clock.today())} == {"C-1"}


def test_the_county_chooses_its_rule_set_and_it_is_its_own_copy(office, login):
    county, *_ = office
    client = login("admin")
    assert queries.rule_set_code(county.county.id) == "by_layer"
    assert client.post("/visits/rules", data={"county": county.county.id, "rule_set": "by_status"}).status_code == 302
    assert queries.rule_set_code(county.county.id) == "by_status"
    assert {rule.code for rule in queries.rules_of(county.county.id)} == {"unresolved_home_visit",
                                                                          "resolved_home_visit"}
    assert client.post("/visits/rules", data={"county": county.township_1.id, "rule_set": "by_layer"}).status_code \
        == 404


def test_the_visit_log_exports_with_formula_text_neutralised(office, login):
    _, _, cadre, _, households = office
    _visit(households["A-1"], cadre, clock.today(), problems="=HYPERLINK(\"x\")", per_capita_income_fen=560050,
           income_change="down")
    _visit(households["C-1"], cadre, clock.today(), kind="call")
    db.session.commit()
    county, *_ = office
    factories.user("village", "village_reviewer", [county.village_a])
    body = login("village").get("/visits/visits.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body and "5600.50" in body
    assert "C-1" not in body  # outside village A


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("role", ["village_reviewer", "township_approver", "county_approver", "county_admin"])
def test_the_visit_log_export_answers_whole_to_a_bare_client_for_every_role_allowed(office, app, role, file_format):
    """As a real server runs it: no application context of the test's around the streamed body."""
    county, _, cadre, _, households = office
    _visit(households["A-1"], cadre, clock.today(), problems="漏水", per_capita_income_fen=560050)
    area = {"village_reviewer": county.village_a, "township_approver": county.township_1}.get(role, county.county)
    user = factories.user(f"bare-{role}", role, [area])
    db.session.commit()
    status, body = bare_get(app, user.get_id(), f"/visits/visits.{file_format}")
    assert status == 200, body[:300]
    rows = read_xlsx_bytes(body) if file_format == "xlsx" else [body.decode("utf-8-sig").splitlines()[1].split(",")]
    assert rows[-1][0] == "A-1"


def test_the_yearly_assessment_stores_the_live_suggestion_where_no_layer_is_stored(county, app, login):
    """A-1 (3,000 yuan a head, monitored) is red and A-2 (18,000, monitored) yellow by the live rule
    under a 10,000 yuan line; A-2 already assessed this year keeps its layer."""
    setup = lifecycle(county, app)
    setup.campaign.thresholds.append(MonitoringThreshold(kind="circle_layer", year=2026, area=county.county,
                                                         amount_fen=1000000))
    admin = factories.user("admin", "county_admin", [county.county])
    monitoring.enter_from_national_system(admin, [(setup.household.id, "marginal", dt.date(2026, 1, 5)),
                                                  (setup.second.id, "marginal", dt.date(2026, 1, 5))])
    db.session.commit()
    assert queries.layer_suggestion(setup.household, setup.campaign) == "red"
    assert queries.layer_suggestion(setup.second, setup.campaign) == "yellow"
    visits.assess_layer(setup.reviewer, setup.second, clock.today().year, "orange", "纳入低保", "yellow",
                        clock.today())
    client = login("reviewer")
    assert client.post("/visits/layers", data={"village": county.village_a.id}).status_code == 302
    stored = dict(db.session.execute(select(CircleLayer.household_id, CircleLayer.layer)).all())
    assert stored == {setup.household.id: "red", setup.second.id: "orange"}
    assert client.post("/visits/layers", data={"village": county.village_c.id}).status_code == 302  # not theirs
    assert len(stored) == db.session.query(CircleLayer).count()


def test_the_county_edits_its_own_copy_of_a_rule(office, login):
    county, *_ = office
    client = login("admin")
    client.post("/visits/rules", data={"county": county.county.id, "rule_set": "by_status"})
    rule = next(rule for rule in queries.own_rules(county.county.id) if rule.code == "unresolved_home_visit")
    assert client.post(f"/visits/rules/{rule.id}", data={"period": "month", "count": "3"}).status_code == 302
    assert client.post(f"/visits/rules/{rule.id}", data={"period": "month", "count": "٣"}).status_code == 302
    assert client.post(f"/visits/rules/{rule.id}", data={"period": "fortnight", "count": "1"}).status_code == 302
    db.session.expire_all()
    edited = next(item for item in queries.rules_of(county.county.id) if item.code == "unresolved_home_visit")
    assert (edited.period, edited.count) == ("month", 3)  # the two bad forms changed nothing
    assert db.session.scalars(select(DutyEvent.after).where(DutyEvent.action == "edit_rule")).all() == ["month×3"]
    shipped = next(rule for rule in duties.SHIPPED["by_status"].rules if rule.code == "unresolved_home_visit")
    assert (shipped.period, shipped.count) == ("week", 2)  # the shipped set is not the county's copy


def test_a_monitored_household_without_a_layer_is_not_said_to_be_unmonitored(office, login):
    """The default rules go by circle layer: a household just identified owes no visit until its
    layer is assessed, and its page said "not monitored, and no layer assessed"."""
    _, _, _, _, households = office
    client = login("admin")
    monitored = client.get(f"/visits/households/{households['A-1'].id}").get_data(as_text=True)
    assert "非监测对象" not in monitored and "须先评定这户的圈层" in monitored
    ordinary = client.get(f"/visits/households/{households['A-3'].id}").get_data(as_text=True)
    assert "非监测对象" in ordinary


def test_the_layer_history_puts_an_english_colon_before_the_reason_in_english(office, login):
    county, _, _, _, households = office
    factories.user("reviewer", "village_reviewer", [county.village_a], locale="en")
    client = login("reviewer")
    household = households["A-1"]
    assert client.post(f"/visits/households/{household.id}/layer", data={
        "layer": "red", "reason": "务工收入下降"}).status_code == 302
    page = client.get(f"/visits/households/{household.id}").get_data(as_text=True)
    history = page.split('id="layer-history"', 1)[1].split("</ul>", 1)[0]
    assert "Reviewer: 务工收入下降" in history and "：" not in history


def test_a_households_duties_read_as_the_phones_tasks_say_them_in_both_languages(office, login):
    """The office page wrote each duty's parts side by side ("Monthly Phone call or WeChat or
    Home visit × 1"); it says the duty as the phone's tasks do (one message, queries.duty_text)."""
    county, _, _, _, households = office
    client = login("admin")
    client.post("/visits/rules", data={"county": county.county.id, "rule_set": "by_status"})  # duties by status
    url = f"/visits/households/{households['A-1'].id}"
    assert re.search(r"<th scope=\"row\">[^<]*(每周|每月|每半年|每年)[^<]* \d+ 次</th>", client.get(url).get_data(as_text=True))
    client.post("/locale", data={"locale": "en", "next": url})
    english = client.get(url).get_data(as_text=True)
    assert re.search(r"<th scope=\"row\">[^<]+ × \d+ \([A-Z][^)]*\)</th>", english)
    assert not re.search(r"(Weekly|Monthly|Half-yearly|Yearly) (Phone|Home|WeChat)", english)


def test_the_layer_form_starts_from_the_layer_assessed_this_year(office, login):
    """Once this year's layer is assessed, the form offers it again, not the live suggestion
    (sending the form unchanged kept the layer; it offered the suggestion, a change that asks
    for a reason)."""
    county, _, _, _, households = office
    factories.user("village", "village_reviewer", [county.village_a])
    client = login("village")
    household = households["A-1"]
    client.post(f"/visits/households/{household.id}/layer", data={"layer": "orange", "reason": "纳入低保"})
    page = client.get(f"/visits/households/{household.id}").get_data(as_text=True)
    assert re.search(r'<option value="orange"\s+selected>', page)
