"""Record verbs (记录): the only code that stores a census record, adds its revisions and
conflicts, or changes its review status. Each review verb checks the area (outside it: not
found), the workflow table (role and state) and the optimistic lock, then writes exactly one
ReviewEvent beside the change; ``receive`` stores what a phone sent (app.sync parses it and
shapes the answer).

What must always hold (docs/sync.md):
- A record is known by the id the phone gave it, forever: one Submission per id, in the
  household it was made for; and one Submission per household per campaign (a unique
  constraint too): a second record of a household is kept as a conflict copy beside the
  first ("household_recorded"), for the village to keep the first or take the second.
- A stored revision is never changed. Different content under a known id becomes a new
  revision only when it corrects the current revision of a *returned* record (its
  ``base_revision`` is that revision); anything else is kept as a SyncConflict beside
  the record, for the enumerator and the reviewer to compare.
- The same content (the SHA-256 of canonical JSON, app.records.canonical) sent again is a
  duplicate: a success that stores nothing.
- Only errors refuse a record. Warnings, explained or not, are stored in the server's
  result for the reviewer: some (an ID registered in another household) only the server
  can see, so the phone could never have explained them.
- A submission is ``complete`` when every file its current revision refers to is on the
  server (app.records.attachments keeps this true when a file arrives after its record).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import insert, select

from app import clock, errors
from app.campaigns.models import Campaign
from app.census import definitions, validation
from app.census import services as census
from app.codes import N_
from app.errors import InvalidInput
from app.extensions import db
from app.households import people
from app.households.models import RecordPerson
from app.households.scope import check_in_scope
from app.records import attachments, queries, workflow
from app.records.canonical import canonical_text, field_diff, text_sha256
from app.records.models import (
    ReviewComment,
    ReviewEvent,
    RevisionAttachment,
    Submission,
    SubmissionRevision,
    SyncConflict,
    people_rows,
    summary,
)
from app.records.results import results_differ
from app.sql import JsonText, commit_versioned, insert_rows, insert_statement


class StaleVersion(errors.StaleVersion):
    """Someone changed the record since the reviewer loaded it."""

    message = N_("该记录已被他人修改，请刷新后重试。")


class Refused(errors.DomainError):
    """The record is invalid; ``issues`` say why, field by field ({path, code, message})."""

    def __init__(self, issues: list[dict]):
        super().__init__(issues)
        self.issues = issues


def issue(path: str, code: str, message: str) -> dict:
    return {"path": path, "code": code, "message": message}


# Receiving a record from a phone ----------------------------------------------------------------

@dataclass(frozen=True)
class Incoming:
    """A record as a phone sent it, its shape already checked (app.sync.ingest)."""

    id: str
    household_id: int
    form_version: str
    definition: dict
    base_revision: int | None
    answers: dict
    client_result: dict | None
    attachments: tuple[tuple[str, str], ...]  # (sha256, kind)
    people: dict[str, bool] | None = None  # people_of(answers) when the caller found them already


@dataclass(frozen=True)
class Stored:
    """What became of a received record: ``created`` (a new record or revision),
    ``duplicate`` or ``conflict`` (of ``kind``, with ``diff`` against the stored revision);
    ``record_id``, ``revision`` and ``status`` are the stored record's (for a second record
    of a household, the household's record)."""

    outcome: str
    record_id: str
    revision: int
    status: str
    missing: list[str] = field(default_factory=list)  # files not yet on the server
    diff: list[dict] = field(default_factory=list)
    kind: str = "content"


def _stored(outcome: str, submission: Submission, **details) -> Stored:
    return Stored(outcome, submission.id, submission.revision, submission.status, **details)


