"""One census record per household (issue 8): an approved household opens read-only on the
phone, never as a blank draft; a second phone's record of it becomes a copy the village
resolves, and the phone that sent it learns so."""
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.records import services as review
from app.records.models import Submission, SyncConflict
from tests.browser.test_offline import complete_record, count, open_app, open_household, records_pulled, sync_settled
from tests.browser.test_sign_in import sign_in


def reviewer() -> User:
    return db.session.scalar(select(User).where(User.username == "reviewer"))


def the_record() -> Submission:
    db.session.expire_all()
    return db.session.scalar(select(Submission))


def test_an_approved_household_opens_read_only_and_never_as_a_new_draft(page: Page, world):
    open_app(page)
    open_household(page)
    complete_record(page)
    page.get_by_role("button", name="完成，放入待发送").click()
    expect(count(page, "sent")).to_have_text("已发送 1")
    record = the_record()
    review.approve_record(reviewer(), record, record.version)

    with page.expect_response(records_pulled):  # this run's pull answered: going offline cuts nothing
        page.get_by_role("button", name="立即同步").click()
    expect(count(page, "done")).to_have_text("已通过 1")
    expect(page.get_by_role("link", name="Wang Wu").locator(".badge-done")).to_have_text("已通过")
    sync_settled(page)
    page.context.set_offline(True)
    page.reload()
    open_household(page)
    expect(page.get_by_text("已通过审核")).to_be_visible()
    expect(page.get_by_label("外出务工收入")).to_have_value("36000")
    expect(page.get_by_label("外出务工收入")).to_be_disabled()
    expect(page.get_by_role("button", name="完成，放入待发送")).to_have_count(0)
    expect(count(page, "draft")).to_have_text("草稿 0")


def test_a_second_phones_record_of_the_household_is_a_copy_the_village_takes(page: Page, browser, playwright,
                                                                             live_server, world):
    second_phone = browser.new_context(**playwright.devices["Pixel 5"], base_url=live_server)
    other = second_phone.new_page()
    try:
        open_app(other)  # the second phone has the household, then loses its signal
        sync_settled(other)
        other.context.set_offline(True)

        open_app(page)
        open_household(page)
        complete_record(page)
        page.get_by_role("button", name="完成，放入待发送").click()
        expect(count(page, "sent")).to_have_text("已发送 1")

        open_household(other)
        complete_record(other, income="30000")
        other.get_by_role("button", name="完成，放入待发送").click()
        other.context.set_offline(False)
        expect(count(other, "conflict")).to_have_text("冲突 1")
        open_household(other)
        expect(other.get_by_text("该户本次普查已有另一条记录")).to_be_visible()
        assert db.session.scalar(select(SyncConflict.kind)) == "household_recorded"

        village = browser.new_context(base_url=live_server).new_page()
        sign_in(village, "reviewer")
        village.goto(f"/review/records/{the_record().id}")
        expect(village.get_by_role("heading", name="该户的另一条记录", exact=False)).to_be_visible()
        village.get_by_role("button", name="采用另一份").click()
        expect(village.get_by_text("已采用另一份作为 A-0001 户记录的新修订，请重新审核。")).to_be_visible()
        village.context.close()
        record = the_record()
        assert (record.revision, record.status, record.per_capita_net_income) == (2, "submitted", 1_500_000)
        review.approve_record(reviewer(), record, record.version)

        other.get_by_role("link", name="返回列表").click()
        other.get_by_role("button", name="立即同步").click()
        expect(count(other, "conflict")).to_have_text("冲突 0")
        expect(other.get_by_role("link", name="Wang Wu").locator(".badge-done")).to_have_text("已通过")
        page.get_by_role("button", name="立即同步").click()
        expect(count(page, "done")).to_have_text("已通过 1")
        page.get_by_role("link", name="Wang Wu").click()
        expect(page.get_by_text("人均纯收入 15,000.00 元")).to_be_visible()  # the copy taken, not its own
    finally:
        second_phone.close()
