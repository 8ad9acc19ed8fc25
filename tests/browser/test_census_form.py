"""The census form on a phone (the offline app's, reached from the household's page): live
totals and flags once income is typed, issues beside their fields once touched, the roster
grows."""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_sign_in import sign_in


@pytest.fixture
def household(world):
    return world


def open_form(page: Page, household):
    """The census visit offered on the household's page opens the offline app on it."""
    sign_in(page, "enum")
    expect(page).to_have_url(re.compile(r"/app$"))  # an enumerator lands in the app
    expect(page.get_by_role("link", name="Wang Wu")).to_be_visible()
    page.wait_for_load_state("networkidle")  # the first sync answered: leaving cuts none of its requests
    page.goto(f"/households/{household.id}")
    page.get_by_role("link", name="入户调查").click()
    expect(page).to_have_url(re.compile(rf"/app#/household/{household.id}$"))
    expect(page.locator(".record-form[data-complete]")).to_have_count(1)


def test_totals_and_flags_follow_the_typing(page: Page, household):
    open_form(page, household)
    bar = page.get_by_role("status").filter(has_text="人均纯收入")
    expect(bar).to_contain_text("人均纯收入 — / 监测范围 8,700.00")
    expect(bar).to_contain_text("填写收入后显示人均纯收入和建议。")  # no verdict before any income
    expect(bar).not_to_contain_text("不高于监测范围")
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
    issue = page.locator(f"#{phone.get_attribute('aria-describedby').split()[-1]}")
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


def test_amounts_typed_in_full_width_count_and_an_amount_above_the_bound_says_so(page: Page, household):
    """What a Chinese input method types in full-width mode reads as on the server."""
    open_form(page, household)
    bar = page.get_by_role("status").filter(has_text="人均纯收入")
    wage = page.get_by_label("外出务工收入")
    wage.fill("１２，０００")
    expect(bar).to_contain_text("人均纯收入 6,000.00")
    wage.fill("100000000.01")
    issue = page.locator(f"#{wage.get_attribute('aria-describedby').split()[-1]}")
    expect(issue).to_have_text("错误：金额不能超过 100,000,000.00 元。")


def test_opening_judges_nothing_and_stores_nothing_until_an_answer(page: Page, household):
    """No error before a field is touched, no draft before the first answer; finishing shows
    every issue left."""
    open_form(page, household)
    expect(page.locator(".record-form .issue:visible")).to_have_count(0)
    expect(page.locator('[data-count="draft"]')).to_have_text("草稿 0")
    page.get_by_label("联系电话").fill("139")
    expect(page.locator(".record-form .issue:visible")).to_have_count(1)
    expect(page.locator('[data-count="draft"]')).to_have_text("草稿 1")
    page.get_by_role("button", name="完成，放入待发送").click()
    expect(page.get_by_role("alert").filter(has_text="处需要处理")).to_be_visible()
    assert page.locator(".record-form .issue:visible").count() > 1


def test_yes_no_answers_are_big_enough_to_tap(page: Page, household):
    open_form(page, household)
    sizes = page.locator("fieldset.yes-no label.check:visible").evaluate_all(
        "labels => labels.map((l) => [l.getBoundingClientRect().width, l.getBoundingClientRect().height])")
    assert sizes and all(width >= 44 and height >= 44 for width, height in sizes), sizes


def test_the_sticky_bar_never_covers_the_field_being_edited(page: Page, household):
    """Tabbing through the form, each focused field (with its hint and issue) is above the bar."""
    open_form(page, household)
    page.get_by_label("外出务工收入").fill("3000")  # a verdict: the bar is at its tallest
    page.get_by_label("入户日期").focus()
    hidden = []
    for _ in range(80):
        page.keyboard.press("Tab")
        covered = page.evaluate("""() => {
            const focused = document.activeElement;
            const wrapper = focused.closest("[data-wrapper]");
            if (!wrapper) return null;
            const bar = document.querySelector(".sticky-bar").getBoundingClientRect();
            return wrapper.getBoundingClientRect().bottom > bar.top + 1 ? wrapper.dataset.wrapper : null;
        }""")
        if covered:
            hidden.append(covered)
    assert hidden == []


def test_a_question_shows_its_hint(page: Page, household):
    open_form(page, household)
    wage = page.get_by_label("外出务工收入")
    expect(wage).to_have_accessible_description(re.compile("到县外务工的全年工资收入"))
    expect(page.get_by_text("住房鉴定为 C 级或 D 级危房的选“否”。")).to_be_visible()


WIDER_THAN_THE_PHONE = """() => [...document.querySelectorAll('body *')]
    .filter((node) => node.getBoundingClientRect().right > innerWidth + 1)
    .map((node) => `${node.tagName}.${node.className}`)"""


def test_nothing_is_wider_than_the_phone_in_either_language(page: Page, household):
    open_form(page, household)
    assert page.evaluate(WIDER_THAN_THE_PHONE) == []
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.goto(f"/app#/household/{household.id}")
    expect(page.get_by_role("heading", name="Household income (yuan)")).to_be_visible()
    expect(page.locator(".record-form[data-complete]")).to_have_count(1)
    assert page.evaluate(WIDER_THAN_THE_PHONE) == []


# Text a box cuts off: a placeholder wider than its input, an option wider than its closed
# select (less the select's arrow), measured in the box's own font. Sections off screen are
# laid out first (content-visibility), as the cadre scrolling to them sees them.
CLIPPED = """() => {
  for (const node of document.querySelectorAll('*')) {
    if (getComputedStyle(node).contentVisibility === 'auto') node.style.contentVisibility = 'visible';
  }
  const context = document.createElement('canvas').getContext('2d');
  const room = (box, arrow) => {
    const style = getComputedStyle(box);
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    return box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - arrow;
  };
  const clipped = [];
  const shown = (box) => box.getClientRects().length > 0;  // a question not asked is not drawn
  for (const input of [...document.querySelectorAll('input[placeholder]')].filter(shown)) {
    const width = room(input, 0);
    if (context.measureText(input.placeholder).width > width) clipped.push(`${input.id}: ${input.placeholder}`);
  }
  for (const select of [...document.querySelectorAll('select')].filter(shown)) {
    const width = room(select, 20);
    for (const option of select.options) {
      if (context.measureText(option.text).width > width) clipped.push(`${select.id || select.name}: ${option.text}`);
    }
  }
  return [...new Set(clipped)];
}"""


def test_no_placeholder_or_option_is_cut_off_on_a_phone_in_either_language(page: Page, household):
    """At 393 px (issue 15): the list's search hint and the form's answers (pension insurance,
    where a member works …) are read whole, in English too."""
    open_form(page, household)
    problems = page.evaluate(CLIPPED)
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.goto("/app#/")
    expect(page.get_by_role("heading", name="My households")).to_be_visible()
    problems += page.evaluate(CLIPPED)
    page.goto(f"/app#/household/{household.id}")
    expect(page.locator(".record-form[data-complete]")).to_have_count(1)
    problems += page.evaluate(CLIPPED)
    assert problems == []
