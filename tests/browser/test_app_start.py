"""How the offline app starts at a realistic size (issue 15): a later open draws the stored
list without waiting for the server, which then says who is signed in; the households'
forms come after the list, and a household tapped before its form arrived still opens,
and opens offline afterwards."""
import json
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, Route, expect
from sqlalchemy import select

from app import clock
from app.auth.models import User
from app.campaigns.models import Campaign
from app.census import services as census
from app.extensions import db
from app.households.models import Household
from tests import factories
from tests.browser.test_offline import open_app, open_household, sync_settled
from tests.browser.test_sign_in import open_menu, sign_in


def test_a_later_open_draws_the_stored_list_before_the_server_answers(page: Page, world):
    open_app(page)
    held: list[Route] = []

    def hold(route: Route):
        held.append(route)  # the server does not answer yet

    page.route("**/api/session", hold)
    page.reload()
    expect(page.get_by_role("link", name="Wang Wu")).to_be_visible()
    expect(page.get_by_role("link", name="Zhao Qi")).to_be_visible()
    for _ in range(100):  # asked, in the background: the list did not wait for it
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/api/session", hold)
    sync_settled(page)
    expect(page.locator('[data-last-sync]:not([data-last-sync=""])')).to_have_count(1)


def test_another_user_signed_in_on_the_phone_gets_their_own_app(page: Page, county, world):
    factories.user("enum2", "enumerator", [county.village_a])
    open_app(page)
    page.goto("/")
    open_menu(page)
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


SCHEMA_1 = """async ({ userId, campaign, household }) => {
  await new Promise((resolve, reject) => {
    const request = indexedDB.open(`ruhu-user-${userId}`, 1);
    request.onupgradeneeded = () => {
      const database = request.result;
      database.createObjectStore("meta", { keyPath: "key" });
      database.createObjectStore("households", { keyPath: "id" });
      database.createObjectStore("bundles", { keyPath: "key" });
      const records = database.createObjectStore("records", { keyPath: "id" });
      records.createIndex("state", "state");
      records.createIndex("household_id", "household_id");
      database.createObjectStore("files", { keyPath: "sha256" });
      request.transaction.objectStore("households").put(household);
      request.transaction.objectStore("meta").put({ key: "campaign", value: campaign });
    };
    request.onsuccess = () => { request.result.close(); resolve(); };
    request.onerror = () => reject(request.error);
  });
}"""


def test_a_phone_of_the_previous_version_keeps_every_household_through_the_upgrade(page: Page, page_errors, world):
    """Schema 1 kept each household's form in its row: the upgrade keeps it, so the household
    still opens and is found by a member's name before any sync succeeds."""
    page_errors.expect(r"api/session")  # no sync gets through
    enumerator = db.session.scalar(select(User).where(User.username == "enum"))
    campaign = db.session.scalar(select(Campaign))
    stored = {"id": world.id, "household_number": "A-0001", "village": "Village A", "group": None,
              "head_name": "Wang Wu", "threshold": 870000, "last_year": None,
              "prefill": json.loads(json.dumps(census.prefill(world, clock.today()), default=str))}
    sign_in(page, "enum", next_page="/")
    page.evaluate(SCHEMA_1, {"userId": enumerator.id, "household": stored, "campaign": {
        "id": campaign.id, "name": campaign.name, "year": campaign.year, "form_version": campaign.form_version}})
    page.evaluate("(user) => localStorage.setItem('ruhu.user', JSON.stringify(user))",
                  {"id": enumerator.id, "username": "enum", "display_name": "Enum", "role": "enumerator",
                   "locale": "zh_Hans"})
    page.route("**/api/**", lambda route: route.abort())
    page.goto("/app")
    page.get_by_label("搜索农户").fill("Li Mei")  # the spouse: read from the form's roster
    open_household(page)
    expect(page.get_by_label("联系电话")).to_have_value("13912345678")


def test_the_app_wears_the_product_mark_of_the_office_pages(page: Page, world):
    """The offline app's header shows the mark and the name the office pages show (issue 15),
    and keeps the mark when the app puts the shell's words in the user's language."""
    open_app(page)
    page.goto("/households/")
    office = page.locator("header .brand svg").evaluate("(mark) => mark.outerHTML")
    page.goto("/app")
    expect(page.locator("body[data-app-ready]")).to_have_count(1)
    brand = page.get_by_role("link", name="入户", exact=True)
    expect(brand.locator("svg")).to_be_visible()
    assert brand.locator("svg").evaluate("(mark) => mark.outerHTML") == office
    box = brand.locator("svg").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
