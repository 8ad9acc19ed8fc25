"""The identification lifecycle against the database: the assessment list and its counts,
one event per transition, the notice days and the county level, elimination with its §11
page, reversal and re-identification, the notice export, and each area seeing only itself."""
import datetime as dt

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from app import clock
from app.errors import InvalidInput
from app.extensions import db
from app.households.models import Household
from app.monitoring import queries, services, workflow
from app.monitoring.models import AssistanceMeasure, Objection, Proposal
from app.records.models import ReviewEvent
from tests import factories
from tests.monitoring_setup import (
    START,
    approved_record,
    carried_out,
    events,
    fresh,
    identified,
    lifecycle,
    propose,
    recorded_on,
    signed_in,
    to_township,
)


@pytest.fixture
def setup(county, app):
    return lifecycle(county, app)


def test_flagged_records_stay_on_the_list_until_resolved(setup):
    rows = queries.assessment(setup.reviewer, setup.campaign)
    assert [(row.household.household_number, row.resolved) for row in rows] == [("A-1", False)]
    counts = {row.village.name: (row.flagged, row.unresolved)
              for row in queries.unresolved_counts(setup.township, setup.campaign)}
    assert counts == {"Village A": (1, 1), "Village B": (1, 1)}
    with pytest.raises(InvalidInput, match="原因"):
        services.not_proposed(setup.reviewer, setup.flagged, "  ")
    services.not_proposed(setup.reviewer, setup.flagged, "已外出务工，收入稳定")
    assert queries.assessment(setup.reviewer, setup.campaign)[0].decision.reason == "已外出务工，收入稳定"
    assert [(row.village.name, row.unresolved) for row in queries.unresolved_counts(setup.township, setup.campaign)] \
        == [("Village A", 0), ("Village B", 1)]
    assert events() == [("not_proposed", None, None)]
    with pytest.raises(InvalidInput):
        services.not_proposed(setup.reviewer, setup.flagged, "again")
    with pytest.raises(workflow.RoleNotAllowed):
        services.not_proposed(setup.township, setup.flagged_b, "not the village's to say")


def test_the_approval_date_a_proposal_takes_is_the_countys_day(setup):
    """Approved at 18:30 UTC on 1 July, which is 02:30 on 2 July in Asia/Shanghai."""
    approval = db.session.scalar(select(ReviewEvent).where(ReviewEvent.submission_id == setup.flagged.id,
                                                           ReviewEvent.action == "approve"))
    approval.at = dt.datetime(2026, 7, 1, 18, 30, tzinfo=dt.UTC)
    db.session.commit()
    event = services.propose_identification(setup.reviewer, setup.household, setup.campaign,
                                            channel="visit_screening", submission=setup.flagged, category="marginal",
                                            risk_types=["01"], note="收入低于监测范围")
    assert db.session.get(Proposal, event.proposal_id).clue_date == dt.date(2026, 7, 2)


def test_proposing_from_the_record_resolves_its_flag_and_takes_the_approval_date(setup):
    event = services.propose_identification(setup.reviewer, setup.household, setup.campaign,
                                            channel="visit_screening", submission=setup.flagged, category="marginal",
                                            risk_types=["01", "04"], note="收入低于监测范围")
    proposal = db.session.get(Proposal, event.proposal_id)
    assert (proposal.clue_date, proposal.source_submission_id) == (clock.today(), setup.flagged.id)
    assert queries.assessment(setup.reviewer, setup.campaign)[0].resolved


@pytest.mark.parametrize("fields, field_name", [
    ({"category": None}, "category"),
    ({"risk_types": []}, "risk_types"),
    ({"risk_types": ["01", "02", "03", "04", "05", "06"]}, "risk_types"),
    ({"risk_types": ["77"]}, "risk_types"),
    ({"note": " "}, "note"),
    ({"clue_date": START + dt.timedelta(days=1)}, "clue_date"),
    ({"channel": "visit_screening"}, "channel"),
])
def test_a_proposal_needs_category_one_to_five_known_risk_types_and_a_note(setup, fields, field_name):
    with pytest.raises(InvalidInput) as refused:
        propose(setup, **fields)
    assert refused.value.field == field_name
    assert events() == []


