from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import accounts, services
from app.auth.forms import ChangePasswordForm, LoginForm
from app.auth.models import LOCALES
from app.auth.roles import lands_in_app
from app.errors import InvalidInput

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


def _landing() -> str:
    return url_for("pwa.shell") if lands_in_app(current_user) else url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_landing())
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = services.sign_in(form.username.data, form.password.data, request.remote_addr or "")
        if result.user is not None:
            login_user(result.user)
            if result.user.locale is None and "locale_choice" in session:
                services.set_locale(result.user, session["locale_choice"])
            target = request.args.get("next")
            return redirect(_safe_next(target) if target else _landing())
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


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """修改密码: the user's own change; linked from the header, and the only page open after an
    admin's reset until it is done."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(user, form.current_password.data, form.new_password.data)
        except InvalidInput as error:
            form[error.field].errors.append(error.message)
        else:
            login_user(user)  # this session goes on under the new session version
            flash(_("密码已修改。其他设备上的登录已退出，需要用新密码重新登录。"), "success")
            return redirect(_safe_next(request.args.get("next")))
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status


# What a user who must choose a new password may still reach: the change page, signing out,
# the language, and what carries no user data (the offline app's shell and what its service
# worker precaches, which must never be a redirect).
OPEN_BEFORE_PASSWORD_CHANGE = frozenset({
    "static", "auth.change_password", "auth.logout", "auth.switch_locale", "main.healthz", "pwa.shell",
    "pwa.manifest", "pwa.service_worker", "census.form_bundle",
})


@bp.before_app_request
def _password_change_first():
    """After an admin's reset every page sends the user to choose their own password, and the
    API answers 403 with a sentence the phone shows beside a link to that page."""
    if request.endpoint in OPEN_BEFORE_PASSWORD_CHANGE or not current_user.is_authenticated \
            or not current_user.password_change_required:
        return None
    if request.path.startswith("/api/"):
        return jsonify(error=403, code="password_change_required",
                       location=url_for("auth.change_password", next="/app"),
                       message=_("管理员重设了您的密码。请点此修改密码，修改后继续同步；未发送的记录都还在。")), 403
    here = (request.full_path if request.query_string else request.path) if request.method == "GET" else None
    return redirect(url_for("auth.change_password", next=here))
