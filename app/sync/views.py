"""The sync API the phone talks to (docs/sync.md): session, pull, push, attachments."""

from flask import Blueprint, jsonify, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from app import clock, jsonbody, typed
from app.audits import services as audits
from app.auth.roles import requires
from app.census import services as census
from app.extensions import db
from app.records import attachments
from app.records.models import Attachment
from app.sync import batches, ingest, queries, schema
from app.visits import services as visits

bp = Blueprint("sync", __name__)



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
                       households=queries.assigned_households(current_user, campaign))
    response.add_etag()  # the phone sends it back in If-None-Match; the answer itself is never stored
    return response.make_conditional(request)


@bp.route("/api/sync/households/forms")
@requires("collect")
def household_forms():
    """What each household's form needs offline (roster prefill, threshold, last year), for
    ``?ids=7,8,9`` (at most FORMS_PER_REQUEST): fetched after the list is drawn, in chunks,
    each answered 304 to the ETag of its last answer."""
    campaign = census.current_campaign()
    if campaign is None:
        return _no_campaign()
    try:
        ids = [typed.whole_number(part) for part in request.args.get("ids", "").split(",")]
    except ValueError:
        return jsonify(error=400, message=_("ids 应为以逗号分隔的农户 id。")), 400
    if len(ids) > queries.FORMS_PER_REQUEST:
        return jsonify(error=400, message=_("一次最多请求 %(count)s 户。", count=queries.FORMS_PER_REQUEST)), 400
    response = jsonify(forms=queries.household_forms(current_user, campaign, clock.today(), ids))
    response.add_etag()  # the phone keeps one per chunk of ids and sends it back in If-None-Match
    return response.make_conditional(request)


@bp.route("/api/sync/records")
@requires("collect")
def records():
    campaign = census.current_campaign()
    if campaign is None:
        return _no_campaign()
    return jsonify(records=queries.user_records(current_user, campaign))


@bp.route("/api/sync/records", methods=["POST"])
@requires("collect")
def push():
    # What no database can store is found record by record (app.sync.schema): it costs only its record.
    records = batches.items("records", _("请求内容应为包含 records 列表的 JSON。"), schema.is_batch)
    # The user itself, not the proxy: each record asks for its id several times.
    return jsonify(results=ingest.ingest(current_user._get_current_object(), records))


@bp.route("/api/sync/visits", methods=["POST"])
@requires("collect")
def push_visits():
    """走访记录: one result per visit (created, duplicate, invalid), each committed on its own."""
    items = batches.items("visits", _("请求内容应为包含 visits 列表的 JSON。"))
    today = clock.today()
    return jsonify(results=[batches.unstorable(item) or visits.receive_visit(current_user, item, today)
                            for item in items])


@bp.route("/api/sync/audits", methods=["POST"])
@requires("collect")
def push_audits():
    """审核复核表: one result per copy (created with its outcome, duplicate, invalid)."""
    items = batches.items("copies", _("请求内容应为包含 copies 列表的 JSON。"))
    today = clock.today()
    return jsonify(results=[batches.unstorable(item) or audits.receive_copy(current_user, item, today)
                            for item in items])


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