def test_the_whole_identification_path_writes_one_event_per_transition(setup):
    proposal = propose(setup)
    to_township(setup.reviewer, proposal, START)
    services.act(setup.township, proposal, "approve", proposal.version, today=START + dt.timedelta(days=6))
    proposal = fresh(proposal)
    assert (proposal.state, proposal.decided_date) == ("approved", START + dt.timedelta(days=6))
    assert fresh(setup.household).monitored_category == "marginal"
    assert events(proposal) == [("propose", None, "proposed"), ("appraise", "proposed", "appraised"),
                                ("start_notice", "appraised", "on_notice"),
                                ("submit", "on_notice", "awaiting_township"),
                                ("approve", "awaiting_township", "approved")]
    with pytest.raises(InvalidInput, match="已是监测对象"):
        propose(setup)


def test_with_the_county_level_on_the_county_decides(setup):
    setup.campaign.county_approval_enabled = True
    db.session.commit()
    proposal = propose(setup)
    to_township(setup.reviewer, proposal, START)
    services.act(setup.township, proposal, "approve", proposal.version, today=START + dt.timedelta(days=5))
    assert (fresh(proposal).state, fresh(setup.household).monitored_category) == ("awaiting_county", None)
    with pytest.raises(workflow.RoleNotAllowed):
        services.act(setup.township, proposal, "approve", fresh(proposal).version)
    services.act(setup.county_approver, proposal, "approve", fresh(proposal).version)
    assert (fresh(proposal).state, fresh(setup.household).monitored_category) == ("approved", "marginal")


@pytest.mark.parametrize("notice_days", [5, 8])
def test_submission_waits_for_the_campaigns_notice_days(setup, notice_days):
    setup.campaign.public_notice_days = notice_days
    db.session.commit()
    proposal = propose(setup)
    services.act(setup.reviewer, proposal, "appraise", proposal.version, on_date=START, today=START)
    services.act(setup.reviewer, proposal, "start_notice", proposal.version, on_date=START, today=START)
    with pytest.raises(workflow.NoticeRunning):
        services.act(setup.reviewer, proposal, "submit", proposal.version,
                     today=START + dt.timedelta(days=notice_days - 1))
    services.act(setup.reviewer, proposal, "submit", proposal.version, today=START + dt.timedelta(days=notice_days))
    assert fresh(proposal).state == "awaiting_township"


def test_an_objection_or_a_rejection_sends_the_proposal_back_to_the_village(setup):
    proposal = propose(setup)
    services.act(setup.reviewer, proposal, "appraise", proposal.version, on_date=START, today=START)
    services.act(setup.reviewer, proposal, "start_notice", proposal.version, on_date=START, today=START)
    with pytest.raises(InvalidInput, match="异议"):
        services.act(setup.reviewer, proposal, "object", proposal.version, on_date=START, today=START)
    services.act(setup.reviewer, proposal, "object", proposal.version, reason="收入被低估了？不，被高估", on_date=START,
                 today=START + dt.timedelta(days=1))
    proposal = fresh(proposal)
    assert (proposal.state, proposal.appraisal_date, proposal.notice_start) == ("proposed", None, None)
    assert [(o.received_on, o.text) for o in db.session.scalars(select(Objection))] == [(START, "收入被低估了？不，被高估")]
    to_township(setup.reviewer, proposal, START + dt.timedelta(days=2))
    with pytest.raises(InvalidInput, match="原因"):
        services.act(setup.township, proposal, "reject", fresh(proposal).version)
    services.act(setup.township, proposal, "reject", fresh(proposal).version, reason="缺少医疗票据")
    assert (fresh(proposal).state, fresh(proposal).decision_reason) == ("proposed", "缺少医疗票据")
    assert [e[0] for e in events(proposal)] == ["propose", "appraise", "start_notice", "object", "appraise",
                                                "start_notice", "submit", "reject"]


