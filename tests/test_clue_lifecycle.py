"""A clue's life through the services and pages: verified, judged by the village (a risk
found starts the identification with channel "department warning", or updates a monitored
household's risk types), reviewed by the township; scope; the feedback file."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import clock
from app.clues import services
from app.clues.models import Clue, ClueEvent
from app.extensions import db
from app.jobs.models import Job
from app.monitoring.models import MonitoringEvent, Proposal
from tests import factories
from tests.clue_setup import county_admin, csv_bytes, run
from tests.jobs_setup import queued_app as queued_app  # noqa: F401  (the fixture)
from tests.jobs_setup import run_a_consumer_until
from tests.monitoring_setup import identified, lifecycle, signed_in
from tests.test_exports import bare_get, read_xlsx_bytes


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


@pytest.mark.parametrize("who", ["reviewer", "township", "county_approver", "admin"])
def test_the_feedback_file_answers_whole_to_a_bare_client_for_every_role_allowed(setup, app, who):
    """As a real server runs it: no application context of the test's around the streamed body."""
    clue = _clue_of(setup, setup.household)
    db.session.commit()
    status, body = bare_get(app, getattr(setup, who).get_id(), f"/clues/lists/{clue.list_id}/feedback.xlsx")
    assert status == 200, body[:300]
    assert read_xlsx_bytes(body)[1][5] == "A-1"


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


def _upload(page, rows, *, dry_run: bool = False, department: str = "civil_affairs"):
    return page.post("/clues/upload", data={
        "department": department, "csrf_token": page.csrf_token(), **({"dry_run": "1"} if dry_run else {}),
        "file": (io.BytesIO(csv_bytes(rows)), "民政.csv")}, content_type="multipart/form-data")


def _kept(app) -> list[Path]:
    return sorted((Path(app.config["JOBS_DIR"]) / "uploads").glob("warnings-*"))


def test_the_upload_page_lists_every_bad_row(setup, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "JOBS_DIR", str(tmp_path / "jobs"))
    page = signed_in(app, setup.admin)
    answer = _upload(page, [["123", "王五", "低保", "2026-06-01", "", ""]], dry_run=True)
    # Checking the list is a job; it fails with every bad row on its page.
    assert answer.status_code == 303
    shown = page.get(answer.location).get_data(as_text=True)
    assert "作业失败：文件中有问题，没有导入任何数据" in shown
    assert "证件号码应为 18 位" in shown and "民政" in shown and "试运行" in shown
    assert _kept(app) == []
    page.post("/locale", data={"locale": "en"})
    assert "An ID number has 18 characters" in page.get(answer.location).get_data(as_text=True)


def test_an_uploaded_list_is_matched_and_imported_as_a_job_with_its_progress(setup, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "JOBS_DIR", str(tmp_path / "jobs"))
    head = setup.household.ordered_members[0]
    page = signed_in(app, setup.admin)
    answer = _upload(page, [[head.id_number, head.name, "低保", "2026-06-01", "", ""],
                            [factories.id_number(), "无名", "低保", "2026-06-01", "", ""]])
    job = db.session.scalar(select(Job))
    assert (job.kind, job.state, job.rows_done, job.rows_total) == ("warning_import", "done", 2, 2)
    shown = page.get(answer.location).get_data(as_text=True)
    assert "预警名单已导入，推送线索 1 条。" in shown and "查无此人 1 人" in shown
    assert db.session.scalar(select(Clue)).household_id == setup.household.id
    assert _kept(app) == []
    # Another admin of the county does not see this job.
    other = factories.user("admin2", "county_admin", [setup.county.county])
    assert signed_in(app, other).get(answer.location).status_code == 404


def test_a_list_that_is_no_table_is_refused_on_the_page(setup, app):
    page = signed_in(app, setup.admin)
    answer = page.post("/clues/upload", data={"department": "civil_affairs", "csrf_token": page.csrf_token(),
                                              "file": (io.BytesIO(b"hello"), "list.txt")},
                       content_type="multipart/form-data")
    assert answer.status_code == 422 and "只能导入 XLSX 或 CSV 文件。" in answer.get_data(as_text=True)
    assert db.session.scalar(select(Job)) is None


def test_the_same_list_is_not_imported_twice_at_once_and_waits_for_a_worker(setup, queued_app):
    web = queued_app()
    head = setup.household.ordered_members[0]
    rows = [[head.id_number, head.name, "低保", "2026-06-01", "", ""]]
    page = signed_in(web, setup.admin)
    first = _upload(page, rows)
    assert "排队中" in page.get(first.location).get_data(as_text=True)
    assert _upload(page, rows).location == first.location  # on its way already
    assert len(_kept(web)) == 1  # the second copy was not kept
    job_id = int(first.location.rsplit("/", 1)[1])
    assert run_a_consumer_until(web, job_id) == "done"
    assert _kept(web) == [] and db.session.scalar(select(func.count()).select_from(Clue)) == 1


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
