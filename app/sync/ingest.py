"""Ingest (入库) of records pushed by phones: the server half of docs/sync.md.

What must always hold:
- A record is known by the id the phone gave it, forever: one Submission per id, in the
  household it was made for.
- Each record of a batch is committed on its own; a record that fails rolls back alone and
  never costs the others their place.
- A stored revision is never changed. Different content under a known id becomes a new
  revision only when it corrects the current revision of a *returned* record (its
  ``base_revision`` is that revision); anything else is kept as a SyncConflict beside
  the record, for the enumerator and the reviewer to compare.
- The same content (the SHA-256 of canonical JSON, app.sync.canonical) sent again is a
  duplicate: a success that stores nothing.
- Only errors refuse a record. Warnings, explained or not, are stored in the server's
  result for the reviewer: some (an ID registered in another household) only the server
  can see, so the phone could never have explained them.
- The server recomputes income and screening with the same engine as the phone and keeps
  both results; when they disagree the record is flagged ``result_mismatch``, never refused.
- A submission is ``complete`` when every file its current revision refers to is on the
  server (app.sync.attachments keeps this true when a file arrives after its record).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth.scope import household_filter
from app.campaigns.models import Assignment, Campaign
from app.census import definitions, validation
from app.census import services as census
from app.extensions import db
from app.households.models import Household
from app.review import workflow
from app.review.services import record_transition
from app.sync import attachments, queries
from app.sync.canonical import content_sha256, field_diff
from app.sync.models import (
    ATTACHMENT_KINDS,
    CONTENT_TYPES,
    RevisionAttachment,
    Submission,
    SubmissionRevision,
    SyncConflict,
)

MAX_PHOTOS = 5
# What "the same result" means: these income figures and the flag codes.
COMPARED_INCOME = ("household_size", "family_net_income", "per_capita_net_income", "per_capita_after_rigid_costs",
                   "out_of_pocket", "insurance_payouts")


class Refused(Exception):
    """The record is invalid; ``issues`` say why, field by field."""

    def __init__(self, issues: list[dict]):
        super().__init__(issues)
        self.issues = issues


def _issue(path: str, code: str, message: str) -> dict:
    return {"path": path, "code": code, "message": message}


@dataclass(frozen=True)
class Incoming:
    id: str
    household_id: int
    form_version: str
    definition: dict
    base_revision: int | None
    answers: dict
    client_result: dict | None
    attachments: tuple[tuple[str, str], ...]  # (sha256, kind)


@dataclass
class Batch:
    """What every record of one request is checked against, read once."""

    user: object
    campaign: Campaign | None
    in_scope: frozenset[int]
    in_campaign: frozenset[int]
    definitions: dict
    facts: list  # census.Facts per record (None where the record is unusable), read in two queries
    households: dict  # id → Household in scope; held here, since the session only keeps weak references
    known: set  # ids of the batch already stored: only these are looked up (and locked) one by one


def ingest(user, records: list) -> list[dict]:
    """One result per record, in order (see docs/sync.md, Push)."""
    batch = _prepare(user, records)
    session = db.session()
    # The campaign, areas and households read once stay loaded across the per-record commits
    # instead of being read again for every record; submissions are always read afresh.
    session.expire_on_commit = False
    try:
        return [_ingest_committed(batch, record, facts) for record, facts in zip(records, batch.facts)]
    finally:
        session.expire_on_commit = True


def _prepare(user, records: list) -> Batch:
    named = {record.get("household_id") for record in records if isinstance(record, dict)}
    named = [value for value in named if _is_int(value)]
    campaign = census.current_campaign()
    households = db.session.scalars(select(Household).where(Household.id.in_(named), household_filter(user))
                                    .options(selectinload(Household.village), selectinload(Household.group))).all() \
        if named else []
    in_scope = frozenset(household.id for household in households)
    in_campaign = frozenset(db.session.scalars(select(Assignment.household_id).where(
        Assignment.campaign_id == campaign.id, Assignment.household_id.in_(in_scope)))) \
        if campaign and in_scope else frozenset()
    by_id = {household.id: household for household in households}
    usable = [index for index, record in enumerate(records) if isinstance(record, dict)
              and record.get("household_id") in by_id and isinstance(record.get("answers"), dict)]
    last_year = {household_id: queries.per_capita(revision)
                 for household_id, (_year, revision) in queries.approved_earlier(campaign, in_scope).items()} \
        if campaign else {}
    found = census.facts_for(campaign, [(by_id[records[i]["household_id"]], records[i]["answers"]) for i in usable],
                             last_year)
    facts = [None] * len(records)
    for index, record_facts in zip(usable, found):
        facts[index] = record_facts
    ids = [record_id for record_id in map(_record_id, records) if record_id]
    known = set(db.session.scalars(select(Submission.id).where(Submission.id.in_(ids)))) if ids else set()
    return Batch(user, campaign, in_scope, in_campaign, {}, facts, by_id, known)


def _record_id(record) -> str | None:
    """The record's id as stored (a canonical UUID), or None when it has none."""
    try:
        return str(uuid.UUID(record.get("id")))
    except (TypeError, ValueError, AttributeError):
        return None


