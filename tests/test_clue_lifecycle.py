"""A clue's life through the services and pages: verified, judged by the village (a risk
found starts the identification with channel "department warning", or updates a monitored
household's risk types), reviewed by the township; scope; the feedback file."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import clock
from app.clues import services
from app.clues.models import Clue, ClueEvent
from app.extensions import db
from app.monitoring.models import MonitoringEvent, Proposal
from tests.clue_setup import county_admin, csv_bytes, run
from tests.monitoring_setup import identified, lifecycle, signed_in


@pytest.fixture
def setup(county, app):
    built = lifecycle(county, app)
    built.admin = county_admin(county)
    return built


def _clue_of(setup, household) -> Clue:
    head = household.ordered_members[0]
    run(setup.admin, csv_bytes([[head.id_number, head.name, "住院自付费用高", "2026-06-03", "30000", ""]]))
    return db.session.scalar(select(Clue).where(Clue.household_id == household.id))


def _fresh(clue) -> Clue:
    db.session.expire_all()
    return db.session.get(Clue, clue.id)


def test_a_risk_found_is_judged_by_the_village_and_starts_the_identification(setup, app):
    clue = _clue_of(setup, setup.household)
    services.verify(setup.enumerator, clue, result="risk_found", reason="", note="住院花费大", client_id=None)
    clue = _fresh(clue)
    page = signed_in(app, setup.reviewer)
    shown = page.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert "村级研判" in shown and "乡镇审核通过" not in shown  # only what the village may do now
    answer = page.post(f"/clues/{clue.id}/act", data={
        "action": "village_review", "version": clue.version, "reason": "大病支出，申报纳入监测",
        "category": "sudden_hardship", "risk_types": ["01"], "csrf_token": page.csrf_token()})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    clue = _fresh(clue)
    proposal = db.session.get(Proposal, clue.proposal_id)
    assert (clue.state, proposal.channel, proposal.clue_date, proposal.state) == \
        ("village_reviewed", "department_warning", clue.pushed_on, "proposed")
    services.act(setup.township, clue, "approve", clue.version)
    clue = _fresh(clue)
    assert (clue.state, clue.reviewed_by_id) == ("closed", setup.township.id)
    assert [e.action for e in db.session.scalars(select(ClueEvent).where(ClueEvent.clue_id == clue.id)
                                                 .order_by(ClueEvent.id))] == \
        ["push", "assign", "verify", "village_review", "approve"]

    county_page = signed_in(app, setup.admin)
    file = county_page.get(f"/clues/lists/{clue.list_id}/feedback.xlsx")
    assert file.status_code == 200
    rows = list(load_workbook(io.BytesIO(file.get_data())).active.iter_rows(values_only=True))
    assert rows[0][:7] == ("行号", "证件号码", "姓名", "预警事项", "发生日期", "户编号", "核查结果")
    assert rows[1][5:7] == ("A-1", "发现风险") and rows[1][9] == setup.township.display_name


def test_a_risk_found_on_a_monitored_household_updates_its_risk_types(setup):
    identification = identified(setup)
    clue = _clue_of(setup, setup.household)
    services.verify(setup.enumerator, clue, result="risk_found", reason="", note="")
    services.village_review(setup.reviewer, _fresh(clue), _fresh(clue).version, reason="新增因病风险",
                            risk_types=["01", "02"])
    clue = _fresh(clue)
    assert clue.state == "village_reviewed" and clue.proposal_id is None
    assert db.session.get(Proposal, identification.id).risk_types == ["01", "02"]
    event = db.session.scalars(select(MonitoringEvent).order_by(MonitoringEvent.id.desc())).first()
    assert (event.action, event.changes) == ("already_monitored", {"risk_types": [["01"], ["01", "02"]]})


def test_a_refused_proposal_keeps_the_clue_verified(setup):
    clue = _clue_of(setup, setup.household)
    services.verify(setup.enumerator, clue, result="risk_found", reason="", note="")
    with pytest.raises(services.InvalidInput):
        services.village_review(setup.reviewer, _fresh(clue), _fresh(clue).version, reason="申报",
                                category=None, risk_types=["01"])
    assert _fresh(clue).state == "verified" and db.session.scalar(select(Proposal.id)) is None


def test_no_risk_needs_a_reason_and_the_township_may_refer_then_conclude(setup):
    clue = _clue_of(setup, setup.household)
    with pytest.raises(services.InvalidInput):
        services.verify(setup.enumerator, clue, result="no_risk", reason=" ", note="")
    services.verify(setup.enumerator, _fresh(clue), result="no_risk", reason="已报销，负担不重", note="")
    services.village_review(setup.reviewer, _fresh(clue), _fresh(clue).version)
    services.act(setup.township, _fresh(clue), "refer", _fresh(clue).version, reason="请医保局会商")
    services.act(setup.township, _fresh(clue), "conclude", _fresh(clue).version, reason="会商：无风险")
    assert _fresh(clue).state == "closed"


def test_another_villages_clue_answers_404_and_an_older_version_409(setup, app):
    clue = _clue_of(setup, setup.household)
    assert signed_in(app, setup.reviewer_b).get(f"/clues/{clue.id}").status_code == 404
    page = signed_in(app, setup.reviewer)
    stale = page.post(f"/clues/{clue.id}/act", data={"action": "assign", "version": clue.version + 5,
                                                     "assignee": setup.enumerator.id,
                                                     "csrf_token": page.csrf_token()})
    assert stale.status_code == 409


def test_the_pages_show_each_office_what_it_has(setup, app):
    clue = _clue_of(setup, setup.household)
    county = signed_in(app, setup.admin).get("/clues/").get_data(as_text=True)
    assert "医保" in county and "医保预警.csv" in county and "Township One" in county
    services.verify(setup.enumerator, clue, result="no_risk", reason="无", note="")
    village = signed_in(app, setup.reviewer).get("/clues/").get_data(as_text=True)
    assert "待审核的线索" in village and "A-1" in village
    assert "A-1" not in signed_in(app, setup.reviewer_b).get("/clues/").get_data(as_text=True)
    upload = signed_in(app, setup.admin).get("/clues/upload")
    assert upload.status_code == 200 and "预警部门" in upload.get_data(as_text=True)
    assert signed_in(app, setup.reviewer).get("/clues/upload").status_code == 403


def test_the_upload_page_lists_every_bad_row(setup, app):
    page = signed_in(app, setup.admin)
    answer = page.post("/clues/upload", data={
        "department": "civil_affairs", "dry_run": "1", "csrf_token": page.csrf_token(),
        "file": (io.BytesIO(csv_bytes([["123", "王五", "低保", "2026-06-01", "", ""]])), "民政.csv")},
        content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "证件号码应为 18 位" in answer.get_data(as_text=True)


def test_a_clue_a_visit_raised_starts_the_identification_with_the_visits_channel(setup):
    clue = services.raise_from_visit(setup.enumerator, setup.household, "户主住院，务工中断", clock.today())
    db.session.commit()
    assert (clue.state, clue.assignee_id, clue.list_id) == ("assigned", setup.enumerator.id, None)
    services.verify(setup.enumerator, clue, result="risk_found", reason="", note="住院花费大", client_id=None)
    clue = _fresh(clue)
    services.village_review(setup.reviewer, clue, clue.version, reason="大病支出，申报纳入监测",
                            category="sudden_hardship", risk_types=["01"])
    clue = _fresh(clue)
    proposal = db.session.get(Proposal, clue.proposal_id)
    assert (proposal.channel, proposal.clue_date, proposal.state) == ("duty_visit", clue.pushed_on, "proposed")
