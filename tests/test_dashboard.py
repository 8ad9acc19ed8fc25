"""Dashboards: who may open which area, and the figures on a small known county."""
import datetime as dt
import uuid
from decimal import Decimal
from types import SimpleNamespace

import flask
import pytest

from app import clock
from app import figures as figure_hooks
from app.auth.models import User
from app.campaigns.models import Campaign, MonitoringThreshold
from app.extensions import db
from app.figures import store as stored_figures
from app.figures.models import ALL_VILLAGES, CHANGED_VILLAGES, VillageFigures, mark_changed
from app.geo.models import Area
from app.households.models import Household
from app.jobs.models import Job
from app.monitoring.models import AssessmentDecision, Proposal
from app.records.models import Submission, SubmissionRevision
from app.reports import dashboard_queries as queries
from tests import factories
from tests.jobs_setup import queued_app as queued_app  # noqa: F401  (the fixture)
from tests.jobs_setup import run_a_consumer_until
from tests.sync_setup import field, push
from tests.sync_setup import record as sync_record

TODAY = clock.today()


def members(count: int):
    return [factories.member("head" if index == 0 else "son", name=f"M{index}",
                             birth_date=dt.date(1980 + index, 1, 1)) for index in range(count)]


def record(household, campaign, enumerator, status, per_capita=None, last=None, flags=()):
    """A record whose current revision is the second; the first says something else, so a
    figure read from the wrong revision shows."""
    def result(value, flag_codes):
        return {"income": {"per_capita_net_income": value, "last_year_per_capita_net_income": last},
                "screening": {"flags": [{"code": code} for code in flag_codes]}}

    submission = Submission(id=str(uuid.uuid4()), household=household, campaign_id=campaign.id,
                            enumerator=enumerator, revision=2, status=status, revisions=[
                                SubmissionRevision(number=number, answers={}, content_sha256=str(number) * 64,
                                                   form_version=campaign.form_version, server_result=content,
                                                   enumerator_id=enumerator.id)
                                for number, content in ((1, result(99_000_000, ["old"])),
                                                        (2, result(per_capita, flags)))])
    db.session.add(submission)
    return submission


def proposal(household, campaign, creator, kind, state, *, clue_days_ago=30, category="marginal", risk_types=()):
    decided = TODAY - dt.timedelta(days=1) if state in ("approved", "reversed") else None
    found = Proposal(household=household, campaign=campaign, kind=kind,
                     channel="visit_screening" if kind == "identification" else "through_assistance",
                     category=category, risk_types=list(risk_types), state=state,
                     clue_date=TODAY - dt.timedelta(days=clue_days_ago),
                     appraisal_date=TODAY if state != "proposed" else None,
                     notice_start=TODAY if state not in ("proposed", "appraised") else None,
                     decided_date=decided, created_by_id=creator.id)
    db.session.add(found)
    return found


