"""The sync API the phone talks to (docs/sync.md): session, pull, push, attachments."""

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from app import clock, jsonbody
from app.audits import services as audits
from app.auth.roles import requires
from app.census import services as census
from app.extensions import db
from app.records import attachments
from app.records.models import Attachment
from app.sync import ingest, queries, schema, tasks
from app.visits import services as visits

bp = Blueprint("sync", __name__)

MAX_BATCH_RECORDS = 50
MAX_BATCH_BYTES = 4 * 1024 * 1024


@bp.route("/api/session")
@login_required
def session():
    """Who is signed in, and the CSRF token every write must send (never baked into a cached page)."""
    user = current_user
    return jsonify(user={"id": user.id, "username": user.username, "display_name": user.display_name,
                         "role": user.role, "locale": user.locale or str(get_locale())},
                   csrf_token=generate_csrf())


def _no_campaign():
    return jsonify(error=404, message=_("目前没有进行中的普查批次。")), 404


@bp.route("/api/sync/households")
@requires("collect")
def households():
    campaign = census.current_campaign()
    if campaign is None:
        return _no_campaign()
    response = jsonify(campaign={"id": campaign.id, "name": campaign.name, "year": campaign.year,
                                 "form_version": campaign.form_version},
                       households=queries.assigned_households(current_user, campaign, clock.today()))
    response.add_etag()  # the phone sends it back in If-None-Match; the answer itself is never stored
    return response.make_conditional(request)


@bp.route("/api/sync/records")
@requires("collect")
def records():
    campaign = census.current_campaign()
    if campaign is None:
        return _no_campaign()
    return jsonify(records=queries.user_records(current_user, campaign))


def _batch(key: str, not_a_batch: str, is_batch=None) -> list:
    """A pushed batch's items. Read with a bound whatever the transfer (a chunked body has no
    Content-Length); a malformed request is refused with a message (app.main.errors answers)."""
    body = jsonbody.parse(jsonbody.read_bytes(MAX_BATCH_BYTES, _("一次同步的数据超过 4 MB，请分批发送。")))
    if not (is_batch(body) if is_batch else isinstance(body, dict) and isinstance(body.get(key), list)):
        raise jsonbody.RefusedInput(400, not_a_batch)
    if len(body[key]) > MAX_BATCH_RECORDS:
        raise jsonbody.RefusedInput(413, _("一次最多同步 %(max)s 条记录。", max=MAX_BATCH_RECORDS))
    return body[key]


def _unstorable(item) -> dict | None:
    """The answer for an item holding what no database can store (NaN, NUL, nesting too deep)."""
    found = jsonbody.unstorable(item)
    if not found:
        return None
    path, code, message = found[0]
    return {"id": item.get("id") if isinstance(item, dict) else None, "result": "invalid", "code": code,
            "message": message}


@bp.route("/api/sync/records", methods=["POST"])
@requires("collect")
def push():
    # What no database can store is found record by record (app.sync.schema): it costs only its record.
    records = _batch("records", _("请求内容应为包含 records 列表的 JSON。"), schema.is_batch)
    return jsonify(results=ingest.ingest(current_user, records))


@bp.route("/api/sync/tasks")
@requires("collect")
def task_list():
    return jsonify(tasks=tasks.tasks(current_user, clock.today()))


@bp.route("/api/sync/visits", methods=["POST"])
@requires("collect")
def push_visits():
    """走访记录: one result per visit (created, duplicate, invalid), each committed on its own."""
    items = _batch("visits", _("请求内容应为包含 visits 列表的 JSON。"))
    today = clock.today()
    return jsonify(results=[_unstorable(item) or visits.receive_visit(current_user, item, today) for item in items])


@bp.route("/api/sync/audits", methods=["POST"])
@requires("collect")
def push_audits():
    """审核复核表: one result per copy (created with its outcome, duplicate, invalid)."""
    items = _batch("copies", _("请求内容应为包含 copies 列表的 JSON。"))
    today = clock.today()
    return jsonify(results=[_unstorable(item) or audits.receive_copy(current_user, item, today) for item in items])


def _attachment_state(attachment: Attachment):
    return {"sha256": attachment.sha256, "received": attachment.received, "size": attachment.size,
            "complete": attachment.complete}


def _bad_sha():
    return jsonify(error=400, message=_("文件地址应为 64 位小写十六进制的 SHA-256。")), 400


@bp.route("/api/attachments/<sha256>")
@requires("collect")
def attachment_status(sha256: str):
    if not attachments.SHA256.fullmatch(sha256):
        return _bad_sha()
    attachment = db.session.get(Attachment, sha256)
    if attachment is None:
        return jsonify(error=404, message=_("服务器还没有收到这个文件。")), 404
    return jsonify(_attachment_state(attachment))


@bp.route("/api/attachments/<sha256>", methods=["PUT"])
@requires("collect")
def attachment_upload(sha256: str):
    if not attachments.SHA256.fullmatch(sha256):
        return _bad_sha()
    body = jsonbody.read_bytes(attachments.MAX_BYTES, attachments.too_large_message())  # chunked too
    try:
        attachment = attachments.receive(current_user, sha256, request.content_type,
                                         request.headers.get("Content-Range"), body)
    except attachments.UploadError as error:
        db.session.rollback()
        state = _attachment_state(error.attachment) if error.attachment is not None else {}
        return jsonify(error=error.status, message=error.message, **state), error.status
    return jsonify(_attachment_state(attachment))
