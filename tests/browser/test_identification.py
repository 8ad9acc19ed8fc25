"""From the door to the register, in real browsers: an enumerator submits from the phone,
the village returns the record with a field comment, the phone shows it offline, the
correction is approved, the household is proposed, appraised and noticed, the notice runs,
the township approves, and the household appears as a monitored household."""
import datetime as dt
import re

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.households.models import Household
from app.monitoring.models import Proposal
from app.records.models import Submission
from tests import factories
from tests.browser.test_offline import complete_record, count, open_app, open_household, sign, sync_settled
from tests.browser.test_sign_in import sign_in


def desk(browser: Browser, base_url: str, username: str) -> Page:
    """Another person at another screen."""
    page = browser.new_context(base_url=base_url).new_page()
    sign_in(page, username)
    return page


def test_a_household_from_visit_to_monitored(page: Page, page_errors, browser: Browser, base_url: str, county,
                                            world):
    page_errors.expect(r"status of 404 .*/api/attachments/[0-9a-f]{64}")  # the signature: nothing received yet
    factories.user("township", "township_approver", [county.township_1])

    # The enumerator visits: income well below the line (a flag), the household signs its
    # consent, and the record is finished and sent.
    open_app(page)
    open_household(page)
    complete_record(page, income="6000")
    sign(page)
    page.get_by_role("button", name="完成，放入待发送").click()
    expect(count(page, "sent")).to_have_text("已发送 1")

    # The village returns it with a comment on the phone number.
    village = desk(browser, base_url, "reviewer")
    village.goto("/review/")
    village.get_by_role("link", name="A-0001").click()
    village.get_by_role("button", name="对“家庭基本情况 · 联系电话”写意见").click()
    village.get_by_role("textbox", name="家庭基本情况 · 联系电话").fill("电话号码少了一位，请核实")
    village.get_by_role("button", name="退回").click()
    expect(village.locator(".flash-success")).to_contain_text("A-0001")
    db.session.expire_all()
    assert db.session.scalar(select(Submission.status)) == "returned"

    # The phone learns of it, and shows the comment beside the field with no signal.
    page.get_by_role("button", name="立即同步").click()
    expect(count(page, "returned")).to_have_text("退回 1")
    sync_settled(page)
    page.context.set_offline(True)
    page.reload()
    open_household(page)
    expect(page.get_by_text("审核意见：电话号码少了一位，请核实")).to_be_visible()
    page.get_by_label("联系电话").fill("13987654321")
    page.get_by_role("button", name="完成，放入待发送").click()
    page.context.set_offline(False)
    expect(count(page, "sent")).to_have_text("已发送 1")

    # The village approves the correction, then proposes the household in its assessment.
    village.goto("/review/")
    village.get_by_role("link", name="A-0001").click()
    village.once("dialog", lambda dialog: dialog.accept())  # approving asks first
    village.get_by_role("button", name="通过").click()
    village.goto("/monitoring/assessment")
    village.get_by_role("link", name="A-0001").click()
    village.get_by_label("监测对象类别").select_option("marginal")
    village.locator('input[name="risk_types"]').first.check()
    village.get_by_label("申报说明").fill("人均纯收入低于监测范围")
    village.get_by_role("button", name="申报", exact=True).click()
    today = clock.today().isoformat()
    village.get_by_label("民主评议日期").fill(today)
    village.get_by_role("button", name="登记民主评议").click()
    village.get_by_label("公示开始日期").fill(today)
    village.get_by_role("button", name="开始公示").click()
    # Nothing reaches the township while the notice runs: the step is shown, not offered, with its day…
    expect(village.get_by_role("button", name="报送乡镇审核")).to_be_disabled()
    expect(village.get_by_role("button", name="报送乡镇审核")).to_have_accessible_description(
        re.compile(r"公示期未满.*起才能报送"))
    db.session.expire_all()
    proposal = db.session.scalar(select(Proposal))
    assert proposal.state == "on_notice"
    # …so let its five days pass.
    days = dt.timedelta(days=6)
    proposal.clue_date -= days
    proposal.appraisal_date -= days
    proposal.notice_start -= days
    db.session.commit()
    village.goto(f"/monitoring/proposals/{proposal.id}")
    village.get_by_role("button", name="报送乡镇审核").click()

    # The township approves; the household is on the monitored register.
    township = desk(browser, base_url, "township")
    township.goto("/monitoring/queue")
    township.get_by_role("link", name="A-0001").click()
    township.once("dialog", lambda dialog: dialog.accept())  # approval is final: it asks first
    township.get_by_role("button", name="批准").click()
    township.goto("/monitoring/register")
    row = township.get_by_role("row").filter(has_text="A-0001")
    expect(row).to_contain_text("边缘易致贫户")
    db.session.expire_all()
    assert db.session.scalar(select(Household.monitored_category).where(Household.household_number == "A-0001")) \
        == "marginal"
