"""Review verbs: the only code that changes a submission's status, apart from ingest's
resubmit. Each checks the area (outside it: not found), the workflow table (role and
state) and the optimistic lock, then writes exactly one ReviewEvent beside the change."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound

from app.auth.scope import scope_of
from app.codes import N_
from app.extensions import db
from app.invalid import InvalidInput
from app.review import queries, workflow
from app.review.models import ReviewComment, ReviewEvent
from app.sync.models import Submission


class StaleVersion(Exception):
    """Someone changed the record since the reviewer loaded it."""


def record_transition(actor, submission: Submission, action: str, reason: str | None = None) -> ReviewEvent:
    """Move ``submission`` by ``action`` and add its event; the caller commits."""
    to_state = workflow.transition(submission.status, action, actor.role)
    event = ReviewEvent(submission_id=submission.id, revision=submission.revision, actor_id=actor.id, action=action,
                        from_state=submission.status, to_state=to_state, reason=reason)
    submission.status = to_state
    db.session.add(event)
    return event


def _act(actor, submission: Submission, action: str, expected_version: int, reason: str | None = None,
         comments: dict[str, str] | None = None) -> ReviewEvent:
    household = submission.household
    if not scope_of(actor).covers(household.village_id, household.group_id):
        raise NotFound()
    if submission.version != expected_version:
        raise StaleVersion()
    workflow.transition(submission.status, action, actor.role)  # role and state first: they decide 403/409
    if workflow.rule(submission.status, action).needs_reason and not (reason or comments):
        raise InvalidInput("comments", _("退回或重新打开记录时必须写明原因。"))
    event = record_transition(actor, submission, action, reason)
    for path, text in (comments or {}).items():
        db.session.add(ReviewComment(submission_id=submission.id, revision=submission.revision, path=path,
                                     text=text, reviewer_id=actor.id))
    try:
        db.session.commit()  # the version column makes a concurrent change fail here
    except StaleDataError:
        db.session.rollback()
        raise StaleVersion() from None
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
    return _act(actor, submission, "approve", expected_version)


def return_record(actor, submission: Submission, comments: dict[str, str], expected_version: int) -> ReviewEvent:
    """Return to the enumerator with at least one comment on a field."""
    return _act(actor, submission, "return", expected_version, comments=_clean_comments(comments))


def reopen_record(actor, submission: Submission, reason: str, expected_version: int) -> ReviewEvent:
    """The township sends an approved record back to the village's review, saying why."""
    return _act(actor, submission, "reopen", expected_version, reason=(reason or "").strip() or None)


# Why bulk approval leaves a record for a reviewer to open (message ids).
NOT_BULK_APPROVED = {
    "errors": N_("有错误"),
    "unexplained": N_("有未说明的提醒"),
    "flags": N_("有风险标记"),
    "stale": N_("已被他人修改"),
    "state": N_("当前状态不能通过"),
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
