"""Error pages in the user's language; JSON for clients that ask for JSON."""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
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

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("Unhandled error")
        return _render(500, _messages()[500])