@pytest.fixture
def known(county):
    """Village A: A1 (out of poverty, 低保, 5,000 yuan a head, fell 37.5 %, flag unresolved),
    A2 (monitored, record waiting), A3 (ordinary, not visited, a fresh proposal).
    Village B: B1 (out of poverty, 12,000, rose 20 %, flag decided not to propose).
    Village C: C1 (monitored marginal, 9,000, no last year, an old elimination waiting),
    C2 (risk eliminated, three persons, not visited)."""
    campaign = Campaign(name="Census 2026", year=2026, form_version="2026.1")
    campaign.thresholds.append(MonitoringThreshold(year=2026, area=county.county, amount_fen=870_000))
    campaign.thresholds.append(MonitoringThreshold(kind="circle_layer", year=2026, area=county.county,
                                                   amount_fen=1_000_000))
    db.session.add(campaign)
    db.session.commit()
    enumerator = factories.user("enum", "enumerator", [county.county])
    a1 = factories.household(county.village_a, "A1", group=county.group_a1, household_type="out_of_poverty",
                             poverty_subtype="minimum_living")
    a2 = factories.household(county.village_a, "A2", group=county.group_a2, monitored_category="sudden_hardship")
    a3 = factories.household(county.village_a, "A3", group=county.group_a1)
    b1 = factories.household(county.village_b, "B1", household_type="out_of_poverty", poverty_subtype="general")
    c1 = factories.household(county.village_c, "C1", monitored_category="marginal")
    c2 = factories.household(county.village_c, "C2", members=members(3))
    record(a1, campaign, enumerator, "approved", 500_000, 800_000, ["sharp_drop"])
    record(a2, campaign, enumerator, "submitted", 300_000)
    b1_record = record(b1, campaign, enumerator, "approved", 1_200_000, 1_000_000, ["housing"])
    record(c1, campaign, enumerator, "approved", 900_000)
    db.session.flush()
    db.session.add(AssessmentDecision(submission_id=b1_record.id, revision=2, reason="checked",
                                      decided_by_id=enumerator.id))
    proposal(a2, campaign, enumerator, "identification", "approved", category="sudden_hardship", risk_types=["02"])
    proposal(c1, campaign, enumerator, "identification", "approved", risk_types=["02"])
    proposal(c1, campaign, enumerator, "identification", "approved", risk_types=["01", "04"])  # the latest
    proposal(a3, campaign, enumerator, "identification", "proposed", clue_days_ago=3)
    proposal(c1, campaign, enumerator, "elimination", "awaiting_township", clue_days_ago=20)
    proposal(c2, campaign, enumerator, "identification", "approved", risk_types=["01"])
    proposal(c2, campaign, enumerator, "elimination", "approved")
    db.session.commit()
    return SimpleNamespace(county=county, campaign=campaign)


def user(role, area):
    return factories.user(f"{role}-{area.id}", role, [area])


def figures(app, someone, area=None):
    with app.test_request_context():
        place = queries.place(someone, area.id if area else None)
        campaign = db.session.scalar(db.select(Campaign))
        tallies = queries.Tallies.of(place, campaign)
        return SimpleNamespace(
            place=place, coverage=[(row.area and row.area.name, row.total, row.counted, row.rate)
                                   for row in tallies.coverage()],
            flags=[(row.area and row.area.name, row.total, row.counted) for row in tallies.flags()],
            statuses=tallies.statuses(), waiting=queries.waiting(place, TODAY, campaign).by_state(),
            categories=tallies.monitored_by_category(), risk_types=tallies.monitored_by_risk_type(),
            eliminated=tallies.eliminated(), income=tallies.income(), layers=tallies.layers())


def test_county_figures(app, known):
    found = figures(app, user("county_approver", known.county.county))
    assert found.coverage == [("Township One", 4, 3, Decimal("75.00")), ("Township Two", 2, 1, Decimal("50.00"))]
    assert found.flags == [("Township One", 2, 1), ("Township Two", 0, 0)]
    assert found.statuses == [("submitted", 1), ("returned", 0), ("approved", 3)]
    assert found.waiting == [("proposed", [1, 0, 0], 1), ("appraised", [0, 0, 0], 0), ("on_notice", [0, 0, 0], 0),
                             ("awaiting_township", [0, 0, 1], 1), ("awaiting_county", [0, 0, 0], 0)]
    assert found.categories == {"marginal": queries.Headcount(1, 2), "sudden_hardship": queries.Headcount(1, 2)}
    assert found.risk_types == {"01": queries.Headcount(1, 2), "04": queries.Headcount(1, 2),
                                "02": queries.Headcount(1, 2)}
    assert found.eliminated == queries.Headcount(1, 3)
    bins = [0] * 15
    bins[2] = bins[4] = bins[6] = 1  # 5,000, 9,000 and 12,000 yuan
    assert found.income == queries.Income(bins, {"fell_over_30": 1, "fell_up_to_30": 0, "rose_up_to_30": 1,
                                                 "rose_over_30": 0, "no_last_year": 1}, 870_000)
    assert found.layers == queries.Layers({"red": 1, "orange": 1, "yellow": 0, "blue": 1}, 0, 1, (1_000_000,), 0)


