"""Department warning lists in: matching people to households (normalised IDs), one clue per
household, persons not found kept, every bad row listed, all or nothing, the same file again
changes nothing; and the CLI."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.clues.models import Clue, ClueEvent, WarningList, WarningRow
from app.extensions import db
from tests import factories
from tests.clue_setup import TODAY, county_admin, csv_bytes, full_width, id_ending_in_x, run
from tests.sync_setup import field


@pytest.fixture
def setup(county):
    built = field(county)
    built.admin = county_admin(county)
    built.x_member = factories.member("head", name="赵六", id_number=id_ending_in_x())
    built.x_household = factories.household(county.village_a, "A-9", members=[built.x_member])
    return built


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_people_are_matched_by_their_normalised_number_and_each_household_gets_one_clue(setup):
    head, spouse = setup.household.ordered_members
    stranger = factories.id_number()
    data = csv_bytes([
        [head.id_number, "王五", "住院自付费用高", "2026-06-03", "23,456.70", ""],
        [full_width(spouse.id_number), "李梅", "住院自付费用高", "2026/06/05", "", "复诊"],
        [setup.x_member.id_number.lower(), "赵六", "门诊慢特病", "20260610", "1200", ""],
        [setup.second.ordered_members[0].id_number + "21", "张三", "残疾人证新办", "2026-06-11", "", ""],
        [stranger, "无名", "住院自付费用高", "2026-06-12", "", ""],
    ])
    report = run(setup.admin, data)
    assert report.ok, [problem.reason for problem in report.problems]
    assert (report.rows_read, report.households_matched, report.persons_not_found, report.clues) == (5, 3, 1, 3)
    clue = db.session.scalar(select(Clue).where(Clue.household_id == setup.household.id))
    assert [(row.row_number, row.name, row.amount_fen) for row in clue.rows] == [(2, "王五", 2345670), (3, "李梅", None)]
    assert clue.state == "assigned" and clue.assignee_id == setup.enumerator.id  # the campaign's enumerator
    assert clue.verify_due == TODAY + dt.timedelta(days=15)
    unassigned = db.session.scalar(select(Clue).where(Clue.household_id == setup.x_household.id))
    assert (unassigned.state, unassigned.assignee_id) == ("pushed", None)
    [missing] = db.session.scalars(select(WarningRow).where(WarningRow.household_id.is_(None)))
    assert (missing.person_key, missing.clue_id) == (stranger, None)
    assert [(e.action, e.to_state) for e in db.session.scalars(
        select(ClueEvent).where(ClueEvent.clue_id == clue.id).order_by(ClueEvent.id))] == \
        [("push", "pushed"), ("assign", "assigned")]
    listed = db.session.scalar(select(WarningList))
    assert (listed.rows_read, listed.rows_matched, listed.rows_not_found) == (5, 4, 1)


def test_english_headers_are_read_too(setup):
    head = setup.household.ordered_members[0]
    data = csv_bytes([[head.id_number, "Wang", "new minimum living allowance", "2026-06-03", "", ""]],
                     headers=["id_number", "name", "reason", "event_date", "amount", "note"])
    assert run(setup.admin, data, "civil_affairs").households_matched == 1


def test_every_bad_row_is_listed_and_nothing_is_written(setup):
    head = setup.household.ordered_members[0]
    data = csv_bytes([
        [head.id_number[:-1] + ("0" if head.id_number[-1] != "0" else "1"), "王五", "住院", "2026-06-03", "", ""],
        [head.id_number, "王五", "", "2026-06-03", "", ""],
        [head.id_number, "王五", "住院", "2026-13-40", "", ""],
        [head.id_number, "王五", "住院", "2026-06-03", "一千", ""],
        [head.id_number, "王五", "住院", "2026-07-02", "", ""],
        [head.id_number, "王五", "住院", "2026-06-04", "", ""],
        [head.id_number, "王五", "住院", "2026-06-04", "", ""],
    ])
    for dry_run in (True, False):
        report = run(setup.admin, data, dry_run=dry_run)
        assert [(p.row, p.column) for p in report.problems] == [
            (2, "证件号码"), (3, "预警事项"), (4, "发生日期"), (5, "金额"), (6, "发生日期"), (8, "证件号码")]
        assert report.rows_with_errors == 6
        assert _count(WarningRow) == _count(Clue) == _count(WarningList) == 0


def test_a_missing_column_is_a_problem_with_the_whole_file(setup):
    report = run(setup.admin, csv_bytes([["x", "y"]], headers=["证件号码", "姓名"]))
    assert [(p.row, p.column) for p in report.problems] == [(None, "预警事项"), (None, "发生日期")]


def test_a_dry_run_counts_what_the_import_would_do_and_writes_nothing(setup):
    data = csv_bytes([[setup.household.ordered_members[0].id_number, "王五", "住院", "2026-06-03", "", ""]])
    report = run(setup.admin, data, dry_run=True)
    assert (report.ok, report.households_matched, report.clues) == (True, 1, 1)
    assert _count(WarningRow) == _count(Clue) == _count(WarningList) == _count(ClueEvent) == 0


def test_the_same_file_again_changes_nothing_and_a_warning_already_stored_is_not_stored_again(setup):
    head, spouse = setup.household.ordered_members
    first = csv_bytes([[head.id_number, "王五", "住院", "2026-06-03", "", ""]])
    run(setup.admin, first)
    again = run(setup.admin, first)
    assert again.file_already_imported and again.ok
    assert (_count(WarningList), _count(WarningRow), _count(Clue)) == (1, 1, 1)
    # Another file repeating that warning and adding one: only the new one is stored.
    second = csv_bytes([[head.id_number, "王五", "住院", "2026-06-03", "", "重发"],
                        [spouse.id_number, "李梅", "住院", "2026-06-20", "", ""]])
    report = run(setup.admin, second)
    assert (report.rows_already_imported, report.households_matched) == (1, 1)
    assert (_count(WarningList), _count(WarningRow), _count(Clue)) == (2, 2, 2)


def test_an_unknown_department_is_refused(setup):
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput):
        run(setup.admin, csv_bytes([]), "police")


def test_the_cli_prints_the_counts_and_fails_on_errors(setup, runner, tmp_path):
    head = setup.household.ordered_members[0]
    good = tmp_path / "list.csv"
    good.write_bytes(csv_bytes([[head.id_number, "王五", "住院", "2026-06-03", "", ""],
                                [factories.id_number(), "无名", "住院", "2026-06-03", "", ""]]))
    dry = runner.invoke(args=["warnings", "import", str(good), "--department", "medical_insurance", "--dry-run",
                              "--lang", "en"])
    assert dry.exit_code == 0, dry.output
    assert "Rows read: 2" in dry.output and "Households matched: 1" in dry.output
    assert _count(WarningRow) == 0
    done = runner.invoke(args=["warnings", "import", str(good), "--department", "medical_insurance"])
    assert done.exit_code == 0, done.output
    assert "共读取 2 行" in done.output and "匹配到 1 户" in done.output and "查无此人 1 人" in done.output
    assert _count(Clue) == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["123", "王五", "住院", "2026-06-03", "", ""]]))
    failed = runner.invoke(args=["warnings", "import", str(bad), "--department", "medical_insurance"])
    assert failed.exit_code == 1
    assert "有错误的行 1 行" in failed.output and "第 2 行" in failed.output


def test_each_steps_last_day_comes_from_the_campaigns_limits(setup):
    setup.campaign.clue_verify_days, setup.campaign.clue_village_review_days = 10, 3
    setup.campaign.clue_township_review_days = 7
    db.session.commit()
    run(setup.admin, csv_bytes([[setup.household.ordered_members[0].id_number, "王五", "住院", "2026-06-03", "", ""]]))
    clue = db.session.scalar(select(Clue))
    assert (clue.verify_due, clue.village_review_due, clue.township_review_due) == \
        (dt.date(2026, 7, 11), dt.date(2026, 7, 14), dt.date(2026, 7, 21))
