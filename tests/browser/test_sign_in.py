"""A person signs in on a phone, sees Chinese, switches to English, and finds a household."""
import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories


@pytest.fixture
def enumerator(county):
    factories.household(county.village_a, "A-0001", members=[factories.member("head", name="Wang Wu")])
    factories.household(county.village_b, "B-0001", members=[factories.member("head", name="Sun Ba")])
    return factories.user("enum", "enumerator", [county.village_a])


def sign_in(page: Page, username: str, password: str = factories.PASSWORD, next_page: str | None = None):
    """An enumerator lands in the offline app unless another page is asked for."""
    page.goto(f"/login?next={next_page}" if next_page else "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def open_menu(page: Page) -> None:
    """On a phone the navigation and the user's controls are behind the header's menu button."""
    page.get_by_role("button", name=re.compile(r"^(菜单|Menu)$")).click()


def test_enumerator_signs_in_switches_language_and_opens_a_household(page: Page, enumerator):
    sign_in(page, "enum", next_page="/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("您好，Enum")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Enum")

    open_menu(page)
    page.get_by_role("link", name="Households", exact=True).first.click()
    expect(page.get_by_role("link", name="A-0001")).to_be_visible()
    expect(page.get_by_role("link", name="B-0001")).to_have_count(0)  # another village's household
    page.get_by_label("Search").fill("Wang")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="A-0001").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Household A-0001")
    expect(page.get_by_role("cell", name="Wang Wu")).to_be_visible()

    # The choice is remembered on the user: a new session starts in English.
    open_menu(page)
    page.get_by_role("button", name="Sign out").click()
    page.context.clear_cookies()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    sign_in(page, "enum", next_page="/")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_wrong_password_shows_a_message_in_place(page: Page, page_errors, enumerator):
    page_errors.expect(r"status of 401 .*/login")
    sign_in(page, "enum", "wrong password")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_another_villages_household_is_not_found(page: Page, page_errors, county, enumerator):
    page_errors.expect(r"status of 404 .*/households/\d+")
    other = factories.household(county.village_c, "C-0001", members=[factories.member("head", name="Zhou Jiu")])
    sign_in(page, "enum", next_page="/")
    response = page.goto(f"/households/{other.id}")
    assert response.status == 404
    expect(page.get_by_text("Zhou Jiu")).to_have_count(0)
