"""Ingest (入库) of records pushed by phones: the transport half of docs/sync.md. It reads
what every record of a batch is checked against once, checks each record's shape (against
app.sync.schema first: a record that fails is answered before any query), lets
app.records.services store it, and shapes the per-record answer.

What must always hold:
- A record that fails rolls back alone and never costs the others their place: each record
  is checked and stored in a savepoint of its own, inside one transaction per batch. New
  records that nothing else in the batch refers to are written together at the end; if
  that write fails, each of them is received again in a savepoint of its own.
- A record is acknowledged only once it is durable: the batch's transaction is committed
  before the answer is made; if the commit fails, no record of the batch is acknowledged
  (every record that was to be stored answers ``error``, and the phone sends it again).
- ``error`` answers only a fault on the server (the phone retries it); a record the server
  will not take answers ``invalid`` with its issues.
- The server recomputes income and screening with the same engine as the phone; the
  record's rules (one record per id, revisions never changed, duplicates and conflicts)
  are app.records.services'.
"""
from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from app.campaigns.models import Assignment, Campaign
from app.census import definitions, validation
from app.census import services as census
from app.extensions import db
from app.figures.models import mark_changed
from app.households.models import Household
from app.households.scope import household_filter
from app.records import attachments, queries
from app.records.models import CONTENT_TYPES, Submission
from app.records.services import Incoming, NewRecords, Refused, Stored, issue, receive
from app.sql import begin_writing
from app.sync import schema

MAX_PHOTOS = 5


@dataclass
class Batch:
    """What every record of one request is checked against, read once."""

    user: object
    campaign: Campaign | None
    in_scope: frozenset[int]
    assignees: dict  # household id → its enumerator in the campaign, for the households in scope
    definitions: dict
    facts: list  # census.Facts per record (None where the record is unusable), read in two queries
    households: dict  # id → (id, village_id, group_id, enumerator_id) of each household in scope
    known: set  # ids of the batch already stored: only these are looked up (and locked) one by one
    unrecorded: set  # households of the campaign with no record yet: no need to look for one
    complete_files: set  # the files the batch's records declare that are complete on the server
    changed: set = field(default_factory=set)  # villages of the records stored
    # New records written together after the others (NewRecords), and their places in the batch.
    pending: NewRecords = field(default_factory=NewRecords)
    pending_at: list = field(default_factory=list)


def ingest(user, records: list) -> list[dict]:
    """One result per record, in order (see docs/sync.md, Push)."""
    original = records
    # Shapes first (app.sync.schema): a record that fails is answered without a query.
    shape_issues = [schema.record_issues(record) for record in records]
    records = [record if not issues else None for record, issues in zip(records, shape_issues)]
    try:
        batch, answers = _receive_all(user, records, original, shape_issues, savepoints=False)
    except _WithoutSavepoint:
        # A new record's step met a fault, and nothing but a savepoint could have undone what
        # it did to the transaction (a failed statement aborts the whole of it on PostgreSQL):
        # the batch starts again, every record in a savepoint of its own.
        db.session.rollback()
        batch, answers = _receive_all(user, records, original, shape_issues, savepoints=True)
    session = db.session()
    # Nothing reads the batch's households and members after its commit (the answers are plain
    # data, the request's session ends with it): expiring each of them would be wasted work.
    session.expire_on_commit = False
    try:
        if batch.changed:
            mark_changed(batch.changed)  # new records are written without the ORM's flush (receive)
        session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Sync ingest failed to commit a batch of %s records", len(records))
        return [answer if answer["result"] == "invalid" else _error(answer["id"]) for answer in answers]
    finally:
        session.expire_on_commit = True
    return answers


class _WithoutSavepoint(Exception):
    """A record received without a savepoint failed on the server."""


def _receive_all(user, records: list, original: list, shape_issues: list, *, savepoints: bool) -> tuple[Batch, list]:
    """Receive the batch's records in order; the answers, and the batch (its villages changed).
    A new record that nothing else in the batch refers to, of a household with no record yet,
    is checked and computed without a savepoint unless ``savepoints``: that step sends no
    statement (its facts and files were read with the batch's), so a record refused there
    leaves nothing behind; any other fault there raises _WithoutSavepoint."""
    batch = _prepare(user, records)
    begin_writing(db.session)
    alone = _alone(records)
    answers = []
    for index, (record, issues, facts) in enumerate(zip(records, shape_issues, batch.facts)):
        if issues:
            answers.append({"id": _record_id(original[index]), "result": "invalid", "issues": issues})
            continue
        waiting = len(batch.pending)
        if index not in alone:
            answers.append(_ingest_in_savepoint(batch, record, facts, None))
        elif savepoints or not _new(batch, record):
            answers.append(_ingest_in_savepoint(batch, record, facts, batch.pending))
        else:
            answers.append(_ingest_new(batch, record, facts))
        if len(batch.pending) > waiting:
            batch.pending_at.append(index)
    _write_pending(batch, records, answers)
    return batch, answers