def test_a_stale_version_is_refused_and_changes_nothing(setup):
    proposal = propose(setup)
    version = proposal.version
    services.act(setup.reviewer, proposal, "appraise", version, on_date=START, today=START)
    with pytest.raises(services.StaleVersion):
        services.act(setup.reviewer, fresh(proposal), "withdraw", version, reason="重复")
    assert fresh(proposal).state == "appraised" and len(events(proposal)) == 2


def test_another_areas_reviewer_cannot_act(setup):
    proposal = propose(setup)
    with pytest.raises(NotFound):
        services.act(setup.reviewer_b, proposal, "appraise", proposal.version, on_date=START, today=START)
    with pytest.raises(NotFound):
        services.not_proposed(setup.reviewer_b, setup.flagged, "不是本村的")
    assert len(events()) == 1


def test_elimination_reversal_and_re_identification(setup, app):
    identified(setup)
    household = fresh(setup.household)
    page = signed_in(app, setup.reviewer).get(f"/monitoring/households/{household.id}").get_data(as_text=True)
    assert "本次纳入监测以来还没有落实的帮扶措施，至少需要一项。" in page
    assert f"{clock.today().isoformat()} 入户记录的人均纯收入 3,000.00 元，未高于监测范围 8,700.00 元。" in page
    assert "纳入监测未满" not in page and "申报风险消除</button>" not in page
    carried_out(setup, household, dt.date(2025, 8, 1), measure_type="employment", note="介绍到县城务工")
    with pytest.raises(services.NotEligible) as refused:
        services.propose_elimination(setup.reviewer, household, setup.campaign, channel="through_assistance",
                                     note="增收")
    assert [item.code for item in refused.value.unmet] == ["income_above_threshold",
                                                          "income_after_rigid_costs_above_threshold"]
    recorded_on(setup.flagged, dt.date(2025, 6, 1))  # the low income is older than six months…
    approved_record(app, setup, household, setup.reviewer)  # …and a new record says 18,000 yuan a head
    page = signed_in(app, setup.reviewer).get(f"/monitoring/households/{household.id}").get_data(as_text=True)
    assert "风险消除条件均已满足。" in page
    event = services.propose_elimination(setup.reviewer, fresh(household), setup.campaign,
                                         channel="through_assistance", note="务工收入稳定")
    elimination = db.session.get(Proposal, event.proposal_id)
    assert (elimination.kind, elimination.category) == ("elimination", "marginal")
    to_township(setup.reviewer, elimination, clock.today())
    services.act(setup.township, elimination, "approve", fresh(elimination).version)
    assert fresh(household).monitored_category is None
    services.act(setup.township, elimination, "reverse", fresh(elimination).version, reason="再次患病")
    assert (fresh(elimination).state, fresh(household).monitored_category) == ("reversed", "marginal")
    assert [e[0] for e in events(elimination)] == ["propose", "appraise", "start_notice", "submit", "approve",
                                                   "reverse"]
    assert db.session.scalar(select(AssistanceMeasure.note)) == "介绍到县城务工"


def test_a_whole_household_without_labour_is_never_eliminated(setup, app):
    identified(setup)
    household = fresh(setup.household)
    household.without_labour = True
    db.session.commit()
    page = signed_in(app, setup.reviewer).get(f"/monitoring/households/{household.id}").get_data(as_text=True)
    assert "整户无劳动能力的监测对象不能申报风险消除。" in page


def test_re_identification_after_elimination(setup):
    first = identified(setup)
    household = fresh(setup.household)
    household.monitored_category = None  # as an approved elimination leaves it
    db.session.commit()
    again = propose(setup, category="sudden_hardship", clue_date=clock.today(), today=clock.today())
    assert again.id != first.id and again.state == "proposed"


SENSITIVE = ("13912345678", "6222020200112233445", "长期慢性病", "患有大病", "残疾", "一级")


