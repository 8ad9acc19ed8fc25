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
from tests.sync_setup import another_household, answers, field, push, record

QUEUE_ROWS = 50  # one page of the queue
# A card at most 120 px tall at 393 px: two lines, the first as tall as its 44 px tap targets
# (the tick, the household's link), the second the village and the flag counts, with padding
# and the gap to the next. 50 cards then take at most 6,000 px, under half the 13,600 they took
# as one line per column (≈ 270 px a card).
CARD_HEIGHT = 120


@pytest.fixture
def waiting(county, app) -> Submission:
    """Household A-1's record (王五, 李梅), sent by its enumerator, waiting for village A's reviewer."""
    setup = field(county)
    sent = record(setup)
    push(signed_in(app, setup.enumerator), sent)
    factories.user("reviewer", "village_reviewer", [county.village_a])
    return db.session.get(Submission, sent["id"])


@pytest.fixture
def queue(county, app) -> None:
    """50 records waiting for village A's reviewer, every fifth with income low enough to flag."""
    setup = field(county)
    records = []
    for n in range(QUEUE_ROWS):
        household = setup.household if n == 0 else another_household(setup, f"A-{n + 1:04d}")
        filled = answers(household)
        if n % 5 == 0:
            filled["income"] = {"wage_migrant": "6000"}  # 3,000 yuan a head: flagged
        records.append(record(setup, household, filled))
    client = signed_in(app, setup.enumerator)
    assert {item["result"] for item in push(client, *records).get_json()["results"]} == {"created"}
    factories.user("reviewer", "village_reviewer", [county.village_a])


def test_the_queue_on_a_phone_is_a_list_of_compact_cards_in_both_languages(page: Page, queue):
    """At 393 px (issue 15) each record is a card of two lines: household, village, state,
    its flag count and the tick for bulk approval, no taller than CARD_HEIGHT."""
    sign_in(page, "reviewer")
    for language, switch in (("zh", "English"), ("en", "中文")):
        page.goto("/review/")
        cards = page.locator("main table tbody tr")
        expect(cards).to_have_count(QUEUE_ROWS)
        heights = cards.evaluate_all("(rows) => rows.map((row) => row.getBoundingClientRect().height)")
        assert max(heights) <= CARD_HEIGHT, (language, max(heights))
        body = page.locator("main table tbody").bounding_box()
        assert body["height"] <= QUEUE_ROWS * CARD_HEIGHT, (language, body["height"])
        assert page.evaluate("document.documentElement.scrollWidth") <= 393, language
        first = cards.filter(has=page.get_by_role("link", name="A-0002"))  # a record without flags
        expect(first.get_by_role("checkbox")).to_be_visible()
        expect(first.locator(".badge")).to_be_visible()
        flagged = cards.filter(has=page.get_by_role("link", name="A-1", exact=True))
        expect(flagged.locator(".q-flag-count")).to_be_visible()
        expect(flagged.locator(".tag").first).to_be_hidden()  # named on the record's page, counted here
        page.get_by_role("button", name=switch).click()


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