def test_township_figures_leave_out_the_other_township(app, known):
    found = figures(app, user("township_approver", known.county.township_1))
    assert [area.name for area in found.place.parts] == ["Village A", "Village B"]
    assert found.coverage == [("Village A", 3, 2, Decimal("66.67")), ("Village B", 1, 1, Decimal("100.00"))]
    assert found.statuses == [("submitted", 1), ("returned", 0), ("approved", 2)]
    assert found.categories == {"sudden_hardship": queries.Headcount(1, 2)}
    assert found.eliminated == queries.Headcount(0, 0)
    assert found.layers == queries.Layers({"red": 0, "orange": 1, "yellow": 0, "blue": 1}, 0, 1, (1_000_000,), 0)


def test_village_figures_split_by_group_and_drill_down_within_scope(app, known):
    county = known.county
    found = figures(app, user("village_reviewer", county.village_a))
    assert found.place.area.name == "Village A" and found.place.trail == []
    assert found.coverage == [("Group A1", 2, 1, Decimal("50.00")), ("Group A2", 1, 1, Decimal("100.00"))]
    found = figures(app, user("county_admin", county.county), county.village_b)
    assert [area.name for area in found.place.trail] == ["Test County", "Township One"]
    assert found.coverage == [("Village B", 1, 1, Decimal("100.00"))]  # a village without groups
    assert found.flags == [("Village B", 1, 0)]


def test_the_layer_threshold_and_safety_net_members_move_households_between_layers(app, known):
    b1 = db.session.scalar(db.select(Household).where(Household.household_number == "B1"))
    b1.members[0].minimum_living_allowance = True
    db.session.commit()
    found = figures(app, user("county_approver", known.county.county))
    assert found.layers.counts == {"red": 1, "orange": 1, "yellow": 0, "blue": 1}  # B1 still reaches 10,000
    line = db.session.scalar(db.select(MonitoringThreshold).where(MonitoringThreshold.kind == "circle_layer"))
    line.amount_fen = 2_000_000
    db.session.commit()
    layers = figures(app, user("county_admin", known.county.county)).layers
    assert layers.counts == {"red": 1, "orange": 2, "yellow": 0, "blue": 0}


def line(campaign, area, fen):
    db.session.add(MonitoringThreshold(campaign_id=campaign.id, kind="circle_layer", year=2026, area=area,
                                       amount_fen=fen))
    db.session.commit()


def test_each_village_is_layered_by_the_line_in_force_for_it(app, known):
    """The layers' line is data per year and area, like the monitoring threshold: the most specific wins."""
    approver = user("county_approver", known.county.county)
    assert figures(app, approver).layers.lines == (1_000_000,)
    b1 = household_named("B1")
    b1.members[0].minimum_living_allowance = True
    db.session.commit()
    line(known.campaign, known.county.village_b, 2_000_000)  # B1's 12,000 is below 20,000: orange
    line(known.campaign, known.county.village_c, 800_000)  # C1's 9,000 reaches 8,000: yellow
    layers = figures(app, approver).layers
    assert layers.counts == {"red": 0, "orange": 2, "yellow": 1, "blue": 0}
    assert (layers.lines, layers.unlined) == ((800_000, 1_000_000, 2_000_000), 0)


def test_villages_without_a_line_are_not_layered(app, known):
    db.session.execute(db.delete(MonitoringThreshold).where(MonitoringThreshold.kind == "circle_layer"))
    db.session.commit()
    layers = figures(app, user("county_approver", known.county.county)).layers
    assert layers == queries.Layers({"red": 0, "orange": 0, "yellow": 0, "blue": 0}, 0, 0, (), 3)
    page = sign_in(app.test_client(), user("county_admin", known.county.county)).get("/reports/")
    assert "未设置圈层分层线" in page.get_data(as_text=True)


def test_the_waiting_proposals_are_bucketed_by_the_campaigns_limit(app, known):
    known.campaign.decision_days_limit = 30
    db.session.commit()
    found = figures(app, user("county_approver", known.county.county))
    assert found.waiting[0] == ("proposed", [1, 0, 0], 1)  # 3 days
    assert found.waiting[3] == ("awaiting_township", [0, 1, 0], 1)  # 20 days: within 16–30, not late
    page = sign_in(app.test_client(), user("county_admin", known.county.county)).get("/reports/")
    assert "16–30 天" in page.get_data(as_text=True) and "超过 30 天" in page.get_data(as_text=True)