def receive(actor, campaign, incoming: Incoming, *, known: bool, assignee_id: int | None, unrecorded: bool = False,
            evaluate: Callable[[], dict], pending: NewRecords | None = None,
            complete_files: set[str] | None = None) -> Stored:
    """Store ``incoming`` as a new record, a correction of a returned one, a duplicate or a
    conflict; the caller commits. ``known``: a record with this id may be stored (it is then
    read and locked); ``assignee_id``: who the household is assigned to in ``campaign``
    (None: it is not in the campaign), the only user who may store a revision of its record;
    ``unrecorded``: the
    caller read, in this transaction, that the household has no record in ``campaign`` (one
    stored since makes the insert fail on the unique constraint; the caller then asks again
    without it); ``evaluate`` gives the server's result (income, screening, issues), and is
    asked only when a revision is to be stored. Raises Refused for a record that cannot be
    stored. ``pending``: a new record is added there, to be written with others (NewRecords).
    ``complete_files``: the files among the record's that the caller read complete in this
    transaction (None: they are read here). A new record of a household ``unrecorded`` whose
    id is not ``known`` is then received without a statement.

    A new record is written with Core statements, not the ORM's unit of work (which costs
    more than checking and computing the record): no flush sees it, so the caller moves its
    village's figures on (app.figures.mark_changed)."""
    submission = db.session.get(Submission, incoming.id, with_for_update=True, populate_existing=True) \
        if known else None
    if submission is not None and submission.household_id != incoming.household_id:
        raise Refused([issue("id", "id_taken", _("该记录编号已被另一户的记录使用。"))])
    # Encoded once: for the content hash, and as the stored answers of a new record.
    encoded = canonical_text(incoming.answers)
    content = text_sha256(encoded)
    current = submission and queries.current_revision(submission)
    if current is not None and current.content_sha256 == content:
        return _stored("duplicate", submission,
                       missing=attachments.missing_by_revision([current.id]).get(current.id, []))
    if current is not None and not (submission.status == "returned" and incoming.base_revision == submission.revision):
        return _conflict(actor, incoming, content, submission, current, "content")

    if campaign is None or assignee_id is None:
        raise Refused([issue("household_id", "not_in_campaign", _("该户不在当前普查批次中。"))])
    if assignee_id != actor.id:
        # A village reviewer may collect too, but a household's record is its assignee's to send.
        raise Refused([issue("household_id", "not_assigned",
                             _("该户在本批次中分配给了其他普查员，只有该普查员可以提交它的记录。"))])
    if submission is None and not unrecorded:
        recorded = queries.household_record(incoming.household_id, campaign.id)
        if recorded is not None and recorded.id == incoming.id:
            # This very record, stored since the caller looked (a resend racing the first copy).
            return receive(actor, campaign, incoming, known=True, assignee_id=assignee_id, evaluate=evaluate,
                           complete_files=complete_files)
        if recorded is not None:
            return _conflict(actor, incoming, content, recorded, queries.current_revision(recorded),
                             "household_recorded")
    server_result = evaluate()
    files_missing = attachments.missing([sha256 for sha256, _kind in incoming.attachments], complete_files)
    if submission is None:
        if incoming.base_revision is not None:
            raise Refused([issue("base_revision", "unknown_base", _("服务器上没有这条记录，无法作为更正提交。"))])
        rows = pending if pending is not None else NewRecords()
        stored = rows.add(actor, campaign, incoming, content, server_result, files_missing, JsonText(encoded))
        if pending is None:
            rows.write()
        return stored
    submission.revision += 1  # the resubmit event names the revision it brings
    try:
        record_transition(actor, submission, "resubmit")
    except workflow.WorkflowError as error:
        raise Refused([issue("id", "not_allowed", _(error.message))]) from None
    submission.result_mismatch = results_differ(incoming.client_result, server_result)
    submission.complete = not files_missing
    db.session.add(SubmissionRevision(
        submission=submission, number=submission.revision, answers=incoming.answers, content_sha256=content,
        form_version=incoming.form_version, client_result=incoming.client_result, server_result=server_result,
        base_revision=incoming.base_revision, enumerator_id=actor.id,
        attachments=[RevisionAttachment(sha256=sha256, kind=kind) for sha256, kind in incoming.attachments]))
    db.session.flush()  # once, so that a new revision moves the version on by exactly one
    return _stored("created", submission, missing=files_missing)


