"""The password rule, a user's own change of password, and the change an admin's reset
forces at the next sign-in (pages redirect there; the API answers 403 with a sentence)."""
import pytest
from sqlalchemy import select

from app.auth import passwords
from app.auth.models import User
from app.extensions import db
from tests import factories

STRONG = "Lantern-orchard-47"


@pytest.fixture
def collector(county):
    factories.user("admin", "county_admin", [county.county])
    return factories.user("collector", "enumerator", [county.village_a])


def signed_in(app, username: str, password: str = factories.PASSWORD):
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": password}).status_code == 302
    return client


def stored(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


@pytest.mark.parametrize("password, message", [
    ("12345678", "密码至少需要 10 个字符。"),
    ("password", "密码至少需要 10 个字符。"),
    (" " * 8, "密码至少需要 10 个字符。"),
    (" " * 12, "这个密码太常见或太容易猜到"),
    ("1234567890", "这个密码太常见或太容易猜到"),
    ("password12", "这个密码太常见或太容易猜到"),
    ("qwertyuiop", "这个密码太常见或太容易猜到"),
    ("woaini1314520", "这个密码太常见或太容易猜到"),
    ("zhangsan1980", "这个密码太常见或太容易猜到"),
    ("collector2026", "密码不能包含用户名或姓名。"),
    ("Collector!123", "密码不能包含用户名或姓名。"),
])
def test_an_admin_cannot_set_a_short_common_or_guessable_password(app, collector, password, message):
    admin = signed_in(app, "admin")
    response = admin.post(f"/admin/users/{collector.id}/password", data={"password": password})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored("collector").check_password(factories.PASSWORD)


@pytest.mark.parametrize("password", [STRONG, "correct horse 42", "Tg7#kq2Lm9", STRONG * 5])
def test_the_rule_accepts_long_unguessable_passwords(app, password):
    with app.test_request_context():
        assert passwords.problem(password, ("collector", "Collector")) is None


def test_the_rule_speaks_english_too(app, collector):
    admin = signed_in(app, "admin")
    admin.post("/locale", data={"locale": "en"})
    page = admin.post(f"/admin/users/{collector.id}/password", data={"password": "qwertyuiop"}).get_data(as_text=True)
    assert "This password is too common or too easy to guess." in page
    page = admin.post(f"/admin/users/{collector.id}/password", data={"password": "short"}).get_data(as_text=True)
    assert "The password must have at least 10 characters." in page


def test_a_user_changes_their_own_password_from_the_header(app, collector):
    client = signed_in(app, "collector")
    other_device = signed_in(app, "collector")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/account/password"' in home
    page = client.get("/account/password").get_data(as_text=True)
    for label in ('<label for="current_password">当前密码</label>', '<label for="new_password">新密码</label>',
                  '<label for="confirm_password">再次输入新密码</label>'):
        assert label in page
    response = client.post("/account/password", data={
        "current_password": factories.PASSWORD, "new_password": STRONG, "confirm_password": STRONG})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "密码已修改" in client.get("/").get_data(as_text=True)
    assert client.get("/households/").status_code == 200  # this session goes on
    assert other_device.get("/households/").status_code == 302  # the others end
    assert stored("collector").check_password(STRONG)


@pytest.mark.parametrize("data, message", [
    ({"current_password": "wrong", "new_password": STRONG, "confirm_password": STRONG}, "当前密码不正确。"),
    ({"current_password": factories.PASSWORD, "new_password": STRONG, "confirm_password": STRONG + "x"},
     "两次输入的新密码不一致。"),
    ({"current_password": factories.PASSWORD, "new_password": factories.PASSWORD,
      "confirm_password": factories.PASSWORD}, "新密码不能与当前密码相同。"),
    ({"current_password": factories.PASSWORD, "new_password": "password12", "confirm_password": "password12"},
     "这个密码太常见或太容易猜到"),
    ({"current_password": "", "new_password": STRONG, "confirm_password": STRONG}, "请输入当前密码。"),
])
def test_a_refused_change_says_why_and_keeps_the_password(app, collector, data, message):
    client = signed_in(app, "collector")
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored("collector").check_password(factories.PASSWORD)


@pytest.fixture
def reset(app, collector):
    """The admin has reset the collector's password to ``STRONG``; the collector signs in with it."""
    signed_in(app, "admin").post(f"/admin/users/{collector.id}/password", data={"password": STRONG})
    return signed_in(app, "collector", STRONG)


def test_after_a_reset_every_page_leads_to_the_change_page(reset):
    for url in ("/", "/households/", "/households/1", "/reports/exports"):
        response = reset.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/account/password?next="), url
    assert reset.get("/households/?q=Wang").headers["Location"] == "/account/password?next=/households/?q%3DWang"
    page = reset.get("/account/password").get_data(as_text=True)
    assert "管理员为您设置了密码" in page


def test_after_a_reset_the_api_answers_403_with_a_sentence_for_the_phone(reset):
    response = reset.get("/api/session")
    assert response.status_code == 403
    body = response.get_json()
    assert body["code"] == "password_change_required" and body["location"] == "/account/password?next=/app"
    assert "修改密码" in body["message"]
    assert reset.post("/api/sync/records", json={"records": []}).status_code == 403


def test_after_a_reset_the_offline_shell_and_sign_out_still_answer(reset):
    for url in ("/app", "/sw.js", "/manifest.webmanifest", "/static/css/app.css"):
        response = reset.get(url)
        response.close()
        assert response.status_code == 200, url
    assert reset.post("/logout").status_code == 302


def test_the_change_ends_the_demand(app, reset):
    response = reset.post("/account/password?next=/households/", data={
        "current_password": STRONG, "new_password": "correct horse 42 again", "confirm_password": "correct horse 42 again"})
    assert response.headers["Location"] == "/households/"
    assert reset.get("/households/").status_code == 200 and reset.get("/api/session").status_code == 200
    assert not stored("collector").password_change_required


def test_a_user_created_by_an_admin_chooses_their_own_password_at_first_sign_in(app, county, collector):
    admin = signed_in(app, "admin")
    admin.post("/admin/users/new", data={"username": "wang", "display_name": "王五", "role": "enumerator",
                                         "password": STRONG, "areas": [county.village_a.id]})
    assert stored("wang").password_change_required
    assert signed_in(app, "wang", STRONG).get("/").headers["Location"].startswith("/account/password")
