"""Real-browser tests: Playwright drives Debian's Chromium against the real app served by
werkzeug on a free loopback port (see ../shared/TESTING.md for why these flags)."""
import datetime as dt
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

    def wait_until_idle(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while self.active and time.monotonic() < deadline:
            time.sleep(0.05)


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
