"""Error pages in the user's language; JSON for clients that ask for JSON."""
from flask import current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from app.jsonbody import RefusedInput


def _messages():
    return {
        400: _("请求无效，请检查后重试。"),
        401: _("请先登录。"),
        403: _("您没有执行此操作的权限。"),
        404: _("找不到该页面或记录，或它不在您负责的范围内。"),
        405: _("不支持此操作。"),
        409: _("该记录已被他人修改，请刷新后重试。"),
        413: _("上传的文件太大。"),
        429: _("请求过于频繁，请稍后再试。"),
        500: _("服务器出错了，请稍后再试。"),
        503: _("服务器暂时连不上数据库，请稍后再试；手机上的记录会保留，之后自动发送。"),
    }


def _render(status: int, message: str):
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return jsonify(error=status, message=message), status
    return render_template("error.html", status=status, message=message), status


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(400, _("页面已过期或来源不明，请刷新页面后重新提交。"))

    @app.errorhandler(RefusedInput)
    def refused_input(error):
        return _render(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error):
        return _render(error.code, _messages().get(error.code, error.description))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(error):
        """The database is down, restarting or out of connections: a passing state, so 503 with
        when to try again (the phone keeps its outbox and retries), never a 500."""
        app.logger.warning("Database unavailable: %s", error)
        # Who is signed in cannot be read now: the answer is drawn as for a visitor (the
        # language from the session, no menu), not by reading the user again and failing.
        g._login_user = current_app.login_manager.anonymous_user()
        response, status = _render(503, _messages()[503])
        response = current_app.make_response((response, status))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("Unhandled error")
        return _render(500, _messages()[500])