def test_the_notice_shows_name_group_category_and_reason_only(setup, app):
    household = fresh(setup.household)
    db.session.get(type(setup.campaign), setup.campaign.id).notice_shows_health = True  # still no health detail
    household.phone = "13912345678"
    head = household.head
    head.serious_illness = head.chronic_illness = head.disabled = True
    head.disability_class = "1"
    db.session.commit()
    proposal = propose(setup, note="银行卡号 6222020200112233445，电话 13912345678，患有大病", risk_types=["01", "03"])
    services.act(setup.reviewer, proposal, "appraise", proposal.version, on_date=START, today=START)
    services.act(setup.reviewer, proposal, "start_notice", proposal.version, on_date=START, today=START)
    client = signed_in(app, setup.reviewer)
    village = setup.county.village_a.id
    page = client.get(f"/monitoring/notice?village={village}").get_data(as_text=True)
    export = client.get(f"/monitoring/notice.csv?village={village}").get_data(as_text=True)
    id_numbers = [member.id_number for member in fresh(setup.household).members]
    for text in (page, export):
        assert "王五" in text and "Group A1" in text and "边缘易致贫户" in text and "因病、因残" in text
        for secret in (*SENSITIVE, *id_numbers, *(number[-6:] for number in id_numbers)):
            assert secret not in text
    assert export.splitlines()[0] == "\ufeff姓名,村民小组,事项,监测对象类别,原因,公示期"
    assert export.splitlines()[1] == "王五,Group A1,识别纳入监测,边缘易致贫户,因病、因残,2026-03-02 至 2026-03-06"


def test_each_area_sees_only_itself(setup, app):
    proposal = propose(setup)
    other = signed_in(app, setup.reviewer_b)
    assert other.get(f"/monitoring/proposals/{proposal.id}").status_code == 404
    assert other.post(f"/monitoring/proposals/{proposal.id}/act",
                      data={"action": "appraise", "version": proposal.version, "on_date": START.isoformat()}
                      ).status_code == 404
    assert other.get(f"/monitoring/households/{setup.household.id}").status_code == 404
    assert other.get(f"/monitoring/assessment/{setup.flagged.id}").status_code == 404
    assert other.get(f"/monitoring/notice?village={setup.county.village_a.id}").status_code == 404
    assert other.get(f"/monitoring/notice.csv?village={setup.county.village_a.id}").status_code == 404
    for url in ("/monitoring/assessment", "/monitoring/queue", "/monitoring/register", "/monitoring/",
                "/monitoring/notice"):
        page = other.get(url).get_data(as_text=True)
        assert "A-1" not in page and "王五" not in page, url
    assert "B-1" in other.get("/monitoring/assessment").get_data(as_text=True)
    mine = signed_in(app, setup.reviewer)
    assert "A-1" in mine.get("/monitoring/queue").get_data(as_text=True)
    assert "B-1" not in mine.get("/monitoring/assessment").get_data(as_text=True)


def test_pages_answer_403_for_a_role_and_409_for_a_state_or_stale_page(setup, app):
    proposal = propose(setup)
    url = f"/monitoring/proposals/{proposal.id}/act"
    township = signed_in(app, setup.township)
    assert township.post(url, data={"action": "appraise", "version": proposal.version,
                                    "on_date": START.isoformat()}).status_code == 403
    reviewer = signed_in(app, setup.reviewer)
    assert reviewer.post(url, data={"action": "submit", "version": proposal.version}).status_code == 409
    response = reviewer.post(url, data={"action": "appraise", "version": proposal.version,
                                        "on_date": START.isoformat()})
    assert response.status_code == 302
    assert reviewer.post(url, data={"action": "withdraw", "version": proposal.version,
                                    "reason": "重复"}).status_code == 409
    response = reviewer.post(url, data={"action": "start_notice", "version": fresh(proposal).version})
    assert response.status_code == 422 and "请填写日期。" in response.get_data(as_text=True)
    assert signed_in(app, factories.user("collector", "enumerator", [setup.county.village_a])) \
        .get(f"/monitoring/proposals/{proposal.id}").status_code == 403
    assert len(events(proposal)) == 2