class NewRecords:
    """New records' rows, written together by ``write`` with one executemany per table, as
    the ORM and its flush hooks would write them (the summary columns, the people of the
    current revision). ``receive`` adds a new record here when the caller passes one instead
    of writing it at once; the caller then writes them, and if that fails (a record stored
    since it looked), receives each again on its own."""

    def __init__(self):
        self.submissions: list[dict] = []
        self.revisions: list[dict] = []
        self.attachments: dict[str, list[dict]] = {}  # record id → its files' rows, less the revision id
        self.people: list[dict] = []

    def __len__(self) -> int:
        return len(self.submissions)

    def add(self, actor, campaign, incoming: Incoming, content: str, server_result: dict,
            files_missing: list[str], encoded: JsonText) -> Stored:
        """``encoded``: the answers' canonical text (app.records.canonical), stored as it is."""
        # Every row made before any is added: a record that fails here leaves none behind.
        submission = {
            "id": incoming.id, "household_id": incoming.household_id, "campaign_id": campaign.id,
            "enumerator_id": actor.id, "revision": 1, "status": "submitted", "version": 1,
            "result_mismatch": results_differ(incoming.client_result, server_result), "complete": not files_missing,
            **summary(server_result)}
        revision = {
            "submission_id": incoming.id, "number": 1,
            "answers": encoded,
            "content_sha256": content,
            "form_version": incoming.form_version, "client_result": incoming.client_result,
            "server_result": server_result, "base_revision": None, "enumerator_id": actor.id}
        people = people_rows(incoming.id, incoming.household_id, campaign.id, incoming.answers, incoming.people)
        self.submissions.append(submission)
        self.revisions.append(revision)
        if incoming.attachments:
            self.attachments[incoming.id] = [{"sha256": sha256, "kind": kind} for sha256, kind in incoming.attachments]
        self.people += people
        return Stored("created", incoming.id, 1, "submitted", missing=files_missing)

    def write(self) -> None:
        """No flush sees these rows: the caller moves their villages' figures on
        (app.figures.mark_changed)."""
        if not self.submissions:
            return
        connection = db.session.connection()
        insert_rows(connection, Submission.__table__, self.submissions)
        revisions = SubmissionRevision.__table__
        if not self.attachments:  # no row needs the revisions' ids
            insert_rows(connection, revisions, self.revisions)
        else:
            statement, parameters = insert_statement(connection, revisions, self.revisions)
            revision_of = dict(connection.execute(statement.returning(
                revisions.c.submission_id, revisions.c.id, sort_by_parameter_order=True), parameters).all())
            connection.execute(insert(RevisionAttachment.__table__), [
                {"revision_id": revision_of[record_id], **row}
                for record_id, rows in self.attachments.items() for row in rows])
        insert_rows(connection, RecordPerson.__table__, self.people)


def _conflict(actor, incoming: Incoming, content: str, submission: Submission, current: SubmissionRevision,
              kind: str) -> Stored:
    """Keep the received copy beside the record (once per content, resolved or not: a phone
    resending a lost answer adds nothing) and show where they differ."""
    record_id = incoming.id if kind == "household_recorded" else None
    known = db.session.scalar(select(SyncConflict.id).where(
        SyncConflict.submission_id == submission.id, SyncConflict.content_sha256 == content,
        SyncConflict.kind == kind, SyncConflict.record_id.is_(None) if record_id is None
        else SyncConflict.record_id == record_id))
    if known is None:
        db.session.add(SyncConflict(
            submission_id=submission.id, kind=kind, record_id=record_id, answers=incoming.answers,
            content_sha256=content, form_version=incoming.form_version, base_revision=incoming.base_revision,
            client_result=incoming.client_result, attachments=[list(pair) for pair in incoming.attachments],
            enumerator_id=actor.id))
    return _stored("conflict", submission, diff=field_diff(current.answers, incoming.answers), kind=kind)