def _new(batch: Batch, record) -> bool:
    """Whether the batch read that neither this record's id nor a record of its household is stored."""
    return _record_id(record) not in batch.known and record["household_id"] in batch.unrecorded


def _ingest_new(batch: Batch, record, facts) -> dict:
    try:
        return _ingest_one(batch, record, facts, batch.pending)
    except Refused as refused:
        return {"id": _record_id(record), "result": "invalid", "issues": refused.issues}
    except Exception as fault:
        raise _WithoutSavepoint() from fault


def _prepare(user, records: list) -> Batch:
    """``records`` holds None in place of each record whose shape failed."""
    named = list({record["household_id"] for record in records if record is not None})
    campaign = census.current_campaign()
    # The households in scope, their village and group, and their enumerators in the campaign: one query,
    # of plain rows (what the batch needs of a household; loading them as objects cost more).
    households = db.session.execute(
        select(Household.id, Household.village_id, Household.group_id, Assignment.enumerator_id)
        .outerjoin(Assignment, and_(Assignment.household_id == Household.id,
                                    Assignment.campaign_id == (campaign.id if campaign else None)))
        .where(Household.id.in_(named), household_filter(user))).all() if named else []
    in_scope = frozenset(household.id for household in households)
    assignees = {household.id: household.enumerator_id for household in households
                 if household.enumerator_id is not None}
    in_campaign = frozenset(assignees)
    by_id = {household.id: household for household in households}
    usable = [index for index, record in enumerate(records)
              if record is not None and record["household_id"] in by_id]
    last_year = {household_id: queries.per_capita(revision)
                 for household_id, (_year, revision) in queries.approved_earlier(campaign, in_scope).items()} \
        if campaign else {}
    placed = [(by_id[records[index]["household_id"]], records[index]["answers"]) for index in usable]
    found = census.facts_by_area(campaign, [(household.id, household.group_id or household.village_id, answers)
                                            for household, answers in placed], last_year)
    facts = [None] * len(records)
    for index, record_facts in zip(usable, found):
        facts[index] = record_facts
    ids = {record_id for record_id in map(_record_id, filter(None, records)) if record_id}
    # The batch's ids already stored, and the records of its households: one query for both.
    stored = db.session.execute(select(Submission.id, Submission.household_id).where(or_(
        Submission.id.in_(ids), and_(Submission.campaign_id == campaign.id, Submission.household_id.in_(in_campaign)))
        if campaign else Submission.id.in_(ids))).all() if ids or in_campaign else []
    known = {record_id for record_id, _household in stored if record_id in ids}
    unrecorded = set(in_campaign) - {household for _record, household in stored}
    complete_files = attachments.complete_of({item["sha256"] for record in records if record is not None
                                              for item in record.get("attachments", [])})
    return Batch(user, campaign, in_scope, assignees, {}, facts, by_id, known, unrecorded, complete_files)


def _record_id(record) -> str | None:
    """The record's id as stored (a canonical UUID), or None when it has none."""
    text = record.get("id") if isinstance(record, dict) else None
    return _canonical_id(text) if isinstance(text, str) else None


