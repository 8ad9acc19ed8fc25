"""Every office page fits a phone (issue 15): at 393 px, for each role, in Chinese and in
English, no page is wider than the screen (wide tables become card lists or scroll inside
their own box), no figure breaks over two lines and no page reports an error."""
import datetime as dt
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from app import clock
from app.extensions import db
from app.monitoring import services
from app.records.models import Submission
from tests import factories
from tests.browser.test_sign_in import open_menu, sign_in
from tests.monitoring_setup import LOW_INCOME, lifecycle, propose, signed_in
from tests.sync_setup import another_household, push, record

PHONE_WIDTH = 393


@pytest.fixture
def census(county, app) -> SimpleNamespace:
    """lifecycle's approved records (two flagged), one record waiting for review, one proposal
    on public notice since today, and a county admin."""
    built = lifecycle(county, app)
    waiting = record(built, another_household(built, "A-3"), income=LOW_INCOME)
    push(signed_in(app, built.enumerator), waiting)
    built.waiting = db.session.get(Submission, waiting["id"])
    today = clock.today()
    built.proposal = propose(built, clue_date=today - dt.timedelta(days=1), today=today)

    services.act(built.reviewer, built.proposal, "appraise", built.proposal.version, on_date=today, today=today)
    services.act(built.reviewer, built.proposal, "start_notice", built.proposal.version, on_date=today, today=today)
    factories.user("admin", "county_admin", [county.county])
    return built


def pages(census) -> dict[str, list[str]]:
    village = census.county.village_a.id
    household = census.household.id
    return {
        "enum": ["/", f"/households/?village={village}", f"/households/{household}"],
        "reviewer": ["/review/", f"/review/records/{census.waiting.id}", f"/review/records/{census.flagged.id}",
                     "/monitoring/", f"/monitoring/assessment?village={village}", "/monitoring/queue",
                     "/monitoring/register", f"/monitoring/proposals/{census.proposal.id}",
                     f"/monitoring/notice?village={village}", f"/monitoring/households/{household}"],
        "township": ["/review/", "/monitoring/queue", "/reports/"],
        "county": ["/reports/", f"/reports/areas/{census.county.township_1.id}", "/reports/exports"],
        "admin": ["/admin/", "/admin/users", "/admin/areas", "/admin/campaigns",
                  f"/admin/campaigns/{census.campaign.id}", "/admin/forms", "/admin/roster/"],
    }


def too_wide(page: Page) -> list[str]:
    """The page's width beyond the screen, and which elements stick out (for the message)."""
    return page.evaluate("""(width) => {
      const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 1)
        .filter(e => !e.closest('.table-scroll, table.list'))
        .slice(0, 5).map(e => `${e.tagName.toLowerCase()}.${e.className}: ${Math.round(e.getBoundingClientRect().right)}`);
      return document.documentElement.scrollWidth > width ? [`scrollWidth ${document.documentElement.scrollWidth}`, ...wide] : [];
    }""", PHONE_WIDTH)


def broken_numbers(page: Page) -> list[str]:
    """Figures in number cells (.num) that break over two lines ("36,000." then "00")."""
    return page.evaluate("""() => [...document.querySelectorAll('.num')].flatMap(cell => {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      const broken = [];
      for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(text);
        const figure = /^[-+¥]?[0-9,.]+%?$/.test(text.data.trim());  // a column's heading may wrap, a figure not
        if (figure && new Set([...range.getClientRects()].map(box => Math.round(box.top))).size > 1) {
          broken.push(text.data.trim());
        }
      }
      return broken;
    }).slice(0, 5)""")


def test_every_page_fits_a_phone_for_every_role_in_both_languages(page: Page, census):
    assert page.viewport_size["width"] == PHONE_WIDTH
    problems = []
    for username, paths in pages(census).items():
        page.context.clear_cookies()
        sign_in(page, username)
        page.goto("/")  # an enumerator lands in the app; its office pages are what is walked here
        open_menu(page)
        expect(page.get_by_role("button", name="退出")).to_be_visible()
        for language, switch in (("zh", "English"), ("en", "中文")):
            for path in paths:
                response = page.goto(path)
                assert response.status == 200, f"{username} {path}: {response.status}"
                if wide := too_wide(page):
                    problems.append(f"{username} {language} {path}: {', '.join(wide)}")
                if broken := broken_numbers(page):
                    problems.append(f"{username} {language} {path}: numbers broken over two lines: {broken}")
            page.get_by_role("button", name=switch).click()
    assert not problems, "\n".join(problems)


@pytest.fixture
def reviewer(county):
    return factories.user("reviewer", "village_reviewer", [county.village_a])


# One line: the 44 px targets (the mark, the language, 菜单) and the bar's padding and border.
HEADER_HEIGHT = 64


