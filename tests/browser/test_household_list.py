"""The phone's household list at a realistic size (211 households): all of them reachable,
filters by state with their counts; a returned record opened from it, offline, as it
arrives, lists the reviewer's comments first."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.auth.models import User
from app.campaigns.models import Assignment, Campaign
from app.extensions import db
from app.households.models import Household
from app.records import services as review
from app.records.models import Submission
from tests import factories
from tests.browser.test_census_form import WIDER_THAN_THE_PHONE
from tests.browser.test_offline import complete_record, count, open_app, open_household, records_pulled, sync_settled

HOUSEHOLDS = 211


@pytest.fixture
def many(world, county):
    """The world's two households and 209 more, all assigned to `enum`."""
    campaign = db.session.scalar(select(Campaign))
    enumerator = db.session.scalar(select(User).where(User.username == "enum"))
    households = [Household(household_number=f"A-{n:04d}", village=county.village_a, household_type="ordinary",
                            members=[factories.member("head", name=f"Head {n}", birth_date=dt.date(1960, 1, 1 + n % 28))])
                  for n in range(3, HOUSEHOLDS + 1)]
    db.session.add_all(households)
    db.session.flush()
    db.session.add_all(Assignment(campaign_id=campaign.id, household_id=h.id, enumerator_id=enumerator.id)
                       for h in households)
    db.session.commit()
    return world


def filter_button(page: Page, name: str):
    return page.get_by_role("group", name="按状态筛选").get_by_role("button", name=name)


def test_every_household_is_reachable_and_filters_count_states(page: Page, many):
    open_app(page)
    expect(page.get_by_role("status").filter(has_text="共 211 户")).to_have_text("共 211 户，显示 50 户。")
    expect(filter_button(page, "全部 211")).to_have_attribute("aria-pressed", "true")
    expect(filter_button(page, "未调查 211")).to_be_visible()
    assert page.evaluate(WIDER_THAN_THE_PHONE) == []
    for shown in (100, 150, 200, 211):
        page.get_by_role("button", name="显示更多").click()
        expect(page.locator("a.household")).to_have_count(shown)
    expect(page.get_by_role("button", name="显示更多")).to_be_hidden()
    expect(page.get_by_role("link", name="Head 211")).to_be_visible()  # the last one, past the first 50

    page.get_by_role("link", name="Head 150").click()
    page.get_by_label("联系电话").fill("13900000150")
    page.get_by_role("link", name="返回列表").click()
    expect(filter_button(page, "草稿 1")).to_be_visible()
    expect(filter_button(page, "未调查 210")).to_be_visible()
    filter_button(page, "草稿 1").click()
    expect(page.locator("a.household")).to_have_count(1)
    expect(page.get_by_role("link", name="Head 150")).to_be_visible()
    page.get_by_label("搜索农户").fill("Head 15")  # search within the filter
    expect(page.locator("a.household")).to_have_count(1)
    filter_button(page, "未调查 210").click()
    expect(page.get_by_role("link", name="Head 151")).to_be_visible()
    expect(page.get_by_role("link", name="Head 150")).to_have_count(0)  # a draft now


def test_a_returned_record_opened_offline_as_it_arrives_lists_the_comments_first(page: Page, world):
    """The return loop offline (issue 15: an uncaught error when a returned record had just
    arrived and was opened from the list): no page error, the comments on top, each a way
    to its field."""
    open_app(page)
    open_household(page)
    complete_record(page)
    page.get_by_role("button", name="完成，放入待发送").click()
    expect(count(page, "sent")).to_have_text("已发送 1")
    db.session.expire_all()
    submission = db.session.scalar(select(Submission))
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer"))
    review.return_record(reviewer, submission, {"household.phone": "电话号码打错了，请核实",
                                                "members[0].labour_capacity": "请核实劳动技能"}, submission.version)

    with page.expect_response(records_pulled):  # this run's pull answered: going offline cuts nothing
        page.get_by_role("button", name="立即同步").click()
    expect(count(page, "returned")).to_have_text("退回 1")
    sync_settled(page)
    page.context.set_offline(True)  # the list redrawn by that sync is the one tapped, offline
    expect(page.get_by_role("link", name="Wang Wu").locator(".badge-returned")).to_have_text("退回")
    page.get_by_role("link", name="Wang Wu").click()
    comments = page.get_by_role("region", name="审核意见（2 条）")
    expect(comments.get_by_role("listitem")).to_have_count(2)
    comments.get_by_role("button", name="“劳动技能”的意见：请核实劳动技能").click()
    expect(page.get_by_role("group", name="成员 1 · Wang Wu").get_by_label("劳动技能")).to_be_focused()
    comments.get_by_role("button", name="“联系电话”的意见：电话号码打错了，请核实").click()
    expect(page.get_by_label("联系电话")).to_be_focused()


def test_a_sync_while_searching_keeps_the_search_box_its_text_and_its_cursor(page: Page, world):
    """A sync ends while the cadre types (issue 15): the list is redrawn, the box they type in
    is not, so it keeps its focus, what is typed and where the cursor is."""
    open_app(page)
    search = page.get_by_label("搜索农户")
    search.click()
    page.keyboard.type("Wag")
    page.keyboard.press("ArrowLeft")  # to fix the typo: the cursor between "Wa" and "g"
    page.evaluate("() => { window.typedInto = document.activeElement; }")
    synced = page.locator("[data-last-sync]").get_attribute("data-last-sync")
    page.evaluate("() => dispatchEvent(new Event('online'))")  # the signal comes back: a sync, then a redraw
    expect(page.locator("[data-last-sync]")).not_to_have_attribute("data-last-sync", synced)
    sync_settled(page)
    assert page.evaluate("""() => ({ same: document.activeElement === window.typedInto
      && document.activeElement.id === 'household-search', value: document.activeElement.value,
      cursor: document.activeElement.selectionStart })""") == {"same": True, "value": "Wag", "cursor": 2}
    page.keyboard.type("n")  # typing goes on where it was
    expect(search).to_have_value("Wang")
    expect(page.get_by_role("link", name="Wang Wu")).to_be_visible()
    expect(page.get_by_role("link", name="Zhao Qi")).to_have_count(0)


@pytest.mark.browser_context_args(timezone_id="America/New_York", locale="en-US")
def test_the_last_sync_reads_as_the_county_writes_a_moment(page: Page, world):
    """12月4日 14:05 in the county's time zone, whatever zone and language the phone is set to."""
    open_app(page)
    status = page.locator("[data-last-sync]")
    synced = dt.datetime.fromisoformat(status.get_attribute("data-last-sync")).astimezone(ZoneInfo("Asia/Shanghai"))
    expect(status).to_have_text(f"上次同步：{synced.month}月{synced.day}日 {synced:%H:%M}")