def test_a_flag_is_resolved_by_an_identification_proposal_unless_withdrawn(app, known):
    a1 = db.session.scalar(db.select(Household).where(Household.household_number == "A1"))
    creator = user("village_reviewer", known.county.village_a)
    proposal(a1, known.campaign, creator, "identification", "withdrawn")
    db.session.commit()
    assert figures(app, creator).flags == [("Group A1", 1, 1), ("Group A2", 0, 0)]
    proposal(a1, known.campaign, creator, "identification", "proposed")
    db.session.commit()
    assert figures(app, creator).flags == [("Group A1", 1, 0), ("Group A2", 0, 0)]


# Stored figures: counted once per village, again only after the village changes ----------------

def household_named(number):
    return db.session.scalar(db.select(Household).where(Household.household_number == number))


def data_versions(county) -> dict[str, int]:
    ids = {getattr(county, name).id: name for name in ("village_a", "village_b", "village_c")}
    return {ids[area_id]: version for area_id, version in
            db.session.execute(db.select(Area.id, Area.data_version).where(Area.id.in_(ids)))}


def tamper(village, households):
    """Overwrite a village's stored household count in each group (and the village's total
    to match), to see whether a page reads it."""
    row = db.session.scalar(db.select(VillageFigures).where(VillageFigures.village_id == village.id))
    row.figures = {group: {**named, "households": households} for group, named in row.figures.items()}
    row.totals = {**row.totals, "households": households * len(row.figures)}
    db.session.commit()
    forget_rows_read()


def forget_rows_read():
    """A test that writes stored rows itself (the recount alone does, and forgets them so)
    makes the request's reads forget the rows they read: this test's requests share its context."""
    flask.g.pop(stored_figures.READ_IN_REQUEST, None)


def test_pages_add_up_stored_figures_and_count_again_only_a_changed_village(app, known):
    county, approver = known.county, user("county_approver", known.county.county)
    assert figures(app, approver).coverage[0] == ("Township One", 4, 3, Decimal("75.00"))
    tamper(county.village_a, 50)  # two groups: 100 households
    tamper(county.village_b, 10)
    assert figures(app, approver).coverage[0][:2] == ("Township One", 110)

    household_named("B1").phone = "13900000000"
    db.session.commit()
    assert figures(app, approver).coverage[0][:2] == ("Township One", 101)  # B counted again, A still stored


def test_a_county_adds_up_village_totals_and_a_village_page_its_groups(app, known):
    county, approver = known.county, user("county_approver", known.county.county)
    figures(app, approver)  # stored
    row = db.session.scalar(db.select(VillageFigures).where(VillageFigures.village_id == county.village_a.id))
    row.totals = {**row.totals, "households": 1000}
    db.session.commit()
    forget_rows_read()
    assert figures(app, approver).coverage[0][:2] == ("Township One", 1001)  # A's total and B's one
    assert [line[:2] for line in figures(app, approver, county.village_a).coverage] == [("Group A1", 2),
                                                                                        ("Group A2", 1)]


def test_a_group_user_sees_their_group_in_a_village_counted_for_everyone(app, known):
    figures(app, user("county_admin", known.county.county))  # the village's figures are stored
    found = figures(app, user("village_reviewer", known.county.group_a1))
    assert found.coverage == [("Group A1", 2, 1, Decimal("50.00"))]
    assert found.statuses == [("submitted", 0), ("returned", 0), ("approved", 1)]  # A2's record is not theirs
    assert found.layers == queries.Layers({"red": 0, "orange": 1, "yellow": 0, "blue": 0}, 0, 0, (1_000_000,), 0)


def add_member(number):
    household = household_named(number)
    household.members.append(factories.member("son", name="New", birth_date=dt.date(2010, 1, 1)))
    return household


def safety_net(number):
    household = household_named(number)
    household.members[0].minimum_living_allowance = True
    return household


def remove_member(number):
    household = household_named(number)
    db.session.delete(household.members[0])
    return household


def review_record(number):
    db.session.scalar(db.select(Submission).where(Submission.household == household_named(number))).status = "returned"


def enumerator():
    return db.session.scalar(db.select(User).where(User.username == "enum"))


def decide(number):
    found = db.session.scalar(db.select(Submission).where(Submission.household == household_named(number)))
    db.session.add(AssessmentDecision(submission_id=found.id, revision=2, reason="checked",
                                      decided_by_id=found.enumerator_id))