def _ingest_committed(batch: Batch, record, facts) -> dict:
    record_id = _record_id(record)
    try:
        try:
            return _stored(batch, record, facts)
        except IntegrityError:
            # The same id stored by a concurrent request: on a second look it is a duplicate or a conflict.
            db.session.rollback()
            batch.known.add(record_id)
            return _stored(batch, record, facts)
    except Refused as refused:
        db.session.rollback()
        return {"id": record_id, "result": "invalid", "issues": refused.issues}
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Sync ingest failed for record %s", record_id)
        return {"id": record_id, "result": "error", "message": _("服务器暂时无法保存这条记录，稍后会自动重试。")}


def _stored(batch: Batch, record, facts) -> dict:
    result = _ingest_one(batch, record, facts)
    db.session.commit()
    return result


def _ingest_one(batch: Batch, record, facts) -> dict:
    incoming = _parse(batch, record)
    if incoming.household_id not in batch.in_scope:
        raise Refused([_issue("household_id", "not_in_scope", _("该户不在您负责的范围内。"))])
    submission = db.session.get(Submission, incoming.id, with_for_update=True, populate_existing=True) \
        if incoming.id in batch.known else None
    if submission is not None and submission.household_id != incoming.household_id:
        raise Refused([_issue("id", "id_taken", _("该记录编号已被另一户的记录使用。"))])
    content = content_sha256(incoming.answers)
    current = submission and db.session.scalar(select(SubmissionRevision).where(
        SubmissionRevision.submission_id == submission.id, SubmissionRevision.number == submission.revision))
    if current is not None and current.content_sha256 == content:
        return _answer("duplicate", submission, attachments.missing_by_revision([current.id]).get(current.id, []))
    if current is not None and not (submission.status == "returned" and incoming.base_revision == submission.revision):
        return _conflict(batch, incoming, content, submission, current)

    if batch.campaign is None or incoming.household_id not in batch.in_campaign:
        raise Refused([_issue("household_id", "not_in_campaign", _("该户不在当前普查批次中。"))])
    server_result = _evaluate(batch, incoming, facts)
    files_missing = attachments.missing([sha256 for sha256, _kind in incoming.attachments])
    if submission is None:
        if incoming.base_revision is not None:
            raise Refused([_issue("base_revision", "unknown_base", _("服务器上没有这条记录，无法作为更正提交。"))])
        submission = Submission(id=incoming.id, household_id=incoming.household_id, campaign_id=batch.campaign.id,
                                enumerator_id=batch.user.id, revision=1, status="submitted")
        db.session.add(submission)
    else:
        submission.revision += 1  # the resubmit event names the revision it brings
        try:
            record_transition(batch.user, submission, "resubmit")
        except workflow.WorkflowError as error:
            raise Refused([_issue("id", "not_allowed", _(error.message))]) from None
    submission.result_mismatch = results_differ(incoming.client_result, server_result)
    submission.complete = not files_missing
    revision = SubmissionRevision(
        submission=submission, number=submission.revision, answers=incoming.answers, content_sha256=content,
        form_version=incoming.form_version, client_result=incoming.client_result, server_result=server_result,
        base_revision=incoming.base_revision, enumerator_id=batch.user.id,
        attachments=[RevisionAttachment(sha256=sha256, kind=kind) for sha256, kind in incoming.attachments])
    db.session.add(revision)
    db.session.flush()  # once, so that a new revision moves the version on by exactly one
    return _answer("created", submission, files_missing)


def _evaluate(batch: Batch, incoming: Incoming, facts) -> dict:
    result = census.evaluate(batch.households[incoming.household_id], batch.campaign, incoming.answers,
                             incoming.definition, facts)
    errors = [item for item in result["issues"] if item["severity"] == "error"]
    if errors:
        raise Refused([_issue(item["path"], item["code"], item["message"]) for item in errors])
    return {"income": result["income"], "screening": result["screening"], "issues": result["issues"]}


def _answer(outcome: str, submission: Submission, missing: list[str]) -> dict:
    return {"id": submission.id, "result": outcome, "revision": submission.revision, "status": submission.status,
            "complete": not missing, "missing_attachments": missing}


