"""Sign-in, sign-out, throttling, cookies, CSRF and passwords."""
import re
from urllib.parse import quote, unquote

import pytest
from sqlalchemy import select

from app.auth.models import LoginFailure, User
from app.extensions import db
from tests import factories


@pytest.fixture
def admin(county):
    return factories.user("admin", "county_admin", [county.county])


def test_sign_in_and_out(client, admin):
    response = client.post("/login", data={"username": "admin", "password": factories.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Admin" in client.get("/").get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


@pytest.mark.parametrize(("role", "landing"), [("enumerator", "/app"), ("village_reviewer", "/"), ("township_approver", "/")])
def test_an_enumerator_lands_in_the_offline_app(client, county, role, landing):
    """Only collecting, an enumerator has nothing to do on the office pages; a village
    reviewer also collects but reviews first."""
    factories.user("someone", role, [county.village_a])
    response = client.post("/login", data={"username": "someone", "password": factories.PASSWORD})
    assert response.headers["Location"] == landing
    assert client.get("/login").headers["Location"] == landing  # signed in already


def test_wrong_password_is_refused_with_a_message(client, admin):
    response = client.post("/login", data={"username": "admin", "password": "nope"})
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)


def test_deactivated_user_cannot_sign_in(client, county):
    factories.user("gone", "enumerator", [county.village_a], active=False)
    assert client.post("/login", data={"username": "gone", "password": factories.PASSWORD}).status_code == 401


@pytest.fixture
def hash_checks(monkeypatch):
    """The password hashes sign-in checks, recorded as werkzeug checks them."""
    from app.auth import models

    checked = []

    def check(pwhash, password):
        checked.append(pwhash)
        return real(pwhash, password)

    real = models.check_password_hash
    monkeypatch.setattr(models, "check_password_hash", check)
    return checked


@pytest.mark.parametrize("username", ["nobody", "gone", "admin"])
def test_every_failed_sign_in_checks_one_hash_of_the_same_cost(client, app, county, admin, hash_checks, username):
    """An unknown or deactivated username costs as much as a wrong password (one scrypt of
    the configured cost), so the time of an answer does not tell which usernames exist."""
    factories.user("gone", "enumerator", [county.village_a], active=False)
    assert client.post("/login", data={"username": username, "password": "wrong"}).status_code == 401
    assert len(hash_checks) == 1
    assert hash_checks[0].startswith(app.config["PASSWORD_HASH_METHOD"] + "$")


def test_passwords_are_hashed_with_scrypt(admin):
    assert admin.password_hash.startswith("scrypt:")
    assert factories.PASSWORD not in admin.password_hash


def test_failed_sign_ins_lock_the_username_from_that_address(client, app, admin):
    for _ in range(app.config["LOGIN_FAILURE_LIMIT"]):
        assert client.post("/login", data={"username": "admin", "password": "wrong"}).status_code == 401
    locked = client.post("/login", data={"username": "admin", "password": factories.PASSWORD})
    assert locked.status_code == 429
    assert re.search(r"请 \d+ 分钟后再试", locked.get_data(as_text=True))
    # The same user from another address is not locked out by someone else's guessing.
    other = app.test_client()
    response = other.post("/login", data={"username": "admin", "password": factories.PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 302


def test_many_usernames_from_one_address_lock_the_address(client, app, admin, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURE_ADDRESS_LIMIT", 3)
    for name in ("a", "b", "c"):
        client.post("/login", data={"username": name, "password": "wrong"})
    assert client.post("/login", data={"username": "admin", "password": factories.PASSWORD}).status_code == 429


def test_success_clears_earlier_failures(client, app, admin):
    client.post("/login", data={"username": "admin", "password": "wrong"})
    client.post("/login", data={"username": "admin", "password": factories.PASSWORD})
    with app.app_context():
        assert db.session.scalars(select(LoginFailure)).all() == []


def test_posts_without_csrf_token_are_refused(client, admin):
    assert client.post("/login", data={"username": "admin", "password": factories.PASSWORD}, csrf=False).status_code == 400
    client.post("/login", data={"username": "admin", "password": factories.PASSWORD})
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.post("/locale", data={"locale": "en"}, csrf=False).status_code == 400


def test_session_cookie_flags(client, admin):
    response = client.post("/login", data={"username": "admin", "password": factories.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on localhost in development


def test_session_cookie_is_secure_over_https(app, admin):
    client = app.test_client()
    response = client.post("/login", data={"username": "admin", "password": factories.PASSWORD},
                           base_url="https://localhost", headers={"Referer": "https://localhost/login"})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target", [
    "//evil.example/x", "/%09/evil.example/", "/%0a/evil.example/", "/%0D%0A/evil.example/", "/%5Cevil.example/",
    "%5C%5Cevil.example/", "%20//evil.example/", "%09//evil.example/", "https://evil.example/", "https:evil.example",
    "javascript:alert(1)", "evil.example",
])
def test_next_never_leaves_the_site(client, admin, target):
    """A browser drops tabs and newlines from a URL and reads a backslash as a slash, so
    ``/<tab>/evil.example`` is ``//evil.example``: another site."""
    response = client.post(f"/login?next={target}", data={"username": "admin", "password": factories.PASSWORD})
    assert response.headers["Location"] == "/"
    response = client.post("/locale", data={"locale": "en", "next": unquote(target)})
    assert response.headers["Location"] == "/"


def test_a_next_holding_nul_is_refused_before_any_redirect(client, admin):
    response = client.post("/login?next=/%00/x", data={"username": "admin", "password": factories.PASSWORD})
    assert response.status_code == 400 and "Location" not in response.headers
    response = client.post("/locale", data={"locale": "en", "next": "/\x00/x"})
    assert response.status_code == 400 and "Location" not in response.headers


@pytest.mark.parametrize("target", ["/households/", "/review/?village=3&page=2", "/%2F/evil.example"])
def test_next_follows_paths_on_this_site(client, admin, target):
    response = client.post("/login?next=" + quote(target), data={"username": "admin", "password": factories.PASSWORD})
    assert response.headers["Location"] == target
    assert client.post("/locale", data={"locale": "en", "next": target}).headers["Location"] == target


def test_unknown_locale_is_refused(client):
    assert client.post("/locale", data={"locale": "fr"}).status_code == 400


def test_user_locale_is_remembered_across_sessions(client, app, admin):
    client.post("/login", data={"username": "admin", "password": factories.PASSWORD})
    assert client.post("/locale", data={"locale": "en", "next": "/"}).status_code == 302
    client.post("/logout")
    fresh = app.test_client()
    fresh.post("/login", data={"username": "admin", "password": factories.PASSWORD})
    page = fresh.get("/").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign out" in page
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.username == "admin")) == "en"


def test_choice_made_before_sign_in_is_kept(client, app, admin):
    client.post("/locale", data={"locale": "en", "next": "/login"})
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": "admin", "password": factories.PASSWORD})
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.username == "admin")) == "en"


def test_production_hashes_with_full_cost_scrypt():
    from app import config

    assert config.load()["PASSWORD_HASH_METHOD"] == "scrypt"  # werkzeug's N=2^15; tests use a cheaper cost