def test_the_queue_highlights_proposals_over_the_campaigns_day_limit(setup, app):
    propose(setup, clue_date=clock.today() - dt.timedelta(days=16), today=clock.today())
    propose(setup, household=fresh(setup.second), clue_date=clock.today() - dt.timedelta(days=15),
            today=clock.today())
    rows = queries.queue(setup.township, clock.today())
    assert [(row.proposal.household.household_number, row.days, row.late) for row in rows] == \
        [("A-1", 16, True), ("A-2", 15, False)]
    page = signed_in(app, setup.township).get("/monitoring/queue").get_data(as_text=True)
    assert "<mark>16 天（超期）</mark>" in page and "超过 15 天" in page
    campaign = fresh(setup.campaign)
    campaign.decision_days_limit = 10  # a county's own limit, data instead of configuration
    db.session.commit()
    assert [row.late for row in queries.queue(setup.township, clock.today())] == [True, True]
    page = signed_in(app, setup.township).get("/monitoring/queue").get_data(as_text=True)
    assert "<mark>15 天（超期）</mark>" in page and "超过 10 天" in page
    assert "DECISION_DAYS_LIMIT" not in app.config and "CIRCLE_LAYER_THRESHOLD_FEN" not in app.config


def test_pages_walk_the_path_from_the_assessment_to_the_register(setup, app):
    reviewer = signed_in(app, setup.reviewer)
    page = reviewer.get(f"/monitoring/assessment/{setup.flagged.id}").get_data(as_text=True)
    assert 'name="risk_types" value="01"' in page and "3,000.00" in page
    response = reviewer.post(f"/monitoring/assessment/{setup.flagged.id}/propose",
                             data={"category": "marginal", "risk_types": ["04"], "note": ""})
    assert response.status_code == 422 and "请填写申报说明。" in response.get_data(as_text=True)
    response = reviewer.post(f"/monitoring/assessment/{setup.flagged.id}/propose",
                             data={"category": "marginal", "risk_types": ["04", "07"], "note": "务工不稳"})
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert proposal.risk_types == ["04", "07"]
    today = clock.today().isoformat()
    for action, extra in (("appraise", {"on_date": today}), ("start_notice", {"on_date": today})):
        assert reviewer.post(f"/monitoring/proposals/{proposal.id}/act",
                             data={"action": action, "version": fresh(proposal).version, **extra}).status_code == 302
    response = reviewer.post(f"/monitoring/proposals/{proposal.id}/act",
                             data={"action": "submit", "version": fresh(proposal).version})
    assert response.status_code == 409 and "公示期未满" in response.get_data(as_text=True)
    clue = reviewer.post(f"/monitoring/households/{setup.second.id}/propose", data={
        "channel": "department_warning", "clue_date": today, "category": "sudden_hardship", "risk_types": ["05"],
        "note": "医保部门预警"})
    assert clue.status_code == 302
    assert db.session.scalar(select(Proposal.channel).where(Proposal.household_id == setup.second.id)) == \
        "department_warning"
    register = signed_in(app, setup.township).get("/monitoring/register").get_data(as_text=True)
    assert "没有监测对象。" in register
    db.session.get(Household, setup.household.id).monitored_category = "marginal"
    db.session.commit()
    assert "A-1" in signed_in(app, setup.township).get("/monitoring/register").get_data(as_text=True)


def test_elimination_is_checked_again_when_it_is_approved(setup, app):
    """§11 must still hold on the day of the decision, not only when the village proposed."""
    recorded_on(setup.flagged, dt.date(2025, 6, 1))
    identified(setup)
    household = fresh(setup.household)
    carried_out(setup, household, dt.date(2025, 8, 1), measure_type="employment", note="介绍到县城务工")
    approved_record(app, setup, household, setup.reviewer)
    event = services.propose_elimination(setup.reviewer, fresh(household), setup.campaign,
                                         channel="through_assistance", note="务工收入稳定")
    elimination = db.session.get(Proposal, event.proposal_id)
    to_township(setup.reviewer, elimination, clock.today())
    household = fresh(household)
    household.without_labour = True  # the only worker fell ill while the notice ran
    db.session.commit()
    with pytest.raises(services.NotEligible) as refused:
        services.act(setup.township, elimination, "approve", fresh(elimination).version)
    assert [item.code for item in refused.value.unmet] == ["without_labour"]
    assert (fresh(elimination).state, fresh(household).monitored_category) == ("awaiting_township", "marginal")
