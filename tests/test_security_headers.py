"""Security headers on every response (flask-talisman, app/security.py): a Content-Security-
Policy the pages pass (tests/browser/test_content_security_policy.py reads the console),
no framing, no sniffing, same-origin referrers, the camera for this site only; HSTS over
HTTPS only; and nothing personal kept in a browser's or proxy's cache."""
import re
from pathlib import Path

import pytest

from tests import factories
from tests.sync_setup import field

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def setup(county, app):
    built = field(county)
    built.reviewer = factories.user("reviewer", "village_reviewer", [county.village_a])
    return built


def signed_in(app, username):
    client = app.test_client()
    client.post("/login", data={"username": username, "password": factories.PASSWORD})
    return client


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else "" for part in policy.split("; ")}


def fetched(client, url):
    response = client.get(url)
    response.get_data()
    response.close()
    return response


URLS = ["/login", "/", "/households/", "/api/session", "/api/sync/households", "/reports/exports/members.csv",
        "/static/css/app.css", "/sw.js", "/app", "/no-such-page", "/api/no-such-thing"]


@pytest.mark.parametrize("url", URLS)
def test_every_response_carries_the_security_headers(app, setup, url):
    response = fetched(signed_in(app, "enum" if url in ("/app", "/api/sync/households") else "reviewer"), url)
    policy = directives(response)
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert (policy["frame-ancestors"], policy["base-uri"], policy["form-action"]) == ("'none'", "'self'", "'self'")
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    permissions = response.headers["Permissions-Policy"]
    assert "camera=(self)" in permissions and "microphone=()" in permissions and "geolocation=()" in permissions


@pytest.mark.parametrize("url, user", [
    ("/login", None), ("/", "reviewer"), ("/households/", "reviewer"), ("/households/{household}", "reviewer"),
    ("/api/session", "reviewer"), ("/api/sync/households", "enum"), ("/api/sync/records", "enum"),
    ("/reports/exports/households.csv", "reviewer"), ("/reports/exports/members.xlsx", "reviewer"),
    ("/monitoring/notice.csv?village={village}", "reviewer"), ("/no-such-page", "reviewer"),
])
def test_personal_pages_api_answers_and_exports_are_never_stored(app, setup, url, user):
    client = signed_in(app, user) if user else app.test_client()
    response = fetched(client, url.format(household=setup.household.id, village=setup.county.village_a.id))
    assert response.status_code in (200, 404)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_households_pull_still_answers_304_to_the_phones_etag(app, setup):
    phone = signed_in(app, "enum")
    first = fetched(phone, "/api/sync/households")
    again = phone.get("/api/sync/households", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("url, cache_control", [
    ("/static/css/app.css", "no-cache"), ("/sw.js", "no-cache"), ("/manifest.webmanifest", "no-cache"),
    ("/app", "private, no-cache"), ("/census/forms/2026.1.json?locale=en", "private, no-cache"),
])
def test_the_offline_shell_and_static_files_keep_their_caching(app, setup, url, cache_control):
    """They carry no user data; the service worker keeps them (docs/sync.md)."""
    response = fetched(signed_in(app, "enum"), url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == cache_control


def test_hsts_only_over_https(app, setup):
    plain = fetched(app.test_client(), "/login")
    assert "Strict-Transport-Security" not in plain.headers
    secure = fetched(app.test_client(), "https://localhost/login")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_plain_http_is_not_redirected_by_the_app(app):
    """nginx redirects port 80 to HTTPS (docs/deploy.md); the app itself serves http://localhost in development."""
    assert app.test_client().get("/login").status_code == 200


def test_templates_hold_no_inline_script_style_or_handler():
    """What the policy forbids: the JSON data block (<script type="application/json">) is data, not script."""
    found = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append((template.name, tag))
        found += [(template.name, match) for match in re.findall(r"\s(?:style|on[a-z]+)=|<style\b", text)]
        found += [(template.name, "javascript:") for _ in re.findall(r"javascript:", text)]
    assert found == []


def test_the_nginx_example_keeps_hsts_on_every_location():
    """nginx drops the server's add_header lines in a location that has an add_header of its
    own: every such location must repeat HSTS, or its answers go out without it."""
    deploy = (ROOT / "docs" / "deploy.md").read_text()
    nginx = re.sub(r"#.*", "", re.search(r"```nginx\n(.*?)```", deploy, re.S).group(1))
    tls_server = nginx[nginx.index("listen 443"):]
    hsts = 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;'
    server_level, *locations = re.split(r"\n\s*location\b", tls_server)
    assert hsts in server_level
    for location in locations:
        if "add_header" in location:
            assert hsts in location, location