# Review ---------------------------------------------------------------------------------------

def record_transition(actor, submission: Submission, action: str, reason: str | None = None) -> ReviewEvent:
    """Move ``submission`` by ``action`` and add its event; the caller commits."""
    to_state = workflow.transition(submission.status, action, actor.role)
    event = ReviewEvent(submission_id=submission.id, revision=submission.revision, actor_id=actor.id, action=action,
                        from_state=submission.status, to_state=to_state, reason=reason)
    submission.status = to_state
    db.session.add(event)
    return event


def _act(actor, submission: Submission, action: str, expected_version: int, reason: str | None = None,
         comments: dict[str, str] | None = None, change: Callable[[], None] | None = None) -> ReviewEvent:
    """Check, move ``submission`` by ``action`` with its event, make the ``change`` that goes
    with it, and commit: all or nothing."""
    check_in_scope(actor, submission.household)
    if submission.version != expected_version:
        raise StaleVersion()
    workflow.transition(submission.status, action, actor.role)  # role and state first: they decide 403/409
    if workflow.rule(submission.status, action).needs_reason and not (reason or comments):
        raise InvalidInput("comments", _("退回或重新打开记录时必须写明原因。"))
    if change is not None:
        change()
    event = record_transition(actor, submission, action, reason)
    for path, text in (comments or {}).items():
        db.session.add(ReviewComment(submission_id=submission.id, revision=submission.revision, path=path,
                                     text=text, reviewer_id=actor.id))
    commit_versioned(db.session, StaleVersion)
    return event


def _clean_comments(comments) -> dict[str, str]:
    if not isinstance(comments, dict) or not all(isinstance(key, str) and isinstance(value, str)
                                                 for key, value in comments.items()):
        raise InvalidInput("comments", _("审核意见应为“字段路径: 意见”的对象。"))
    cleaned = {path.strip(): text.strip() for path, text in comments.items() if path.strip() and text.strip()}
    if any(len(path) > 200 for path in cleaned):
        raise InvalidInput("comments", _("字段路径太长。"))
    return cleaned


def approve_record(actor, submission: Submission, expected_version: int) -> ReviewEvent:
    """Approve, unless someone in the record is found in another household (一人一户, checked
    now: the other side may have been resolved since the record came, or arisen since)."""
    def one_household():
        numbers = households_elsewhere(submission)
        if numbers:
            raise InvalidInput(None, _(
                "记录中有人也登记在其他农户（户编号 %(households)s）中；须先在一方处理（迁出或更正）才能通过。",
                households="、".join(numbers)))
    return _act(actor, submission, "approve", expected_version, change=one_household)


def households_elsewhere(submission: Submission) -> list[str]:
    """The numbers of the other households where a person living in the record is found."""
    found = people.elsewhere(submission.campaign_id,
                             [(submission.household_id, queries.current_revision(submission).answers)])[0]
    return sorted({number for numbers in found.values() for number in numbers})


def return_record(actor, submission: Submission, comments: dict[str, str], expected_version: int) -> ReviewEvent:
    """Return to the enumerator with at least one comment on a field."""
    return _act(actor, submission, "return", expected_version, comments=_clean_comments(comments))


def reopen_record(actor, submission: Submission, reason: str, expected_version: int) -> ReviewEvent:
    """The township sends an approved record back to the village's review, saying why."""
    return _act(actor, submission, "reopen", expected_version, reason=(reason or "").strip() or None)


def keep_stored(actor, conflict: SyncConflict, expected_version: int) -> ReviewEvent:
    """The village keeps the stored record; the copy stays on file, resolved as kept."""
    return _act(actor, conflict.submission, "keep_stored", expected_version,
                change=lambda: _resolve(actor, conflict, "kept"))