@pytest.mark.parametrize("change, changed", [
    (lambda known: setattr(household_named("A1"), "without_labour", True), {"village_a"}),
    (lambda known: add_member("A3"), {"village_a"}),
    (lambda known: safety_net("B1"), {"village_b"}),
    (lambda known: remove_member("C2"), {"village_c"}),
    (lambda known: review_record("B1"), {"village_b"}),
    (lambda known: decide("A1"), {"village_a"}),
    (lambda known: proposal(household_named("A3"), known.campaign, enumerator(), "identification", "withdrawn"),
     {"village_a"}),
    (lambda known: setattr(household_named("B1"), "village", known.county.village_c), {"village_b", "village_c"}),
], ids=["household", "member added", "member on a safety net", "member removed", "record reviewed",
        "assessment decided", "proposal", "household moved"])
def test_each_change_moves_its_villages_data_version_on(app, known, change, changed):
    before = data_versions(known.county)
    db.session.info.pop(CHANGED_VILLAGES, None)
    changed_object = change(known)  # noqa: F841  (held until the commit)
    db.session.commit()
    after = data_versions(known.county)
    assert {name for name in before if after[name] != before[name]} == changed
    # ... and the session notes them, to count them again after the response
    assert db.session.info[CHANGED_VILLAGES] == {getattr(known.county, name).id for name in changed}


def stored_version(village) -> int | None:
    db.session.expire_all()
    return db.session.scalar(db.select(VillageFigures.data_version).where(VillageFigures.village_id == village.id))


def test_a_write_counts_its_village_again_once_its_response_has_gone(app, client, county, login):
    setup = field(county)
    figures(app, user("county_admin", county.county))  # every village stored
    village_a, village_b = county.village_a, county.village_b
    stored_b = stored_version(village_b)
    login("enum")
    response = push(client, sync_record(setup))
    assert response.status_code == 200
    assert stored_version(village_a) != data_versions(county)["village_a"]  # stale until the response closes
    response.close()
    assert stored_version(village_a) == data_versions(county)["village_a"]
    assert stored_version(village_b) == stored_b  # not changed, not counted


def test_counting_again_after_a_response_never_fails_the_write(app, client, county, login, monkeypatch, caplog):
    setup = field(county)

    def broken(*_args):
        raise RuntimeError("database went away")

    monkeypatch.setattr(figure_hooks, "ask_recount", broken)
    login("enum")
    response = push(client, sync_record(setup))
    response.close()
    assert response.status_code == 200 and "Counting the figures of changed villages failed" in caplog.text
    monkeypatch.undo()
    assert figures(app, user("county_admin", county.county)).coverage[0][2] == 1  # the page counts it itself


def test_a_write_to_every_village_counts_every_village_again(app, known):
    county = known.county
    with app.test_request_context():
        mark_changed([county.village_a.id])
        mark_changed()  # as the roster import does
        mark_changed([county.village_b.id])
        assert db.session.info[CHANGED_VILLAGES] == ALL_VILLAGES
        db.session.commit()
        stored_figures.ask_recount()
        versions = data_versions(county)
        assert {name: stored_version(getattr(county, name)) for name in versions} == versions


# Pages -------------------------------------------------------------------------------------------

def sign_in(client, someone):
    client.post("/login", data={"username": someone.username, "password": factories.PASSWORD})
    return client


