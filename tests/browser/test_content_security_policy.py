"""Every page of every role, in a real Chromium, under the Content-Security-Policy the server
sends (app/security.py): no page may trip the policy or log any other error. Chromium
reports each CSP violation as a console error; uncaught script errors are ``pageerror``."""
import pytest
from playwright.sync_api import Browser, Page

from tests import factories
from tests.browser.test_sign_in import sign_in
from tests.test_i18n import PAGES, ROLE_AREA, page_world

ROLES = sorted({role for role, _url in PAGES.values() if role})


@pytest.fixture
def pages_world(county):
    built = page_world(county)
    for role in ROLES:
        factories.user(role, role, [getattr(county, ROLE_AREA[role])])
    return built


def watched(page: Page, problems: list[str]) -> Page:
    page.on("console", lambda message: problems.append(f"{page.url}: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return page


def visit(page: Page, url: str) -> None:
    response = page.goto(url, wait_until="networkidle")
    assert response.status == 200, url
    assert "default-src 'self'" in response.headers["content-security-policy"], url
    if url == "/app":
        page.wait_for_selector("body[data-app-ready]")


@pytest.mark.parametrize("role", [None, *ROLES])
def test_no_page_violates_the_policy_or_logs_an_error(browser: Browser, base_url: str, pages_world, role):
    problems: list[str] = []
    page = watched(browser.new_context(base_url=base_url).new_page(), problems)
    if role:
        sign_in(page, role)
    urls = [url(pages_world) for endpoint, (page_role, url) in sorted(PAGES.items()) if page_role == role]
    assert urls
    for url in urls:
        visit(page, url)
    page.context.close()
    assert problems == []
