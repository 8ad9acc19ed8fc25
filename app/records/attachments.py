"""Attachment upload (附件上传): the consent signature and photos of a record, each
addressed by its SHA-256 and uploaded on its own, in chunks, resumably.

What must always hold:
- Paths on disk are built from a validated lowercase hex digest, never from anything else
  the client sent: ``<instance>/attachments/<sha256>`` once complete, ``.part`` until then.
- ``received`` is how many bytes of the file the server holds; a chunk must start there.
- A file is complete only when its bytes hash to its name and it is the image type it
  claims; otherwise the partial file and its row are discarded.
- Sending a complete file again changes nothing (idempotent).
- When a file completes, each submission whose current revision now has every file is
  marked complete (app.records.services does the same when the record arrives after its files).
- Partial uploads are bounded: a user has at most ``MAX_PARTIAL_UPLOADS`` files begun and not
  finished, and a partial file older than ``PARTIAL_UPLOAD_HOURS`` expires (its row and
  ``.part`` file are removed: when its user begins another file, and by ``flask attachments
  expire``). A phone whose partial expired finds no file on asking and sends it from the start.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, false, func, or_, select, update

from app import clock
from app.extensions import db
from app.records.models import CONTENT_TYPES, Attachment, RevisionAttachment, Submission, SubmissionRevision
from app.records.queries import is_current_revision

MAX_BYTES = 5 * 1024 * 1024
SHA256 = re.compile(r"[0-9a-f]{64}")
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}


class UploadError(Exception):
    def __init__(self, status: int, message: str, attachment: Attachment | None = None):
        super().__init__(message)
        self.status, self.message, self.attachment = status, message, attachment


def too_large_message() -> str:
    return _("文件超过 %(limit)s MB，无法上传；请压缩或重新拍摄后再试。", limit=MAX_BYTES // (1024 * 1024))


def wrong_type_message() -> str:
    return _("只能上传 JPEG 或 PNG 图片。")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(sha256: str) -> tuple[Path, Path]:
    if not SHA256.fullmatch(sha256):
        raise ValueError(sha256)  # the views refuse these first; this guards the file system
    return _folder() / sha256, _folder() / f"{sha256}.part"


def _parse_range(header: str | None, length: int) -> tuple[int, int]:
    """(first byte, total size) of a chunk; a request without Content-Range is the whole file."""
    if header is None:
        return 0, length
    match = CONTENT_RANGE.fullmatch(header.strip())
    if not match:
        raise UploadError(400, _("Content-Range 应为“bytes 起始-结束/总大小”。"))
    first, last, size = map(int, match.groups())
    if last < first or last >= size or last - first + 1 != length:
        raise UploadError(400, _("Content-Range 与上传的数据长度不一致。"))
    return first, size


def receive(user, sha256: str, content_type: str | None, content_range: str | None, body: bytes) -> Attachment:
    """Store one chunk; the caller answers with the attachment's state."""
    first, size = _parse_range(content_range, len(body))
    if size > MAX_BYTES:
        raise UploadError(413, too_large_message())
    content_type = (content_type or "").split(";")[0].strip().lower()
    if content_type not in CONTENT_TYPES:
        raise UploadError(415, wrong_type_message())

    attachment = db.session.get(Attachment, sha256, with_for_update=True)
    if attachment is not None and attachment.complete:
        return attachment
    if attachment is None:
        _check_partial_cap(user)
        attachment = Attachment(sha256=sha256, size=size, content_type=content_type, received=0,
                                uploaded_by_id=user.id)
        db.session.add(attachment)
    elif (attachment.size, attachment.content_type) != (size, content_type):
        raise UploadError(409, _("文件大小或类型与已收到的部分不一致。"), attachment)
    if first != attachment.received:
        raise UploadError(409, _("应从第 %(received)s 字节继续上传。", received=attachment.received), attachment)

    final, partial = _paths(sha256)
    with open(partial, "r+b" if partial.exists() else "wb") as stream:
        stream.seek(first)  # bytes past ``received`` are from a chunk whose commit failed: overwrite them
        stream.write(body)
        stream.truncate()
    attachment.received = first + len(body)
    if attachment.received == size:
        _finish(attachment, final, partial)
    db.session.commit()
    return attachment


def _check_partial_cap(user) -> None:
    """Before a user begins another file: their expired partials go, and at most
    MAX_PARTIAL_UPLOADS may be left unfinished."""
    expire_partials(Attachment.uploaded_by_id == user.id)
    pending = db.session.scalar(select(func.count()).select_from(Attachment).where(
        Attachment.uploaded_by_id == user.id, Attachment.complete == false()))
    limit = current_app.config["MAX_PARTIAL_UPLOADS"]
    if pending >= limit:
        raise UploadError(429, _("已有 %(count)s 个文件尚未传完，请先传完它们再上传新文件。", count=pending))


