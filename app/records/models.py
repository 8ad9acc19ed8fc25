"""Tables of the census record.

A ``Submission`` is one census record, keyed by the id the phone gave it. Every version of
its content ever accepted is a ``SubmissionRevision``; a copy that disagreed with the
stored record without being a correction of it is a ``SyncConflict``; its files are
``Attachment`` rows (``RevisionAttachment`` says which revision refers to which). Its review
is a history of ``ReviewEvent``s, and a return's comments are ``ReviewComment``s on the
revision returned. Nothing here is ever overwritten: revisions, conflicts, events and
comments are only added.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    event,
    func,
    insert,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.sql.expression import false

from app.auth.models import User
from app.dbtypes import created_at_column, values_check
from app.extensions import db
from app.households.models import Household, RecordPerson
from app.households.people import people_of
from app.records.workflow import ACTIONS, STATES

ATTACHMENT_KINDS = ("signature", "photo")
# What a conflict copy is: the same record (same id) with other content, or a second record
# (another id) of a household that already has one in the campaign.
CONFLICT_KINDS = ("content", "household_recorded")
RESOLUTIONS = ("kept", "taken")
CONTENT_TYPES = ("image/jpeg", "image/png")


class Submission(db.Model):
    """提交记录: one census record of one household in one campaign, as the phone named it.

    ``version`` is the optimistic lock: every change through the ORM bumps it, and a
    reviewer acting on an older version gets a conflict instead of overwriting."""

    __tablename__ = "submission"
    __table_args__ = (
        values_check("status", STATES, "status_code"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        # One census record per household per campaign (a second arrives as a conflict copy).
        UniqueConstraint("household_id", "campaign_id", name="uq_submission_household_campaign"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the phone's crypto.randomUUID()
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    enumerator_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    result_mismatch: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    complete: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                    onupdate=func.now())
    # The current revision's server result in figures (see ``summary``; set on every flush
    # that adds the current revision): what queues filter on and dashboards add up, read
    # without parsing JSON or joining the revision.
    per_capita_net_income: Mapped[int | None] = mapped_column(BigInteger)
    household_size: Mapped[int | None] = mapped_column(Integer)  # who per-capita income is over
    last_year_per_capita_net_income: Mapped[int | None] = mapped_column(BigInteger)
    flag_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    unexplained_warning_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    household: Mapped[Household] = relationship()
    enumerator: Mapped[User] = relationship()
    revisions: Mapped[list[SubmissionRevision]] = relationship(
        back_populates="submission", order_by="SubmissionRevision.number")

    __mapper_args__ = {"version_id_col": version}


class SubmissionRevision(db.Model):
    """One accepted content of a submission, with the phone's result and the server's."""

    __tablename__ = "submission_revision"
    __table_args__ = (
        UniqueConstraint("submission_id", "number", name="uq_submission_revision_submission_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"))
    number: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str] = mapped_column(String(32))
    client_result: Mapped[dict | None] = mapped_column(JSON)
    server_result: Mapped[dict] = mapped_column(JSON)  # income, screening and issues
    base_revision: Mapped[int | None] = mapped_column(Integer)
    enumerator_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    received_at: Mapped[dt.datetime] = created_at_column()

    submission: Mapped[Submission] = relationship(back_populates="revisions")
    attachments: Mapped[list[RevisionAttachment]] = relationship(cascade="all, delete-orphan")


def summary(server_result: dict | None) -> dict:
    """A record's summary columns, from its current revision's server result."""
    income = (server_result or {}).get("income") or {}
    issues = (server_result or {}).get("issues") or []
    return {
        "per_capita_net_income": income.get("per_capita_net_income"),
        "household_size": income.get("household_size"),
        "last_year_per_capita_net_income": income.get("last_year_per_capita_net_income"),
        "flag_count": len(((server_result or {}).get("screening") or {}).get("flags") or []),
        "error_count": sum(1 for issue in issues if issue.get("severity") == "error"),
        "unexplained_warning_count": sum(1 for issue in issues
                                         if issue.get("severity") == "warning" and not issue.get("explained")),
    }


def summarise_current_revisions(session, _context, _instances) -> None:
    """A revision is only ever added, and the record's figures change only when one is added
    as its current revision: copy them then, in the same flush (so the record's version
    moves on once). A ``before_flush`` hook, registered by ``app.records.init_app``."""
    for revision in session.new:
        if isinstance(revision, SubmissionRevision) and revision.submission is not None \
                and revision.number == revision.submission.revision:
            for column, value in summary(revision.server_result).items():
                setattr(revision.submission, column, value)


def list_people_of_current_revisions(session, _context) -> None:
    """``record_person`` lists the people of every record's current revision (one person,
    one household: app.households.people). Rewritten in the flush that adds a current
    revision, with Core statements once the rows they refer to are written: ORM objects for
    a record's five or so people cost more than the rest of its flush. An ``after_flush``
    hook, registered by ``app.records.init_app``."""
    connection = session.connection()
    table = RecordPerson.__table__
    for revision in session.new:
        if isinstance(revision, SubmissionRevision) and revision.number == revision.submission.revision:
            submission = revision.submission
            if revision.number > 1:  # a record's first revision has no people listed yet
                connection.execute(delete(table).where(table.c.submission_id == submission.id))
            rows = people_rows(submission.id, submission.household_id, submission.campaign_id, revision.answers)
            if rows:
                connection.execute(insert(table), rows)


def people_rows(submission_id: str, household_id: int, campaign_id: int, answers: dict,
                people: dict[str, bool] | None = None) -> list[dict]:
    """The ``record_person`` rows of a record whose current revision has ``answers``
    (``people``: their people_of, when the caller has it)."""
    return [{"submission_id": submission_id, "person_key": key, "household_id": household_id,
             "campaign_id": campaign_id, "present": present}
            for key, present in (people_of(answers) if people is None else people).items()]


HOOKS = (("before_flush", summarise_current_revisions), ("after_flush", list_people_of_current_revisions))


def listen() -> None:
    """Register the hooks on every session (once, however many apps are made)."""
    for name, hook in HOOKS:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


class SyncConflict(db.Model):
    """同步冲突: a copy that disagreed with the stored record, kept beside it (never thrown away)
    until the village keeps the stored record or takes the copy as its next revision.

    ``kind`` "content": the record itself (same id) came with other content; the copy is of
    the same record. "household_recorded": a second record (``record_id``, the phone's id)
    of a household that already has ``submission`` in the campaign."""

    __tablename__ = "sync_conflict"
    __table_args__ = (
        values_check("kind", CONFLICT_KINDS, "kind_code"),
        CheckConstraint(f"resolution IS NULL OR resolution IN ({', '.join(map(repr, RESOLUTIONS))})",
                        name="resolution_code"),
        CheckConstraint("resolved = (resolution IS NOT NULL) AND resolved = (resolved_at IS NOT NULL)",
                        name="resolved_iff_resolution"),
        CheckConstraint("(kind = 'household_recorded') = (record_id IS NOT NULL)", name="record_id_iff_second_record"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24), default="content", server_default="content")
    record_id: Mapped[str | None] = mapped_column(String(36), index=True)
    answers: Mapped[dict] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str] = mapped_column(String(32))
    base_revision: Mapped[int | None] = mapped_column(Integer)
    client_result: Mapped[dict | None] = mapped_column(JSON)
    attachments: Mapped[list | None] = mapped_column(JSON)  # [[sha256, kind], …] the copy declared
    enumerator_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    received_at: Mapped[dt.datetime] = created_at_column()
    resolved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    resolution: Mapped[str | None] = mapped_column(String(8))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    submission: Mapped[Submission] = relationship()
    enumerator: Mapped[User] = relationship(foreign_keys=[enumerator_id])


class Attachment(db.Model):
    """附件: a file (signature or photo) addressed by its SHA-256, received in chunks."""

    __tablename__ = "attachment"
    __table_args__ = (
        values_check("content_type", CONTENT_TYPES, "content_type_allowed"),
        CheckConstraint("received >= 0 AND received <= size", name="received_within_size"),
        CheckConstraint("NOT complete OR received = size", name="complete_when_received"),
    )

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(32))
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    complete: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = created_at_column()


class RevisionAttachment(db.Model):
    """Which file a revision refers to, and as what. The file may arrive before or after."""

    __tablename__ = "revision_attachment"
    __table_args__ = (
        values_check("kind", ATTACHMENT_KINDS, "kind_code"),
    )

    revision_id: Mapped[int] = mapped_column(ForeignKey("submission_revision.id", ondelete="CASCADE"),
                                             primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(16))


class ReviewEvent(db.Model):
    """审核记录: one transition of one submission (append-only)."""

    __tablename__ = "review_event"
    __table_args__ = (
        values_check("action", ACTIONS, "action_code"),
        values_check("from_state", STATES, "from_state_code"),
        values_check("to_state", STATES, "to_state_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = created_at_column()

    actor: Mapped[User] = relationship()


class ReviewComment(db.Model):
    """审核意见: a reviewer's comment on one field of one revision."""

    __tablename__ = "review_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submission.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime] = created_at_column()

    reviewer: Mapped[User] = relationship()
