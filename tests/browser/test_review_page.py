"""Returning a record on a phone (issue 15): the reviewer taps the fields to comment on, the
return form shows only those (by their names, not internal paths), approve and return sit
together in a bar at the bottom, and the queue comes back with its filters."""
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.records.models import ReviewComment, Submission
from tests import factories
from tests.browser.test_sign_in import sign_in
from tests.monitoring_setup import signed_in
from tests.sync_setup import field, push, record


@pytest.fixture
def waiting(county, app) -> Submission:
    """Household A-1's record (王五, 李梅), sent by its enumerator, waiting for village A's reviewer."""
    setup = field(county)
    sent = record(setup)
    push(signed_in(app, setup.enumerator), sent)
    factories.user("reviewer", "village_reviewer", [county.village_a])
    return db.session.get(Submission, sent["id"])


def test_a_reviewer_on_a_phone_returns_a_record_by_tapping_two_fields(page: Page, waiting):
    sign_in(page, "reviewer")
    page.goto("/review/?status=submitted")
    page.get_by_role("link", name="A-1").click()
    comments = page.locator("#return-form textarea")
    expect(comments.first).to_be_hidden()  # nothing chosen yet: no box of the record's ~40 fields shows
    bar = page.locator(".review-bar")
    expect(bar.get_by_role("button", name="通过")).to_be_in_viewport()
    expect(bar.get_by_role("button", name="退回修改")).to_be_in_viewport()

    page.get_by_role("button", name="对“家庭基本情况 · 联系电话”写意见").click()
    phone = page.get_by_role("textbox", name="家庭基本情况 · 联系电话")
    expect(phone).to_be_focused()
    phone.fill("号码少了一位")
    page.get_by_role("cell", name="李梅").click()  # the field itself, not its button
    name = page.get_by_role("textbox", name="家庭成员 2 · 姓名")
    expect(name).to_be_focused()
    name.fill("请核对姓名")
    expect(page.locator("#return-form textarea:visible")).to_have_count(2)
    expect(page.locator("#return-form")).not_to_contain_text("members[")
    bar.get_by_role("button", name="退回修改").click()

    expect(page.get_by_role("status")).to_contain_text("已退回 A-1 户的记录。")
    assert "status=submitted" in page.url  # the queue as the reviewer left it
    db.session.expire_all()
    assert db.session.get(Submission, waiting.id).status == "returned"
    assert sorted((c.path, c.text) for c in db.session.scalars(select(ReviewComment))) == [
        ("household.phone", "号码少了一位"), ("members[1].name", "请核对姓名")]


def test_approving_asks_first(page: Page, waiting):
    sign_in(page, "reviewer")
    page.goto(f"/review/records/{waiting.id}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="通过").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("农户 A-1")
    db.session.expire_all()
    assert db.session.get(Submission, waiting.id).status == "submitted"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="通过").click()
    expect(page.get_by_role("status")).to_contain_text("已通过 A-1 户的记录。")
    db.session.expire_all()
    assert db.session.get(Submission, waiting.id).status == "approved"