def _conflict(batch: Batch, incoming: Incoming, content: str, submission: Submission,
              current: SubmissionRevision) -> dict:
    """Keep the received copy beside the record (once per content) and show where they differ."""
    known = db.session.scalar(select(SyncConflict.id).where(
        SyncConflict.submission_id == submission.id, SyncConflict.content_sha256 == content,
        SyncConflict.resolved.is_(False)))
    if known is None:
        db.session.add(SyncConflict(submission_id=submission.id, answers=incoming.answers, content_sha256=content,
                                    form_version=incoming.form_version, base_revision=incoming.base_revision,
                                    enumerator_id=batch.user.id))
    return {"id": submission.id, "result": "conflict", "revision": submission.revision, "status": submission.status,
            "diff": field_diff(current.answers, incoming.answers)}


def results_differ(client_result, server_result: dict) -> bool:
    """True when the phone's income figures or flag codes are not the server's (or unreadable)."""
    try:
        client_income, server_income = client_result["income"], server_result["income"]
        if any(client_income.get(key) != server_income[key] for key in COMPARED_INCOME):
            return True
        return sorted(flag["code"] for flag in client_result["screening"]["flags"]) != \
            sorted(flag["code"] for flag in server_result["screening"]["flags"])
    except (KeyError, TypeError, AttributeError):
        return True


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse(batch: Batch, record) -> Incoming:
    """The record's fields, or Refused listing every field with the wrong shape."""
    if not isinstance(record, dict):
        raise Refused([_issue("", "malformed", _("记录应为 JSON 对象。"))])
    issues = []
    record_id = _record_id(record)
    if record_id is None:
        issues.append(_issue("id", "malformed", _("记录编号应为 UUID。")))
    if not _is_int(record.get("household_id")):
        issues.append(_issue("household_id", "malformed", _("农户 ID 应为整数。")))
    base = record.get("base_revision")
    if base is not None and not (_is_int(base) and base >= 1):
        issues.append(_issue("base_revision", "malformed", _("基于的修订号应为正整数或 null。")))
    client_result = record.get("client_result")
    if client_result is not None and not isinstance(client_result, dict):
        issues.append(_issue("client_result", "malformed", _("手机端结果应为 JSON 对象。")))
    version = record.get("form_version")
    definition = _definition(batch, version) if isinstance(version, str) else None
    if definition is None:
        issues.append(_issue("form_version", "unknown_form_version",
                             _("未知的调查表版本“%(version)s”。", version=version)))
    answers = record.get("answers")
    if definition is not None:
        issues += [_issue(path, "malformed", _("记录的结构不正确，无法检查。"))
                   for path in validation.malformed(definition, answers)]
    found, attachment_issues = _attachments(record.get("attachments", []))
    issues += attachment_issues
    if issues:
        raise Refused(issues)
    return Incoming(record_id, record["household_id"], version, definition, base, answers, client_result, found)


def _definition(batch: Batch, version: str) -> dict | None:
    if version not in batch.definitions:
        batch.definitions[version] = definitions.get(version)
    return batch.definitions[version]


def _attachments(listed) -> tuple[tuple[tuple[str, str], ...], list[dict]]:
    """(sha256, kind) of each declared file, and the issues: at most one signature and five
    photos, each file once, declared types and sizes the upload will accept."""
    if not isinstance(listed, list):
        return (), [_issue("attachments", "malformed", _("附件应为列表。"))]
    found, issues = [], []
    for index, item in enumerate(listed):
        path = f"attachments[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("sha256"), str) \
                or not attachments.SHA256.fullmatch(item["sha256"]) or item.get("kind") not in ATTACHMENT_KINDS:
            issues.append(_issue(path, "malformed", _("附件应给出 64 位小写十六进制的 SHA-256 和类别（签名或照片）。")))
            continue
        if item.get("content_type", CONTENT_TYPES[0]) not in CONTENT_TYPES:
            issues.append(_issue(path, "attachment_type", attachments.wrong_type_message()))
        size = item.get("size", 0)
        if not _is_int(size) or size > attachments.MAX_BYTES:
            issues.append(_issue(path, "attachment_too_large", attachments.too_large_message()))
        found.append((item["sha256"], item["kind"]))
    kinds = [kind for _sha256, kind in found]
    if kinds.count("signature") > 1:
        issues.append(_issue("attachments", "too_many_signatures", _("每条记录只能有一个签名。")))
    if kinds.count("photo") > MAX_PHOTOS:
        issues.append(_issue("attachments", "too_many_photos", _("每条记录最多 %(max)s 张照片。", max=MAX_PHOTOS)))
    if len({sha256 for sha256, _kind in found}) != len(found):
        issues.append(_issue("attachments", "attachment_repeated", _("同一个文件在记录中出现了两次。")))
    return tuple(found), issues
