"""Real-browser tests: Playwright drives Debian's Chromium against the real app served by
werkzeug on a free loopback port (see ../shared/TESTING.md for why these flags)."""
import threading
import time

import pytest
from werkzeug.serving import make_server

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
