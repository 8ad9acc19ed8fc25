"""Ending sessions: sign-out, a password reset and deactivation end every session of that
user, including a session cookie copied before (the cookie is signed but kept by the
browser, so the server must refuse it: Flask-Login's alternative token)."""
import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests import factories


@pytest.fixture
def users(county):
    factories.user("admin", "county_admin", [county.county])
    return factories.user("collector", "enumerator", [county.village_a])


def signed_in(app, username: str):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": factories.PASSWORD}).status_code == 302
    return client


def copy_of(app, client):
    """Another browser holding the same session cookie (as a thief who copied it would)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    assert other.get("/households/").status_code == 200 and other.get("/api/session").status_code == 200
    return other


def refused(client) -> bool:
    return client.get("/households/").status_code == 302 and client.get("/api/session").status_code == 401


def user_id(username: str) -> int:
    return db.session.scalar(select(User.id).where(User.username == username))


def test_a_cookie_copied_before_sign_out_no_longer_works(app, users):
    collector = signed_in(app, "collector")
    copied = copy_of(app, collector)
    collector.post("/logout")
    assert refused(copied)


def test_signing_out_ends_the_users_other_sessions_too(app, users):
    desk, phone = signed_in(app, "collector"), signed_in(app, "collector")
    desk.post("/logout")
    assert refused(phone)
    assert signed_in(app, "collector").get("/households/").status_code == 200  # signing in again works


def test_an_admin_password_reset_ends_every_session_of_that_user(app, users):
    collector = signed_in(app, "collector")
    copied = copy_of(app, collector)
    admin = signed_in(app, "admin")
    response = admin.post(f"/admin/users/{user_id('collector')}/password", data={"password": "Lantern-orchard-47"})
    assert response.status_code == 302
    assert refused(collector) and refused(copied)
    assert admin.get("/households/").status_code == 200  # the admin's own session goes on


def test_deactivation_ends_sessions_for_good(app, users):
    collector = signed_in(app, "collector")
    admin = signed_in(app, "admin")
    admin.post(f"/admin/users/{user_id('collector')}/active", data={"active": "0"})
    admin.post(f"/admin/users/{user_id('collector')}/active", data={"active": "1"})
    assert refused(collector)  # reactivating does not bring an old session back


def test_a_session_without_the_current_token_is_refused(app, users):
    client = app.test_client()
    for token in (str(user_id("collector")), f"{user_id('collector')}:7", "x:0", ":"):
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = token, True
        assert refused(client), token