def test_a_village_reviewer_sees_only_their_village(app, client, known):
    county = known.county
    reviewer = user("village_reviewer", county.village_a)
    ids = SimpleNamespace(**{name: getattr(county, name).id for name in vars(county)})
    sign_in(client, reviewer)
    page = client.get("/reports/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Village A" in text and "Village B" not in text and "Township One" not in text
    assert client.get(f"/reports/areas/{ids.village_a}").status_code == 200
    assert client.get(f"/reports/areas/{ids.group_a1}").status_code == 200
    for outside in (ids.village_b, ids.village_c, ids.township_1, ids.county, 999_999):
        assert client.get(f"/reports/areas/{outside}").status_code == 404


def test_a_township_approver_drills_into_their_villages_only(app, client, known):
    county = known.county
    approver = user("township_approver", county.township_1)
    ids = SimpleNamespace(**{name: getattr(county, name).id for name in vars(county)})
    sign_in(client, approver)
    text = client.get("/reports/").get_data(as_text=True)
    assert f'href="/reports/areas/{ids.village_a}"' in text and f'href="/reports/areas/{ids.village_b}"' in text
    assert "Village C" not in text
    village = client.get(f"/reports/areas/{ids.village_b}").get_data(as_text=True)
    assert f'href="/reports/areas/{ids.township_1}"' in village  # back up to their township
    assert f'href="/reports/areas/{ids.county}"' not in village
    for outside in (ids.village_c, ids.township_2, ids.county):
        assert client.get(f"/reports/areas/{outside}").status_code == 404


def test_the_page_shows_each_chart_with_its_table(app, client, known):
    approver = user("county_approver", known.county.county)
    text = sign_in(client, approver).get("/reports/").get_data(as_text=True)
    # one table for each chart, one for the two of proposals waiting, and the assistance
    # measures' (declared and carried out: a table only)
    assert text.count("<caption>") == 11
    assert text.count('class="chart" role="img"') == text.count('role="img"') == 11  # the header's mark is decoration
    assert "<mark>75.00%</mark>" in text and "<mark>50.00%</mark>" in text  # under 100 % stands out
    assert "42.86%" in text  # 3 eliminated persons of 3 + 4 monitored
    assert 'class="marker"' in text  # the threshold line on the histogram


def test_an_enumerator_gets_403(client, known):
    someone = user("enumerator", known.county.village_a)
    assert sign_in(client, someone).get("/reports/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get("/reports/").status_code == 302


def test_the_headline_figures_come_first_and_the_layers_in_their_colours(app, client, known):
    approver = user("county_approver", known.county.county)
    text = sign_in(client, approver).get("/reports/").get_data(as_text=True)
    tiles = text[text.index('<ul class="tiles"'):text.index("</ul>", text.index('<ul class="tiles"'))]
    assert text.index('<ul class="tiles"') < text.index('class="chart"')
    for label in ("已走访 / 登记户数", "待审核记录", "未研判的风险提示", "监测户数", "风险消除率（按人数）", "超期在办申报"):
        assert f'<span class="tile-label">{label}</span>' in tiles
    assert "42.86%" in tiles  # the elimination rate, as in its table
    for layer in ("red", "orange", "yellow", "blue"):
        assert f'class="bar layer-{layer}"' in text


def test_until_the_worker_counts_a_changed_village_pages_show_its_stored_figures_with_their_time(
        app, known, queued_app):
    web = queued_app()  # jobs wait for a worker
    approver = user("county_approver", known.county.county)
    assert figures(web, approver).coverage[0][:2] == ("Township One", 4)  # nothing stored yet: counted by the page
    factories.household(known.county.village_b, "B2")
    db.session.commit()

    client = sign_in(web.test_client(), approver)
    page = client.get("/reports/").get_data(as_text=True)
    assert "数字统计于" in page and "正在后台重新统计，稍后刷新可见最新数字。" in page
    assert figures(web, approver).coverage[0][:2] == ("Township One", 4)  # as stored, B2 not yet counted
    recount = db.session.scalar(db.select(Job).where(Job.kind == stored_figures.RECOUNT_JOB))
    assert recount.state == "queued"

    assert run_a_consumer_until(web, recount.id) == "done"
    assert figures(web, approver).coverage[0][:2] == ("Township One", 5)
    assert "正在后台重新统计" not in client.get("/reports/").get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(Job, recount.id).rows_done, db.session.get(Job, recount.id).rows_total) == (1, 1)


def test_counting_no_village_again_stores_nothing(app, known):
    """What the recount does when nothing is stale (a caller passing what stale_villages found):
    no row, no error (it sent an INSERT of no values)."""
    campaign = db.session.scalar(db.select(Campaign))
    before = db.session.scalar(db.select(db.func.count()).select_from(VillageFigures))
    assert stored_figures.refill_stale(campaign, {}, {}) == ({}, {})
    assert db.session.scalar(db.select(db.func.count()).select_from(VillageFigures)) == before
