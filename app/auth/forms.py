from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from app.auth.passwords import MIN_LENGTH


def new_password_field(label) -> PasswordField:
    """A password someone chooses. The rule is the service's (app.auth.passwords); the field
    tells it in its hint, and the browser knows the length."""
    return PasswordField(label, validators=[InputRequired(_l("请输入密码。"))],
                         description=_l("至少 %(count)d 个字符；不能是常见或容易猜到的密码，也不能包含用户名或姓名。",
                                        count=MIN_LENGTH),
                         render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH})


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名")), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码"))],
                             render_kw={"autocomplete": "current-password"})


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[InputRequired(_l("请输入当前密码。"))],
                                     render_kw={"autocomplete": "current-password"})
    new_password = new_password_field(_l("新密码"))
    confirm_password = PasswordField(_l("再次输入新密码"), validators=[
        InputRequired(_l("请再次输入新密码。")), EqualTo("new_password", _l("两次输入的新密码不一致。")),
    ], render_kw={"autocomplete": "new-password"})
