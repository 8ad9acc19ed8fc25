"""The census form on a phone: live totals and flags, issues beside their fields, the
roster grows, and the server agrees."""
import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from app.campaigns.models import Campaign, MonitoringThreshold
from app.extensions import db
from tests import factories
from tests.browser.test_sign_in import sign_in


@pytest.fixture
def household(county):
    household = factories.household(county.village_a, "A-0001", members=[
        factories.member("head", name="Wang Wu", birth_date=dt.date(1975, 4, 2)),
        factories.member("spouse", name="Li Mei", sex="female", birth_date=dt.date(1978, 9, 20)),
    ])
    campaign = Campaign(name="Census 2026", year=2026, form_version="2026.1")
    db.session.add(campaign)
    db.session.flush()
    db.session.add(MonitoringThreshold(campaign_id=campaign.id, year=2026, area_id=county.county.id, amount_fen=870000))
    db.session.commit()
    factories.user("enum", "enumerator", [county.village_a])
    return household


def open_form(page: Page, household):
    sign_in(page, "enum")
    page.goto(f"/households/{household.id}")
    page.get_by_role("link", name="入户调查").click()
    expect(page.locator("body[data-form-ready]")).to_have_count(1)


def test_totals_and_flags_follow_the_typing(page: Page, household):
    open_form(page, household)
    bar = page.get_by_role("status").filter(has_text="人均纯收入")
    expect(bar).to_contain_text("人均纯收入 0.00 / 监测范围 8,700.00")
    page.get_by_label("外出务工收入").fill("12000")
    expect(bar).to_contain_text("人均纯收入 6,000.00")
    expect(bar).to_contain_text("不高于监测范围 8,700.00 元")
    expect(bar).to_contain_text("建议类别：边缘易致贫户")
    page.get_by_label("本地务工收入").fill("6000.02")  # (12,000 + 6,000.02) / 2, within 10 % above the line
    expect(bar).to_contain_text("人均纯收入 9,000.01")
    expect(bar).to_contain_text("略高于监测范围")


def test_an_issue_shows_beside_its_field_and_the_section_counts_it(page: Page, household):
    open_form(page, household)
    phone = page.get_by_label("联系电话")
    phone.fill("139")
    issue = page.locator(f"#{phone.get_attribute('aria-describedby')}")
    expect(issue).to_have_text("错误：联系电话应为以 1 开头的 11 位数字。")
    expect(page.get_by_role("navigation", name="栏目").get_by_role("link", name="家庭基本情况")).to_contain_text("(")
    phone.fill("13912345678")
    expect(issue).to_be_hidden()


def test_adding_a_member_and_conditional_questions(page: Page, household):
    open_form(page, household)
    page.get_by_role("button", name="添加成员").click()
    new_member = page.get_by_role("group", name="成员 3")
    expect(new_member).to_be_visible()
    new_member.get_by_label("姓名", exact=True).fill("Wang Xiao")
    expect(page.get_by_role("group", name="成员 3 · Wang Xiao")).to_be_visible()
    disability_class = new_member.get_by_label("残疾等级")
    expect(disability_class).to_be_hidden()
    new_member.get_by_role("group", name="残疾").get_by_label("是").check()
    expect(disability_class).to_be_visible()


def test_the_server_check_reports_in_place(page: Page, page_errors, household):
    page_errors.expect(r"status of 422 .*/api/households/\d+/check")  # the check's answer: issues found
    open_form(page, household)
    page.get_by_label("联系电话").fill("139")
    page.get_by_role("button", name="提交服务器检查").click()
    expect(page.locator("#check-status")).to_have_text("服务器检查未通过，请修改标红的项。")


def test_amounts_typed_in_full_width_count_and_an_amount_above_the_bound_says_so(page: Page, household):
    """What a Chinese input method types in full-width mode reads as on the server."""
    open_form(page, household)
    bar = page.get_by_role("status").filter(has_text="人均纯收入")
    wage = page.get_by_label("外出务工收入")
    wage.fill("１２，０００")
    expect(bar).to_contain_text("人均纯收入 6,000.00")
    wage.fill("100000000.01")
    issue = page.locator(f"#{wage.get_attribute('aria-describedby')}")
    expect(issue).to_have_text("错误：金额不能超过 100,000,000.00 元。")
