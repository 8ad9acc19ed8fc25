"""Every office page fits a phone (issue 15): at 393 px, for each role, in Chinese and in
English, no page is wider than the screen (wide tables become card lists or scroll inside
their own box), no figure breaks over two lines and no page reports an error."""
import datetime as dt
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from app import clock
from app.extensions import db
from app.monitoring import services
from app.records.models import Submission
from tests import factories
from tests.browser.test_sign_in import sign_in
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
