"""Users: list and filter, create, edit, deactivate and reactivate, reset password."""
import pytest
from sqlalchemy import select

from app.auth import accounts
from app.auth.models import User
from app.errors import InvalidInput
from app.extensions import db
from tests import factories


@pytest.fixture
def admin(client, login, county):
    factories.user("admin", "county_admin", [county.county])
    return login("admin")


def new_user(county, **overrides):
    data = {"username": "wang", "display_name": "王五", "role": "enumerator", "password": "Lantern-orchard-47",
            "areas": [county.village_a.id, county.group_a1.id]}
    data.update(overrides)
    return data


def stored(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def test_list_shows_users_and_filters_by_role(admin, county):
    factories.user("collector", "enumerator", [county.village_b])
    factories.user("reviewer", "village_reviewer", [county.village_c], active=False)
    page = admin.get("/admin/users").get_data(as_text=True)
    for text in ("collector", "Collector", "信息采集员", "Village B", "reviewer", "已停用", "admin", "在用"):
        assert text in page
    filtered = admin.get("/admin/users?role=enumerator").get_data(as_text=True)
    assert ">collector</a>" in filtered and ">reviewer</a>" not in filtered


def test_create_user(admin, county, client):
    response = admin.post("/admin/users/new", data=new_user(county))
    assert response.status_code == 302
    user = stored("wang")
    assert (user.display_name, user.role, user.active) == ("王五", "enumerator", True)
    assert [area.code for area in user.areas] == ["530102100201", "530102100201001"]
    assert user.check_password("Lantern-orchard-47")
    assert "已创建用户 wang。" in admin.get(response.headers["Location"]).get_data(as_text=True)


def test_the_new_user_form_offers_areas_by_level(admin):
    page = admin.get("/admin/users/new").get_data(as_text=True)
    assert '<optgroup label="村民小组">' in page
    assert "Village A · Group A1" in page and "Township One · Village A" in page
    assert '<label for="areas">' in page


@pytest.mark.parametrize("overrides, field_message", [
    ({"username": "ADMIN"}, "用户名“ADMIN”已被使用，请换一个。"),
    ({"username": ""}, "请输入用户名。"),
    ({"display_name": ""}, "请输入姓名。"),
    ({"password": "short12"}, "密码至少需要 10 个字符。"),
    ({"password": ""}, "请输入密码。"),
    ({"areas": []}, "请至少选择一个负责区域。"),
    ({"role": "mayor"}, "不是有效的选择"),
    ({"role": "village_reviewer"}, "村级审核员只能负责村，不能负责：Group A1。"),
    ({"role": "township_approver", "areas": [], "_areas": "village_a"}, "乡镇审核员只能负责乡镇，不能负责：Village A。"),
    ({"role": "county_admin", "_areas": "township_1"}, "县级管理员只能负责县，不能负责：Township One。"),
    ({"role": "enumerator", "_areas": "county"}, "信息采集员只能负责村、村民小组，不能负责：Test County。"),
])
def test_create_user_explains_refusals(admin, county, overrides, field_message):
    area_name = overrides.pop("_areas", None)
    if area_name:
        overrides["areas"] = [getattr(county, area_name).id]
    response = admin.post("/admin/users/new", data=new_user(county, **overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_message in page
    assert 'value="王五"' in page or overrides.get("display_name") == ""  # what was typed is kept
    assert db.session.scalar(select(User).where(User.username == "wang")) is None


def test_the_service_enforces_area_levels_whatever_the_form(app, county):
    with app.test_request_context(), pytest.raises(InvalidInput) as refused:
        accounts.create_user("x", "X", "village_reviewer", "Lantern-orchard-47", [county.township_1.id])
    assert refused.value.field == "areas"
    with app.test_request_context(), pytest.raises(InvalidInput):
        accounts.create_user("x", "X", "enumerator", "Lantern-orchard-47", [999999])


def test_edit_user(admin, county):
    user = factories.user("collector", "enumerator", [county.village_b])
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'value="Collector"' in page and "selected" in page
    response = admin.post(f"/admin/users/{user.id}", data={
        "display_name": "李四", "role": "village_reviewer", "areas": [county.village_c.id]})
    assert response.status_code == 302
    user = stored("collector")
    assert (user.display_name, user.role, [a.name for a in user.areas]) == ("李四", "village_reviewer", ["Village C"])


def test_edit_user_refusal_keeps_the_stored_user(admin, county):
    user = factories.user("collector", "enumerator", [county.village_b])
    response = admin.post(f"/admin/users/{user.id}", data={
        "display_name": "李四", "role": "township_approver", "areas": [county.village_c.id]})
    assert response.status_code == 422
    assert "乡镇审核员只能负责乡镇" in response.get_data(as_text=True)
    user = stored("collector")
    assert (user.display_name, user.role, [a.name for a in user.areas]) == ("Collector", "enumerator", ["Village B"])


def test_an_admin_cannot_change_their_own_role(admin, county):
    me = stored("admin")
    response = admin.post(f"/admin/users/{me.id}", data={
        "display_name": "Admin", "role": "county_approver", "areas": [county.county.id]})
    assert response.status_code == 422
    assert "不能更改自己的角色。" in response.get_data(as_text=True)
    assert stored("admin").role == "county_admin"


def test_unknown_user_is_404(admin):
    assert admin.get("/admin/users/999").status_code == 404


def test_deactivated_users_cannot_sign_in_until_reactivated(admin, county, app):
    user = factories.user("collector", "enumerator", [county.village_b])
    response = admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert not stored("collector").active

    other = app.test_client()
    refused = other.post("/login", data={"username": "collector", "password": factories.PASSWORD})
    assert refused.status_code == 401
    assert "该账号已停用" in refused.get_data(as_text=True)

    admin.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert stored("collector").active
    assert other.post("/login", data={"username": "collector", "password": factories.PASSWORD}).status_code == 302


def test_a_signed_in_user_is_signed_out_when_deactivated(admin, county, app):
    user = factories.user("collector", "enumerator", [county.village_b])
    other = app.test_client()
    other.post("/login", data={"username": "collector", "password": factories.PASSWORD})
    assert other.get("/households/").status_code == 200
    admin.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    assert other.get("/households/").status_code == 302


def test_an_admin_cannot_deactivate_themself(admin):
    me = stored("admin")
    response = admin.post(f"/admin/users/{me.id}/active", data={"active": "0"})
    assert response.status_code == 422
    assert "不能停用自己的账号。" in response.get_data(as_text=True)
    assert stored("admin").active


def test_reset_password(admin, county, app):
    user = factories.user("collector", "enumerator", [county.village_b])
    response = admin.post(f"/admin/users/{user.id}/password", data={"password": "brand new pass"})
    assert response.status_code == 302
    assert "已为 collector 设置新密码。" in admin.get(response.headers["Location"]).get_data(as_text=True)
    other = app.test_client()
    assert other.post("/login", data={"username": "collector", "password": factories.PASSWORD}).status_code == 401
    assert other.post("/login", data={"username": "collector", "password": "brand new pass"}).status_code == 302


@pytest.mark.parametrize("password, message", [("short", "密码至少需要 10 个字符。"), ("", "请输入密码。")])
def test_reset_password_explains_refusals(admin, county, password, message):
    user = factories.user("collector", "enumerator", [county.village_b])
    response = admin.post(f"/admin/users/{user.id}/password", data={"password": password})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored("collector").check_password(factories.PASSWORD)


def test_the_service_refuses_an_unknown_role(app, county):
    with app.test_request_context(), pytest.raises(InvalidInput, match="请选择角色。"):
        accounts.create_user("x", "X", "mayor", "Lantern-orchard-47", [county.village_a.id])
