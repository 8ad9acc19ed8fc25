"""User administration verbs (用户管理): create, edit, deactivate and reactivate, reset a
password, and a user's change of their own password. Signing in is app.auth.services.

Each role covers areas at given levels only; that rule is enforced here, whatever a form
allowed through.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth import passwords
from app.auth.models import User
from app.codes import AREA_LEVEL, ROLE
from app.errors import InvalidInput
from app.extensions import db
from app.geo.models import Area

AREA_LEVELS_BY_ROLE = {
    "enumerator": ("village", "group"),
    "village_reviewer": ("village",),
    "township_approver": ("township",),
    "county_approver": ("county",),
    "county_admin": ("county",),
}


def _checked_password(password: str, username: str, display_name: str, field: str = "password") -> str:
    problem = passwords.problem(password, (username, display_name))
    if problem:
        raise InvalidInput(field, problem)
    return password


def _checked_areas(role: str, area_ids: list[int]) -> list[Area]:
    if not area_ids:
        raise InvalidInput("areas", _("请至少选择一个负责区域。"))
    areas = list(db.session.scalars(select(Area).where(Area.id.in_(area_ids)).order_by(Area.code)))
    if len(areas) != len(set(area_ids)):
        raise InvalidInput("areas", _("所选区域不存在。"))
    allowed = AREA_LEVELS_BY_ROLE[role]
    wrong = [area.name for area in areas if area.level not in allowed]
    if wrong:
        raise InvalidInput("areas", _("%(role)s只能负责%(levels)s，不能负责：%(areas)s。", role=ROLE.label(role),
                                      levels="、".join(AREA_LEVEL.label(level) for level in allowed),
                                      areas="、".join(wrong)))
    return areas


def _checked_role(role: str) -> str:
    if role not in AREA_LEVELS_BY_ROLE:
        raise InvalidInput("role", _("请选择角色。"))
    return role


def _checked_display_name(display_name: str) -> str:
    display_name = display_name.strip()
    if not display_name:
        raise InvalidInput("display_name", _("请输入姓名。"))
    return display_name


def create_user(username: str, display_name: str, role: str, password: str, area_ids: list[int]) -> User:
    username = username.strip()
    if not username:
        raise InvalidInput("username", _("请输入用户名。"))
    # Names differing only in case would be told apart by sign-in but not by people.
    if db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        raise InvalidInput("username", _("用户名“%(username)s”已被使用，请换一个。", username=username))
    display_name = _checked_display_name(display_name)
    areas = _checked_areas(_checked_role(role), area_ids)
    # The admin chose this password, so the user chooses their own at the first sign-in.
    user = User(username=username, display_name=display_name, role=role, active=True, areas=areas,
                password_change_required=True)
    user.set_password(_checked_password(password, username, display_name))
    db.session.add(user)
    db.session.commit()
    return user


def update_user(actor: User, user: User, display_name: str, role: str, area_ids: list[int]) -> None:
    if user.id == actor.id and role != user.role:
        raise InvalidInput("role", _("不能更改自己的角色。"))
    display_name = _checked_display_name(display_name)
    areas = _checked_areas(_checked_role(role), area_ids)
    user.display_name, user.role, user.areas = display_name, role, areas
    db.session.commit()


def set_active(actor: User, user: User, active: bool) -> None:
    """Deactivated users cannot sign in; their records and assignments stay."""
    if user.id == actor.id and not active:
        raise InvalidInput(None, _("不能停用自己的账号。"))
    user.active = active
    if not active:
        user.end_sessions()
    db.session.commit()


def reset_password(user: User, password: str) -> None:
    """The admin's reset: the user's sessions end, and they choose a password of their own at
    the next sign-in (only they should know it)."""
    user.set_password(_checked_password(password, user.username, user.display_name))
    user.password_change_required = True
    user.end_sessions()
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A user's own change (修改密码): every other session of theirs ends (the caller signs
    this one in again), and the admin's demand for a change is met."""
    if not user.check_password(current_password):
        raise InvalidInput("current_password", _("当前密码不正确。"))
    if user.check_password(new_password):
        raise InvalidInput("new_password", _("新密码不能与当前密码相同。"))
    user.set_password(_checked_password(new_password, user.username, user.display_name, "new_password"))
    user.password_change_required = False
    user.end_sessions()
    db.session.commit()
