"""The policy's hard rules on identification and risk elimination (DOMAIN §5, §8–§12): each
one refused where the policy says no, with a message saying why, and the pages that follow."""
import datetime as dt

import pytest
from sqlalchemy import select

from app import clock
from app.campaigns.models import Campaign
from app.errors import InvalidInput
from app.extensions import db
from app.figures.counts import village_counts
from app.monitoring import elimination, queries, services
from app.monitoring.models import MonitoringEvent, Proposal
from tests import factories
from tests.monitoring_setup import (
    LOW_INCOME,
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


def make_out_of_poverty(household):
    household = fresh(household)
    household.household_type, household.poverty_subtype = "out_of_poverty", "general"
    db.session.commit()
    return household


# Category fits household type (§8, §10) -------------------------------------------------------

@pytest.mark.parametrize(("out_of_poverty", "category", "allowed"), [
    (False, "marginal", True),
    (False, "sudden_hardship", True),
    (False, "unstable_out_of_poverty", False),
    (True, "unstable_out_of_poverty", True),
    (True, "sudden_hardship", True),
    (True, "marginal", False),
])
def test_the_category_must_fit_the_household_type(setup, out_of_poverty, category, allowed):
    household = make_out_of_poverty(setup.household) if out_of_poverty else setup.household
    if allowed:
        assert propose(setup, household, category=category).category == category
    else:
        with pytest.raises(InvalidInput) as refused:
            propose(setup, household, category=category)
        assert refused.value.field == "category"
        assert "只适用于" in refused.value.message
        assert events() == []


def test_the_category_is_checked_again_when_the_township_approves(setup):
    proposal = propose(setup, category="marginal")
    to_township(setup.reviewer, proposal, START)
    make_out_of_poverty(setup.household)  # a roster import changed the household type meanwhile
    with pytest.raises(InvalidInput, match="边缘易致贫户只适用于一般农户"):
        services.act(setup.township, fresh(proposal), "approve", fresh(proposal).version,
                     today=START + dt.timedelta(days=6))
    assert (fresh(proposal).state, fresh(setup.household).monitored_category) == ("awaiting_township", None)


def test_the_proposal_form_offers_only_the_categories_that_fit(setup, app):
    reviewer = signed_in(app, setup.reviewer)
    page = reviewer.get(f"/monitoring/assessment/{setup.flagged.id}").get_data(as_text=True)
    assert 'value="marginal"' in page and 'value="sudden_hardship"' in page
    assert 'value="unstable_out_of_poverty"' not in page
    make_out_of_poverty(setup.second)
    page = reviewer.get(f"/monitoring/households/{setup.second.id}/propose").get_data(as_text=True)
    assert 'value="unstable_out_of_poverty"' in page and 'value="sudden_hardship"' in page
    assert 'value="marginal"' not in page


# Consent (承诺授权书, §10 step 1) ------------------------------------------------------------

@pytest.mark.parametrize(("consent", "signature"), [(False, "uploaded"), (True, "none"), (True, "declared")])
def test_no_proposal_without_the_households_consent_on_its_approved_record(setup, app, consent, signature):
    record = approved_record(app, setup, setup.household, setup.reviewer, income=LOW_INCOME, consent=consent,
                             signature=signature)
    with pytest.raises(InvalidInput, match="承诺授权书"):
        services.propose_identification(setup.reviewer, setup.household, setup.campaign, channel="visit_screening",
                                        submission=record, category="marginal", risk_types=["01"], note="收入低")
    with pytest.raises(InvalidInput, match="承诺授权书"):
        propose(setup)  # another channel rests on the latest approved record: this one
    assert events() == []

    reviewer = signed_in(app, setup.reviewer)
    page = reviewer.get(f"/monitoring/assessment/{record.id}").get_data(as_text=True)
    assert "不能申报" in page and "承诺授权书" in page and ">申报</button>" not in page
    assert "登记不纳入" in page  # the village can still say why it does not propose
    clue = reviewer.get(f"/monitoring/households/{setup.household.id}/propose").get_data(as_text=True)
    assert "不能申报" in clue and ">申报</button>" not in clue
    listed = reviewer.get("/monitoring/assessment").get_data(as_text=True)
    assert "无承诺授权书" in listed
    response = reviewer.post(f"/monitoring/assessment/{record.id}/propose",
                             data={"category": "marginal", "risk_types": ["01"], "note": "收入低"})
    refused = response.get_data(as_text=True)
    assert response.status_code == 422 and "承诺授权书" in refused
    assert refused.count("承诺授权书") == 1  # said once, not again beside the form


def test_a_signed_consent_on_the_approved_record_allows_the_proposal(setup, app):
    proposal = propose(setup)
    assert proposal.state == "proposed"
    listed = signed_in(app, setup.reviewer).get("/monitoring/assessment").get_data(as_text=True)
    assert "无承诺授权书" not in listed


# The public notice (公示, §10) ----------------------------------------------------------------

def on_notice(setup, start=START, **fields):
    proposal = propose(setup, **fields)
    services.act(setup.reviewer, proposal, "appraise", proposal.version, on_date=start, today=start)
    services.act(setup.reviewer, proposal, "start_notice", proposal.version, on_date=start, today=start)
    return fresh(proposal)


def notice(app, setup):
    client = signed_in(app, setup.reviewer)
    village = setup.county.village_a.id
    return (client.get(f"/monitoring/notice?village={village}").get_data(as_text=True),
            client.get(f"/monitoring/notice.csv?village={village}").get_data(as_text=True))


def test_the_notice_states_its_period_and_where_to_object(setup, app):
    on_notice(setup)  # 2 March for the campaign's 5 days: 2–6 March
    page, export = notice(app, setup)
    assert "公示期：2026年3月2日 至 2026年3月6日" in page
    assert 'class="seal"' in page and "（盖章）" in page  # where the village committee seals it when posted
    assert "2026-03-02 至 2026-03-06" in export.splitlines()[1]
    assert "异议电话未设置" in page  # the admin is told, on screen only
    township = fresh(setup.county.township_1)
    township.objection_phone = "0871-1111111"
    db.session.commit()
    page, _export = notice(app, setup)
    assert "0871-1111111" in page and "异议电话未设置" not in page
    village = fresh(setup.county.village_a)
    village.objection_phone = "0871-2222222"
    db.session.commit()
    page, _export = notice(app, setup)
    assert "0871-2222222" in page and "0871-1111111" not in page


def test_the_notice_hides_risk_types_that_reveal_health_unless_the_county_shows_them(setup, app):
    on_notice(setup, risk_types=["01", "03", "0201"])
    page, export = notice(app, setup)
    for text in (page, export):
        assert "洪涝灾害" in text and "因病" not in text and "因残" not in text
    campaign = fresh(setup.campaign)
    campaign.notice_shows_health = True
    db.session.commit()
    page, export = notice(app, setup)
    for text in (page, export):
        assert "因病、因残、洪涝灾害" in text


# Risk elimination (§11 as DOMAIN states it) ---------------------------------------------------

def monitored(setup, app, *, since=dt.date(2025, 6, 2), measure_on=dt.date(2025, 8, 1)):
    """A-1 identified on ``since`` with a measure carried out on ``measure_on``; its low-income
    record is from before the identification."""
    recorded_on(setup.flagged, since - dt.timedelta(days=1))
    identified(setup, since)
    household = fresh(setup.household)
    carried_out(setup, household, measure_on, measure_type="employment", note="介绍到县城务工")
    return fresh(household)


def unmet_codes(setup, household) -> list[str]:
    facts = queries.elimination_facts(fresh(household), fresh(setup.campaign), clock.today())
    return [item.code for item in elimination.unmet(facts)]


def test_a_measure_from_before_the_current_identification_does_not_count(setup, app):
    household = monitored(setup, app, since=dt.date(2025, 6, 2), measure_on=dt.date(2025, 5, 20))
    approved_record(app, setup, household, setup.reviewer)  # 18,000 a head today
    assert unmet_codes(setup, household) == ["assistance_measure"]
    # carried out on the day the identification was approved: of the current period
    carried_out(setup, fresh(household), dt.date(2025, 6, 7), measure_type="industry", note="种植补贴")
    assert unmet_codes(setup, household) == []


def test_a_measure_only_declared_does_not_count_and_the_page_says_so(setup, app):
    """§11 and §12: a measure counts once carried out in the current monitoring period; one
    declared before the identification and carried out after it counts."""
    recorded_on(setup.flagged, dt.date(2025, 6, 1))
    identified(setup, dt.date(2025, 6, 2))  # approved on 2025-06-07
    household = fresh(setup.household)
    approved_record(app, setup, household, setup.reviewer)  # 18,000 a head today
    measure = services.declare_measure(setup.reviewer, fresh(household), measure_type="employment",
                                       declared_on=dt.date(2025, 6, 3), note="公益岗位")
    assert unmet_codes(setup, household) == ["assistance_measure_declared"]
    facts = queries.elimination_facts(fresh(household), fresh(setup.campaign), clock.today())
    assert (facts.measures, facts.declared_measures) == (0, 1)
    page = signed_in(app, setup.reviewer).get(f"/monitoring/households/{household.id}").get_data(as_text=True)
    assert "本次纳入监测以来还没有落实的帮扶措施：已申报 1 项，尚未落实，至少需要落实一项。" in page
    assert "申报风险消除</button>" not in page
    services.carry_out_measure(setup.reviewer, fresh(measure), dt.date(2025, 6, 20))
    assert unmet_codes(setup, household) == []


def earlier_census_record(setup, household, income: dict):
    """An approved record of the household in the census round before this one (a household
    has one record per round: earlier income figures come from earlier rounds, or visits)."""
    import uuid

    from app.census import definitions
    from app.census import services as census
    from app.records.models import Submission, SubmissionRevision
    from tests.sync_setup import answers

    last = Campaign(name="2025年收入普查", year=2025, form_version=setup.campaign.form_version)
    db.session.add(last)
    db.session.flush()
    record_answers = answers(household)
    record_answers["income"] = income
    result = census.evaluate(household, setup.campaign, record_answers, definitions.get(last.form_version))
    submission = Submission(id=str(uuid.uuid4()), household_id=household.id, campaign_id=last.id,
                            enumerator_id=setup.enumerator.id, revision=1, status="approved")
    db.session.add_all([submission, SubmissionRevision(
        submission=submission, number=1, answers=record_answers, content_sha256="e" * 64,
        form_version=last.form_version, server_result=result, enumerator_id=setup.enumerator.id)])
    db.session.commit()
    return submission


def test_every_income_figure_of_the_last_six_months_counts_not_only_the_latest(setup, app):
    household = monitored(setup, app)
    low = earlier_census_record(setup, household, LOW_INCOME)
    recorded_on(low, clock.today() - dt.timedelta(days=60))
    approved_record(app, setup, household, setup.reviewer)  # the latest: 18,000 a head
    assert unmet_codes(setup, household) == ["income_above_threshold", "income_after_rigid_costs_above_threshold"]
    page = signed_in(app, setup.reviewer).get(f"/monitoring/households/{household.id}").get_data(as_text=True)
    day = (clock.today() - dt.timedelta(days=60)).isoformat()
    assert f"{day} 入户记录的人均纯收入 3,000.00 元，未高于监测范围 8,700.00 元。" in page
    recorded_on(low, clock.today() - dt.timedelta(days=200))
    assert unmet_codes(setup, household) == []


def test_income_after_rigid_costs_must_be_above_the_line_too(setup, app):
    household = monitored(setup, app)
    approved_record(app, setup, household, setup.reviewer,
                    income={"wage_migrant": "24000", "out_of_pocket_medical": "8000"})  # 12,000 a head, 8,000 after
    assert unmet_codes(setup, household) == ["income_after_rigid_costs_above_threshold"]
    english = factories.user("reviewer_en", "village_reviewer", [setup.county.village_a], locale="en")
    page = signed_in(app, english).get(f"/monitoring/households/{household.id}").get_data(as_text=True)
    assert "income after rigid costs of ¥8,000.00 is not above the monitoring threshold of ¥8,700.00" in page


def test_the_rigid_cost_burden_must_be_resolved(setup, app):
    """A 突发严重困难户 is not eliminated on the very record that showed its medical costs."""
    household = monitored(setup, app)
    approved_record(app, setup, household, setup.reviewer,
                    income={"wage_migrant": "100000", "out_of_pocket_medical": "50000"})  # half the income
    assert unmet_codes(setup, household) == ["rigid_costs_resolved"]
    page = signed_in(app, setup.reviewer).get(f"/monitoring/households/{household.id}").get_data(as_text=True)
    assert "最近一次审核通过的记录仍有“刚性支出负担重”提示" in page
    approved_record(app, setup, household, setup.reviewer)  # the costs are behind it: 18,000 a head
    assert unmet_codes(setup, household) == []


# A flagged record of a household already monitored -------------------------------------------

def monitored_before(setup) -> Proposal:
    """A-1 identified in last year's campaign (risk type 01): monitored before this census."""
    last = Campaign(name="2025", year=2025, form_version=setup.campaign.form_version)
    db.session.add(last)
    db.session.commit()
    event = services.propose_identification(setup.reviewer, setup.household, last, channel="self_application",
                                            clue_date=dt.date(2025, 6, 2), category="marginal", risk_types=["01"],
                                            note="因病", today=dt.date(2025, 6, 2))
    proposal = db.session.get(Proposal, event.proposal_id)
    to_township(setup.reviewer, proposal, dt.date(2025, 6, 2))
    services.act(setup.township, proposal, "approve", proposal.version, today=dt.date(2025, 6, 8))
    return fresh(proposal)


def unresolved_in_figures(setup) -> int:
    village = setup.county.village_a.id
    counts = village_counts(fresh(setup.campaign), [village], {village: None})
    return sum(found.unresolved for found in counts.values())


def test_an_already_monitored_household_gets_its_own_resolution(setup, app):
    identification = monitored_before(setup)
    [row] = queries.assessment(setup.reviewer, setup.campaign)
    assert not row.resolved and unresolved_in_figures(setup) == 1
    with pytest.raises(InvalidInput, match="已是监测对象"):
        services.not_proposed(setup.reviewer, setup.flagged, "已纳入")  # it would say the opposite of the truth
    services.already_monitored(setup.reviewer, setup.flagged, "已更新帮扶措施：增加公益性岗位",
                               risk_types=["01", "0201"])
    assert fresh(identification).risk_types == ["01", "0201"]
    [row] = queries.assessment(setup.reviewer, setup.campaign)
    assert row.resolved and row.decision.outcome == "already_monitored"
    assert [(count.village.name, count.unresolved) for count in queries.unresolved_counts(setup.township,
                                                                                          setup.campaign)] \
        == [("Village A", 0), ("Village B", 1)]
    assert unresolved_in_figures(setup) == 0
    event = db.session.scalars(select(MonitoringEvent).order_by(MonitoringEvent.id.desc())).first()
    assert (event.action, event.proposal_id, event.reason, event.changes) == (
        "already_monitored", identification.id, "已更新帮扶措施：增加公益性岗位", {"risk_types": [["01"], ["01", "0201"]]})
    with pytest.raises(InvalidInput, match="已研判"):
        services.already_monitored(setup.reviewer, setup.flagged, "again")


def test_already_monitored_keeps_the_risk_types_unless_changed_and_needs_a_note(setup):
    identification = monitored_before(setup)
    with pytest.raises(InvalidInput) as refused:
        services.already_monitored(setup.reviewer, setup.flagged, " ")
    assert refused.value.field == "reason"
    with pytest.raises(InvalidInput) as refused:
        services.already_monitored(setup.reviewer, setup.flagged, "更新", risk_types=["77"])
    assert refused.value.field == "risk_types"
    services.already_monitored(setup.reviewer, setup.flagged, "帮扶措施已调整")
    assert fresh(identification).risk_types == ["01"]
    event = db.session.scalars(select(MonitoringEvent).order_by(MonitoringEvent.id.desc())).first()
    assert (event.action, event.changes) == ("already_monitored", None)


def test_only_a_monitored_households_record_is_resolved_as_already_monitored(setup):
    with pytest.raises(InvalidInput, match="不是监测对象"):
        services.already_monitored(setup.reviewer, setup.flagged, "已是监测对象")
    assert events() == []


def test_the_assessment_page_offers_the_already_monitored_resolution(setup, app):
    monitored_before(setup)
    reviewer = signed_in(app, setup.reviewer)
    page = reviewer.get(f"/monitoring/assessment/{setup.flagged.id}").get_data(as_text=True)
    assert "登记为已是监测对象" in page and "登记不纳入" not in page and ">申报</button>" not in page
    assert 'name="risk_types" value="01" checked' in page
    response = reviewer.post(f"/monitoring/assessment/{setup.flagged.id}/already-monitored",
                             data={"reason": "", "risk_types": ["01"]})
    assert response.status_code == 422 and "请写明更新了哪些风险类型或帮扶措施。" in response.get_data(as_text=True)
    response = reviewer.post(f"/monitoring/assessment/{setup.flagged.id}/already-monitored",
                             data={"reason": "增加健康帮扶", "risk_types": ["01"]})
    assert response.status_code == 302
    listed = reviewer.get("/monitoring/assessment").get_data(as_text=True)
    assert "已是监测对象：增加健康帮扶" in listed