@lru_cache(maxsize=1024)
def _canonical_id(text: str) -> str | None:
    """Asked several times for each record of a batch (its checks, its answer)."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def _alone(records: list) -> set[int]:
    """The places of the records whose id and household no other record of the batch has:
    a new one of them can wait to be written with the others (a resend of a record in the
    same batch, or a second record of its household, must meet it stored)."""
    ids = Counter(map(_record_id, filter(None, records)))
    households = Counter(record["household_id"] for record in records if record is not None)
    return {index for index, record in enumerate(records) if record is not None
            and ids[_record_id(record)] == 1 and households[record["household_id"]] == 1}


def _write_pending(batch: Batch, records: list, answers: list[dict]) -> None:
    """Write the new records that waited, in one savepoint; if that fails (a record of theirs
    stored by a concurrent request since the batch looked), receive each on its own."""
    if not batch.pending:
        return
    try:
        with db.session.begin_nested():
            batch.pending.write()
    except Exception:
        for index in batch.pending_at:
            answers[index] = _ingest_in_savepoint(batch, records[index], batch.facts[index], None)


def _ingest_in_savepoint(batch: Batch, record, facts, pending: NewRecords | None) -> dict:
    record_id = _record_id(record)
    try:
        try:
            with db.session.begin_nested():
                return _ingest_one(batch, record, facts, pending)
        except IntegrityError:
            # The same id, or another record of the household, stored by a concurrent request: on a
            # second look it is a duplicate or a conflict.
            batch.known.add(record_id)
            batch.unrecorded.discard(record.get("household_id"))
            with db.session.begin_nested():
                return _ingest_one(batch, record, facts, None)
    except Refused as refused:
        return {"id": record_id, "result": "invalid", "issues": refused.issues}
    except Exception:
        current_app.logger.exception("Sync ingest failed for record %s", record_id)
        return _error(record_id)


def _error(record_id: str | None) -> dict:
    return {"id": record_id, "result": "error",
            "message": _("服务器出现故障，暂时无法保存这条记录；手机会重试几次，仍不成功时请联系管理员。")}


def _ingest_one(batch: Batch, record, facts, pending: NewRecords | None) -> dict:
    incoming = _parse(batch, record, facts.people if facts else None)
    if incoming.household_id not in batch.in_scope:
        raise Refused([issue("household_id", "not_in_scope", _("该户不在您负责的范围内。"))])
    stored = receive(batch.user, batch.campaign, incoming, known=incoming.id in batch.known,
                     assignee_id=batch.assignees.get(incoming.household_id),
                     unrecorded=incoming.household_id in batch.unrecorded,
                     evaluate=lambda: _evaluate(batch, incoming, facts), pending=pending,
                     complete_files=batch.complete_files)
    # Stored now (until the batch's commit fails): a resend of it in this batch is looked up by
    # its id, and another new record of the household meets this one.
    batch.known.add(incoming.id)
    batch.unrecorded.discard(incoming.household_id)
    if stored.outcome == "created":
        batch.changed.add(batch.households[incoming.household_id].village_id)
    return _answer(stored, incoming.id)


def _evaluate(batch: Batch, incoming: Incoming, facts) -> dict:
    # A household in scope always has its facts (read with the batch's): evaluate never reads them again.
    result = census.evaluate(batch.households[incoming.household_id], batch.campaign, incoming.answers,
                             incoming.definition, facts)
    errors = [item for item in result["issues"] if item["severity"] == "error"]
    if errors:
        raise Refused([issue(item["path"], item["code"], item["message"]) for item in errors])
    return {"income": result["income"], "screening": result["screening"], "issues": result["issues"]}


def _answer(stored: Stored, record_id: str) -> dict:
    """The result under the id the phone sent; a second record of a household also names the
    household's record (``record``) it is kept beside."""
    answer = {"id": record_id, "result": stored.outcome, "revision": stored.revision, "status": stored.status}
    if stored.outcome == "conflict":
        second = {"record": stored.record_id} if stored.kind == "household_recorded" else {}
        return {**answer, "kind": stored.kind, **second, "diff": stored.diff}
    return {**answer, "complete": not stored.missing, "missing_attachments": stored.missing}


def _parse(batch: Batch, record, people: dict | None) -> Incoming:
    """The record's fields, or Refused listing every field the server will not take; its
    shape has passed app.sync.schema. ``people``: its people, found with the batch's facts."""
    issues = []
    record_id = _record_id(record)
    if record_id is None:
        issues.append(issue("id", "malformed", schema.message("id")))
    version = record["form_version"]
    definition = _definition(batch, version)
    if definition is None:
        issues.append(issue("form_version", "unknown_form_version",
                             _("未知的调查表版本“%(version)s”。", version=version)))
    answers = record["answers"]
    if definition is not None:
        issues += [issue(path, "malformed", _("记录的结构不正确，无法检查。"))
                   for path in validation.malformed(definition, answers)]
    found, attachment_issues = _attachments(record.get("attachments", []))
    issues += attachment_issues
    if issues:
        raise Refused(issues)
    return Incoming(record_id, record["household_id"], version, definition, record.get("base_revision"), answers,
                    record.get("client_result"), found, people)


def _definition(batch: Batch, version: str) -> dict | None:
    if version not in batch.definitions:
        batch.definitions[version] = definitions.get(version)
    return batch.definitions[version]


def _attachments(listed) -> tuple[tuple[tuple[str, str], ...], list[dict]]:
    """(sha256, kind) of each declared file, and the issues: at most one signature and five
    photos, each file once, declared types and sizes the upload will accept."""
    found, issues = [], []
    for index, item in enumerate(listed):
        path = f"attachments[{index}]"
        if item.get("content_type", CONTENT_TYPES[0]) not in CONTENT_TYPES:
            issues.append(issue(path, "attachment_type", attachments.wrong_type_message()))
        if item.get("size", 0) > attachments.MAX_BYTES:
            issues.append(issue(path, "attachment_too_large", attachments.too_large_message()))
        found.append((item["sha256"], item["kind"]))
    kinds = [kind for _sha256, kind in found]
    if kinds.count("signature") > 1:
        issues.append(issue("attachments", "too_many_signatures", _("每条记录只能有一个签名。")))
    if kinds.count("photo") > MAX_PHOTOS:
        issues.append(issue("attachments", "too_many_photos", _("每条记录最多 %(max)s 张照片。", max=MAX_PHOTOS)))
    if len({sha256 for sha256, _kind in found}) != len(found):
        issues.append(issue("attachments", "attachment_repeated", _("同一个文件在记录中出现了两次。")))
    return tuple(found), issues