def test_the_header_on_a_phone_is_one_line_with_a_menu_button(page: Page, reviewer):
    """Issue 15: the office header took ~245 px of a phone (mark, seven links, the user's
    controls). Now one line; 菜单 is a button that opens the rest, by touch or keyboard."""
    sign_in(page, "reviewer")
    for language, name, sign_out, switch in (("zh", "菜单", "退出", "English"), ("en", "Menu", "Sign out", "中文")):
        page.goto("/review/")
        header = page.locator("header.bar")
        assert header.bounding_box()["height"] <= HEADER_HEIGHT, (language, header.bounding_box())
        menu = page.get_by_role("button", name=name, exact=True)
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("navigation", name=re.compile("主导航|Main"))).to_be_hidden()
        expect(page.get_by_role("button", name=sign_out)).to_be_hidden()

        menu.focus()
        page.keyboard.press("Enter")
        expect(menu).to_have_attribute("aria-expanded", "true")
        navigation = page.get_by_role("navigation", name=re.compile("主导航|Main"))
        expect(navigation.get_by_role("link").first).to_be_visible()
        expect(page.get_by_role("button", name=sign_out)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
        page.keyboard.press("Tab")  # from the button into the menu it opened
        assert page.evaluate("document.activeElement.closest('#site-menu') !== null")
        page.keyboard.press("Escape")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(menu).to_be_focused()
        expect(navigation).to_be_hidden()
        page.get_by_role("button", name=switch).click()  # the language stays in the bar


def test_the_header_shows_everything_without_a_menu_on_a_wide_screen_or_without_scripts(browser, playwright,
                                                                                        base_url, reviewer):
    for options in ({"viewport": {"width": 1366, "height": 768}},
                    {**playwright.devices["Pixel 5"], "java_script_enabled": False}):
        context = browser.new_context(**options, base_url=base_url)
        page = context.new_page()
        sign_in(page, "reviewer")
        page.goto("/review/")
        expect(page.get_by_role("navigation", name="主导航").get_by_role("link", name="审核")).to_be_visible()
        expect(page.get_by_role("button", name="退出")).to_be_visible()
        expect(page.get_by_role("button", name="菜单")).to_be_hidden()
        if options.get("viewport", {}).get("width") == 1366:
            assert page.locator("header.bar").bounding_box()["height"] <= HEADER_HEIGHT  # one line there too
        context.close()


# A large county's visited and registered households: the widest headline fraction to expect.
WIDE_FRACTION = ("45,000", "98,000")
CHART_TEXT = """() => [...document.querySelectorAll('svg.chart text')].map((text) => {
  const chart = text.ownerSVGElement;
  const scale = chart.getBoundingClientRect().width / chart.viewBox.baseVal.width;
  return Math.round(parseFloat(getComputedStyle(text).fontSize) * scale * 10) / 10;
})"""
# Each fraction tile: how many lines its value takes, and whether it stays inside the tile.
FRACTION_LINES = """() => [...document.querySelectorAll('.tile-fraction')].map((value) => {
  const box = value.getBoundingClientRect();  // the value is a block: as tall as its lines
  return { lines: Math.round(box.height / parseFloat(getComputedStyle(value).lineHeight)),
           inside: value.scrollWidth <= value.clientWidth && box.right <= value.closest('.tile').getBoundingClientRect().right };
})"""


def wide_tile(app) -> str:
    """The tile macro's markup for the widest fraction, beside the page's own (as a large county's)."""
    with app.test_request_context():
        macro = app.jinja_env.get_template("macros.html").module.tile
        return str(macro("Households visited / registered", WIDE_FRACTION[0], of=WIDE_FRACTION[1]))


def test_the_dashboard_reads_on_a_phone_in_both_languages(page: Page, app, census):
    """Issue 15: chart text at least 12 px as drawn at 393 px, and the headline "visited /
    registered" on one line inside its tile, at this county's figures and at a large
    county's (and at 1366 px too)."""
    wide = wide_tile(app)
    sign_in(page, "county")
    one_line = [{"lines": 1, "inside": True}] * 2
    for switch in ("English", "中文"):
        page.goto("/reports/")
        sizes = page.evaluate(CHART_TEXT)
        assert sizes and min(sizes) >= 12, sizes
        expect(page.locator(".tile-fraction .tile-of")).to_have_text(re.compile(r"^ / \d"))
        page.locator(".tiles").evaluate("(tiles, wide) => tiles.insertAdjacentHTML('afterbegin', wide)", wide)
        assert page.evaluate(FRACTION_LINES) == one_line
        page.get_by_role("button", name=switch).click()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/reports/")
    page.locator(".tiles").evaluate("(tiles, wide) => tiles.insertAdjacentHTML('afterbegin', wide)", wide)
    assert page.evaluate(FRACTION_LINES) == one_line