def expire_partials(*where) -> int:
    """Remove the unfinished files begun more than PARTIAL_UPLOAD_HOURS ago (those ``where``
    says, or all), and commit; returns how many. Rows go first, files once that is committed:
    a row never names a partial file that is gone."""
    cutoff = clock.now() - dt.timedelta(hours=current_app.config["PARTIAL_UPLOAD_HOURS"])
    expired = db.session.scalars(select(Attachment).where(
        Attachment.complete == false(), Attachment.created_at < cutoff, *where).with_for_update()).all()
    digests = [attachment.sha256 for attachment in expired]
    for attachment in expired:
        db.session.delete(attachment)
    db.session.commit()
    for sha256 in digests:
        _paths(sha256)[1].unlink(missing_ok=True)
    return len(digests)


def _finish(attachment: Attachment, final: Path, partial: Path) -> None:
    digest = hashlib.sha256()
    with open(partial, "rb") as stream:
        head = stream.read(16)
        digest.update(head)
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    problem = None
    if digest.hexdigest() != attachment.sha256:
        problem = UploadError(422, _("文件内容与其 SHA-256 不符，已丢弃，请重新上传。"))
    elif not head.startswith(MAGIC[attachment.content_type]):
        problem = UploadError(415, wrong_type_message())
    if problem:
        partial.unlink()
        if attachment in db.session.new:
            db.session.expunge(attachment)
        else:
            db.session.delete(attachment)
        db.session.commit()
        raise problem
    partial.replace(final)
    attachment.complete = True
    db.session.flush()
    mark_complete(select(SubmissionRevision.submission_id).join(
        RevisionAttachment, RevisionAttachment.revision_id == SubmissionRevision.id).where(
        RevisionAttachment.sha256 == attachment.sha256))


def stored_file(sha256: str) -> tuple[Path, str] | None:
    """Where a complete file lies on disk, and its type; None while it is not complete here."""
    attachment = db.session.get(Attachment, sha256) if SHA256.fullmatch(sha256) else None
    if attachment is None or not attachment.complete:
        return None
    return _paths(sha256)[0], attachment.content_type


def missing(sha256s, complete: set[str] | None = None) -> list[str]:
    """Which of these files are not complete on the server; ``complete``: the files among
    them already read complete in this transaction (``complete_of``), else they are read."""
    if not sha256s:
        return []
    return sorted(set(sha256s) - (complete_of(sha256s) if complete is None else complete))


def complete_of(sha256s) -> set[str]:
    """Which of these files are complete on the server."""
    if not sha256s:
        return set()
    return set(db.session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(list(sha256s)),
                                                                   Attachment.complete)))


def missing_by_revision(revision_ids) -> dict[int, list[str]]:
    """The files each revision refers to that are not complete on the server."""
    rows = db.session.execute(
        select(RevisionAttachment.revision_id, RevisionAttachment.sha256)
        .outerjoin(Attachment, Attachment.sha256 == RevisionAttachment.sha256)
        .where(RevisionAttachment.revision_id.in_(list(revision_ids)),
               or_(Attachment.complete.is_(None), Attachment.complete == false()))
        .order_by(RevisionAttachment.revision_id, RevisionAttachment.sha256))
    missing: dict[int, list[str]] = {}
    for revision_id, sha256 in rows:
        missing.setdefault(revision_id, []).append(sha256)
    return missing


def signed(revision_ids) -> set[int]:
    """Those of these revisions whose signature file the server holds complete."""
    if not revision_ids:
        return set()
    return set(db.session.scalars(
        select(RevisionAttachment.revision_id).join(Attachment, Attachment.sha256 == RevisionAttachment.sha256)
        .where(RevisionAttachment.revision_id.in_(list(revision_ids)), RevisionAttachment.kind == "signature",
               Attachment.complete)))


def mark_complete(submission_ids) -> None:
    """Mark complete each of these submissions whose current revision has every file.
    A plain UPDATE: completeness is not a review change, so it leaves ``version`` alone."""
    incomplete_file = (
        select(RevisionAttachment.revision_id)
        .join(SubmissionRevision, SubmissionRevision.id == RevisionAttachment.revision_id)
        .outerjoin(Attachment, Attachment.sha256 == RevisionAttachment.sha256)
        .where(is_current_revision(), or_(Attachment.complete.is_(None), Attachment.complete == false()))
    )
    db.session.execute(update(Submission).where(
        and_(Submission.id.in_(submission_ids), Submission.complete == false(), ~incomplete_file.exists()))
        .values(complete=True), execution_options={"synchronize_session": False})
