"""Real-browser tests: Playwright drives Debian's Chromium against the real app served by
werkzeug on a free loopback port (see ../shared/TESTING.md for why these flags).

Every page a test opens, in any browser context, is watched: an uncaught page error or a
console error fails the test unless the test declared it with ``page_errors.expect(...)``."""
import datetime as dt
import re
import threading
import time

import pytest
from werkzeug.serving import make_server

from app.campaigns.models import Assignment, Campaign, MonitoringThreshold
from app.extensions import db
from tests import factories

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


class CountingRequests:
    """The app, counting the requests it is answering, so a test can wait until the server
    is idle: a page closed at the end of a test may leave a sync request still running."""

    def __init__(self, app):
        self.app = app
        self.active = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.active += 1
        response = None
        try:
            response = self.app(environ, start_response)
            return list(response)  # the whole response, inside the count
        finally:
            if hasattr(response, "close"):
                response.close()  # as a WSGI server must
            with self.lock:
                self.active -= 1

    def wait_until_idle(self, timeout: float = 15, quiet: float = 0.3) -> None:
        """Until no request has been answered for `quiet` seconds: a request the closed page
        sent may still be in the socket's queue when the count first reads zero."""
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            if self.active:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet:
                return
            time.sleep(0.05)


class PageErrors:
    """What went wrong in the pages of one test: uncaught errors and console errors, each as
    one line naming where it happened (a failed load names the address it failed on)."""

    def __init__(self):
        self.seen: list[str] = []
        self.expected: list[re.Pattern] = []

    def expect(self, pattern: str) -> None:
        """Declare an error this test provokes on purpose (a regular expression searched in
        the line); the test fails if it never happens."""
        self.expected.append(re.compile(pattern))

    def watch(self, context) -> None:
        context.on("weberror", self._uncaught)
        context.on("console", self._console)

    def _uncaught(self, error) -> None:
        where = error.page.url if error.page else "a worker"
        self.seen.append(f"uncaught {error.error.name}: {error.error.message} (on {where})")

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url") or (message.page.url if message.page else "a worker")
            self.seen.append(f"console error: {message.text} (at {where})")

    def problems(self) -> list[str]:
        unexpected = [line for line in self.seen if not any(pattern.search(line) for pattern in self.expected)]
        missing = [f"expected error never happened: {pattern.pattern}" for pattern in self.expected
                   if not any(pattern.search(line) for line in self.seen)]
        return unexpected + missing


@pytest.fixture
def page_errors():
    return PageErrors()


@pytest.fixture(autouse=True)
def _fail_on_page_errors(browser, page_errors, monkeypatch):
    """Watches every context the test makes (the `page` fixture's and any made with
    browser.new_context); set up before them, so it checks after they have closed."""
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        page_errors.watch(context)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield
    if problems := page_errors.problems():
        pytest.fail("the pages reported errors:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def counted_app(app):
    return CountingRequests(app)


@pytest.fixture(scope="session")
def live_server(counted_app):
    server = make_server("127.0.0.1", 0, counted_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _server_idle_before_cleanup(counted_app):
    """Torn down before the tables are emptied (tests/conftest.py): emptying them while a
    request is still being answered deadlocks on PostgreSQL."""
    yield
    counted_app.wait_until_idle()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, playwright):
    """Every page is a Pixel 5: the phones our enumerators carry are small touch screens."""
    return {**browser_context_args, **playwright.devices["Pixel 5"]}


@pytest.fixture
def world(county):
    """Village A's households A-0001 (Wang Wu, Li Mei) and A-0002 (Zhao Qi), assigned to the
    enumerator `enum` in campaign 2026 (threshold 8,700 yuan); `reviewer` reviews village A."""
    household = factories.household(county.village_a, "A-0001", phone="13912345678", members=[
        factories.member("head", name="Wang Wu", birth_date=dt.date(1975, 4, 2)),
        factories.member("spouse", name="Li Mei", sex="female", birth_date=dt.date(1978, 9, 20)),
    ])
    other = factories.household(county.village_a, "A-0002", phone="13912345679",
                                members=[factories.member("head", name="Zhao Qi", birth_date=dt.date(1960, 1, 1))])
    campaign = Campaign(name="Census 2026", year=2026, form_version="2026.1")
    db.session.add(campaign)
    db.session.flush()
    db.session.add(MonitoringThreshold(campaign_id=campaign.id, year=2026, area_id=county.county.id, amount_fen=870000))
    enumerator = factories.user("enum", "enumerator", [county.village_a])
    for item in (household, other):
        db.session.add(Assignment(campaign_id=campaign.id, household_id=item.id, enumerator_id=enumerator.id))
    db.session.commit()
    factories.user("reviewer", "village_reviewer", [county.village_a])
    return household
