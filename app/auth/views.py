from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import LoginForm
from app.auth.models import LOCALES

bp = Blueprint("auth", __name__)


# What a browser drops from a URL before reading it (WHATWG URL standard): tabs and newlines
# anywhere, control characters and spaces at either end.
_DROPPED_INSIDE = str.maketrans("", "", "\t\n\r")
_DROPPED_AT_ENDS = "".join(map(chr, range(0x21)))


def _safe_next(target: str | None) -> str:
    """Only a path on this site: a login link must not bounce users to another site. The
    target is read as the browser will read it (``/<tab>/evil.example`` is
    ``//evil.example``, a backslash is a slash), and that reading is what is sent back."""
    if target:
        path = target.translate(_DROPPED_INSIDE).strip(_DROPPED_AT_ENDS).replace("\\", "/")
        if (path.startswith("/") and not path.startswith("//")
                and not any(ord(char) < 0x20 or ord(char) == 0x7F for char in path)):
            return path
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = services.sign_in(form.username.data, form.password.data, request.remote_addr or "")
        if result.user is not None:
            login_user(result.user)
            if result.user.locale is None and "locale_choice" in session:
                services.set_locale(result.user, session["locale_choice"])
            return redirect(_safe_next(request.args.get("next")))
        if result.locked_minutes:
            flash(_("登录失败次数过多，请 %(minutes)d 分钟后再试。", minutes=result.locked_minutes), "error")
            status = 429
        else:
            flash(_("用户名或密码不正确，或该账号已停用。"), "error")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    services.sign_out(current_user)
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/locale", methods=["POST"])
def switch_locale():
    """The language switch: remembered on the user when signed in, else in the session."""
    locale = request.form.get("locale")
    if locale not in LOCALES:
        abort(400)
    if current_user.is_authenticated:
        services.set_locale(current_user, locale)
    else:
        session["locale_choice"] = locale
    return redirect(_safe_next(request.form.get("next")))