def take_copy(actor, conflict: SyncConflict, expected_version: int) -> ReviewEvent:
    """The village takes the copy as the record's next revision (evaluated again by the
    server, as if just received), to be reviewed again."""
    submission = conflict.submission

    def add_revision():
        _resolve(actor, conflict, "taken")
        server_result = _evaluate_copy(conflict)
        submission.revision += 1
        submission.result_mismatch = results_differ(conflict.client_result, server_result)
        files = [tuple(pair) for pair in conflict.attachments or ()]
        submission.complete = not attachments.missing([sha256 for sha256, _kind in files])
        db.session.add(SubmissionRevision(
            submission=submission, number=submission.revision, answers=conflict.answers,
            content_sha256=conflict.content_sha256, form_version=conflict.form_version,
            client_result=conflict.client_result, server_result=server_result,
            base_revision=submission.revision - 1, enumerator_id=conflict.enumerator_id,
            attachments=[RevisionAttachment(sha256=sha256, kind=kind) for sha256, kind in files]))

    return _act(actor, submission, "take_copy", expected_version, change=add_revision)


def _resolve(actor, conflict: SyncConflict, resolution: str) -> None:
    if conflict.resolved:
        raise workflow.IllegalTransition(conflict.resolution, resolution)
    conflict.resolved, conflict.resolution = True, resolution
    conflict.resolved_by_id, conflict.resolved_at = actor.id, clock.now()


def _evaluate_copy(conflict: SyncConflict) -> dict:
    """The server's result for a conflict copy; a copy with errors cannot become the record."""
    submission = conflict.submission
    definition = definitions.get(conflict.form_version)
    if definition is None or validation.malformed(definition, conflict.answers):
        raise InvalidInput(None, _("这份记录的调查表版本或结构无法识别，不能采用。"))
    campaign = db.session.get(Campaign, submission.campaign_id)
    household = submission.household
    facts = census.facts_for(campaign, [(household, conflict.answers)],
                             {household.id: queries.per_capita(queries.last_year(campaign, household))})[0]
    result = census.evaluate(household, campaign, conflict.answers, definition, facts)
    errors = [item["message"] for item in result["issues"] if item["severity"] == "error"]
    if errors:
        raise InvalidInput(None, _("这份记录还有错误，不能采用：%(errors)s", errors="；".join(errors)))
    return {"income": result["income"], "screening": result["screening"], "issues": result["issues"]}


# Why bulk approval leaves a record for a reviewer to open (message ids).
NOT_BULK_APPROVED = {
    "errors": N_("有错误"),
    "unexplained": N_("有未说明的提醒"),
    "flags": N_("有风险标记"),
    "stale": N_("已被他人修改"),
    "state": N_("当前状态不能通过"),
    "elsewhere": N_("有人也登记在其他农户"),
}


@dataclass
class BulkApproval:
    approved: list[str] = field(default_factory=list)  # household numbers
    left: list[tuple[str, list[str]]] = field(default_factory=list)  # (household number, reason codes)


def bulk_approve(actor, versions: dict[str, int]) -> BulkApproval:
    """Approve each selected record (id → the version the reviewer saw) that has no errors,
    no unexplained warnings and no flags; each approval is its own event and commit. The
    others are left, with why. Records outside the actor's areas are not found, so not touched."""
    workflow.transition("submitted", "approve", actor.role)  # a role that may not approve: RoleNotAllowed
    outcome = BulkApproval()
    for candidate in queries.approval_candidates(actor, list(versions)):
        reasons = [reason for reason, count in (("errors", candidate.errors), ("unexplained", candidate.unexplained),
                                                ("flags", candidate.flags)) if count]
        if households_elsewhere(candidate.submission):
            reasons.append("elsewhere")
        if not reasons:
            try:
                approve_record(actor, candidate.submission, versions[candidate.submission.id])
            except StaleVersion:
                reasons = ["stale"]
            except workflow.WorkflowError:
                reasons = ["state"]
        if reasons:
            outcome.left.append((candidate.household_number, reasons))
        else:
            outcome.approved.append(candidate.household_number)
    return outcome
