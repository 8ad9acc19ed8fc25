"""How the offline app starts at a realistic size (issue 15): a later open draws the stored
list without waiting for the server, which then says who is signed in; the households'
forms come after the list, and a household tapped before its form arrived still opens,
and opens offline afterwards."""
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, Route, expect
from sqlalchemy import select

from app.extensions import db
from app.households.models import Household
from tests import factories
from tests.browser.test_offline import open_app, open_household, sync_settled
from tests.browser.test_sign_in import sign_in


def test_a_later_open_draws_the_stored_list_before_the_server_answers(page: Page, world):
    open_app(page)
    held: list[Route] = []

    def hold(route: Route):
        held.append(route)  # the server does not answer yet

    page.route("**/api/session", hold)
    page.reload()
    expect(page.get_by_role("link", name="Wang Wu")).to_be_visible()
    expect(page.get_by_role("link", name="Zhao Qi")).to_be_visible()
    assert len(held) == 1  # asked, in the background
    held[0].continue_()
    page.unroute("**/api/session", hold)
    sync_settled(page)
    expect(page.locator('[data-last-sync]:not([data-last-sync=""])')).to_have_count(1)


def test_another_user_signed_in_on_the_phone_gets_their_own_app(page: Page, county, world):
    factories.user("enum2", "enumerator", [county.village_a])
    open_app(page)
    page.goto("/")
    page.get_by_role("button", name="退出").click()
    sign_in(page, "enum2")  # lands in /app, which starts from the user stored: enum
    expect(page.get_by_text("还没有分配给您的农户：请在有网络时同步。")).to_be_visible()
    expect(page.get_by_role("link", name="Wang Wu")).to_have_count(0)
    assert page.evaluate("JSON.parse(localStorage.getItem('ruhu.user')).username") == "enum2"


def test_a_household_tapped_before_its_form_arrived_opens_and_then_opens_offline(page: Page, page_errors, world):
    page_errors.expect(r"households/forms")  # the background fetch, cut
    ids = {household.household_number: household.id for household in db.session.scalars(select(Household))}
    asked: list[list[int]] = []

    def forms(route: Route):
        asked.append([int(part) for part in parse_qs(urlparse(route.request.url).query)["ids"][0].split(",")])
        if len(asked[-1]) > 1:
            route.abort()  # the background fetch of every form fails
        else:
            route.continue_()

    page.route("**/api/sync/households/forms?*", forms)
    open_app(page)
    expect(page.get_by_text("同步失败，稍后自动重试。")).to_be_visible()
    open_household(page)
    expect(page.get_by_label("联系电话")).to_have_value("13912345678")
    assert asked == [sorted(ids.values()), [ids["A-0001"]]]  # all in one chunk, then the household tapped
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_label("联系电话")).to_have_value("13912345678")
    page.get_by_role("link", name="返回列表").click()
    page.get_by_role("link", name="Zhao Qi").click()  # its form never arrived
    expect(page.get_by_text("本机还没有这户的资料：请在有网络时同步；如果同步后仍没有，说明该户没有分配给您。")).to_be_visible()
