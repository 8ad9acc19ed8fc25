"""Department-warning verbs: the only code that imports a list, makes and moves clues. Each
move checks the area (outside it: not found), the workflow table (role and state) and the
optimistic lock, then writes exactly one ClueEvent beside the change.

An import is all or nothing: while any row has a problem nothing is written. A file already
imported (its SHA-256) changes nothing; a warning already stored (department, person, what,
when) from another file is not stored again. Matching is set-based: the persons are looked
up among the members of every household in the county by their key, a chunk of keys per
query; then the clues (one per household, with the household's enumerator), the rows and
the events are each written in one batch (COPY on PostgreSQL: app.sql.insert_rows).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from app import clock, errors
from app.campaigns.models import Assignment, Campaign
from app.census.services import current_campaign
from app.clues import checks, workflow
from app.clues.models import Clue, ClueEvent, Department, WarningList, WarningRow
from app.codes import N_
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.files.cells import Problem
from app.files.sheets import Sheet
from app.households.models import Member
from app.households.scope import check_in_scope
from app.monitoring import services as monitoring
from app.records import attachments
from app.sql import commit_versioned, insert_rows

MAX_TEXT = 2000
CHUNK = 5000  # keys per IN (...): under every database's limit on bound parameters
CHANNEL = "department_warning"
VISIT_CHANNEL = "duty_visit"


class StaleVersion(errors.StaleVersion):
    """Someone changed the clue since the page was loaded."""

    message = N_("该线索已被他人处理，请刷新后重试。")


@dataclass
class Report:
    """What an import found (a dry run's too): every bad row, and the counts the CLI prints."""

    rows_read: int = 0
    rows_with_errors: int = 0
    households_matched: int = 0
    persons_not_found: int = 0
    rows_already_imported: int = 0
    clues: int = 0
    problems: list[Problem] = field(default_factory=list)
    file_already_imported: bool = False
    warning_list: WarningList | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def department(code: str | None) -> Department:
    found = db.session.get(Department, code) if code else None
    if found is None or not found.active:
        raise InvalidInput("department", _("请选择预警部门。"))
    return found


def _dues(campaign: Campaign | None, pushed_on: dt.date) -> dict[str, dt.date]:
    days = {} if campaign is None else {"verify": campaign.clue_verify_days,
                                        "village_review": campaign.clue_village_review_days,
                                        "township_review": campaign.clue_township_review_days}
    return workflow.due_dates(pushed_on, days)


def _chunks(values: list):
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _stored_identities(department_code: str, drafts: list[checks.Draft]) -> set[tuple]:
    found = set()
    for chunk in _chunks(sorted({draft.person_key for draft in drafts})):
        found.update(tuple(row) for row in db.session.execute(
            select(WarningRow.person_key, WarningRow.reason, WarningRow.event_date)
            .where(WarningRow.department_code == department_code, WarningRow.person_key.in_(chunk))))
    return found


def import_list(actor, sheet: Sheet, department_code: str | None, file_name: str, digest: str, *,
                dry_run: bool = False, today: dt.date | None = None,
                count: Callable[[Iterable], Iterable] = iter) -> Report:
    """Check a list and (unless ``dry_run``, and only when no row has a problem) import it:
    its rows, matched to households, and a clue per household, pushed today and assigned
    to the household's enumerator in the current campaign when it has one. ``count`` sees
    each row go by as it is checked (the import job's progress)."""
    today = today or clock.today()
    chosen = department(department_code)
    parsed = checks.parse(sheet, today, count)
    report = Report(rows_read=parsed.rows_read, problems=parsed.problems,
                    rows_with_errors=len({problem.row for problem in parsed.problems}))
    if db.session.scalar(select(WarningList.id).where(WarningList.department_code == chosen.code,
                                                      WarningList.file_hash == digest)) is not None:
        report.file_already_imported = True
        report.rows_already_imported = parsed.rows_read
        return report
    if not report.ok:
        return report
    stored = _stored_identities(chosen.code, parsed.drafts)
    new = [draft for draft in parsed.drafts if draft.identity not in stored]
    report.rows_already_imported = len(parsed.drafts) - len(new)
    if not new:
        return report
    campaign = current_campaign()
    warning_list = WarningList(department_code=chosen.code, file_name=file_name[:255], file_hash=digest,
                               pushed_on=today, rows_read=parsed.rows_read, rows_matched=0, rows_not_found=0,
                               rows_already_imported=report.rows_already_imported, uploaded_by_id=actor.id)
    db.session.add(warning_list)
    db.session.flush()
    found = _members(sorted({draft.person_key for draft in new}))
    households = sorted({found[draft.person_key][1] for draft in new if draft.person_key in found})
    clue_of = _push_clues(warning_list, campaign, households, actor)
    insert_rows(db.session.connection(), WarningRow.__table__, [
        {"list_id": warning_list.id, "department_code": chosen.code, "row_number": draft.row,
         "id_number": draft.id_number, "person_key": draft.person_key, "name": draft.name, "reason": draft.reason,
         "event_date": draft.event_date, "amount_fen": draft.amount_fen, "note": draft.note,
         "member_id": found.get(draft.person_key, (None, None))[0],
         "household_id": found.get(draft.person_key, (None, None))[1],
         "clue_id": clue_of.get(found.get(draft.person_key, (None, None))[1])} for draft in new])
    warning_list.rows_matched = sum(draft.person_key in found for draft in new)
    warning_list.rows_not_found = len(new) - warning_list.rows_matched
    report.households_matched = report.clues = len(clue_of)
    report.persons_not_found = len({draft.person_key for draft in new} - set(found))
    report.warning_list = warning_list
    if dry_run:
        db.session.rollback()
        report.warning_list = None
    else:
        db.session.commit()
    return report


def _members(keys: list[str]) -> dict[str, tuple[int, int]]:
    """Person key → (member, household), among every household of the county: one indexed
    lookup per chunk of keys, never one per row."""
    found = {}
    for chunk in _chunks(keys):
        found.update((key, (member, household)) for key, member, household in db.session.execute(
            select(Member.person_key, Member.id, Member.household_id).where(Member.person_key.in_(chunk))))
    return found


def _push_clues(warning_list: WarningList, campaign: Campaign | None, household_ids: list[int],
                actor) -> dict[int, int]:
    """A clue per household, assigned to its enumerator in the campaign when it has one, each
    with its push (and assign) event; household → clue."""
    assignee = {}
    if campaign is not None:
        for chunk in _chunks(household_ids):
            assignee.update(db.session.execute(
                select(Assignment.household_id, Assignment.enumerator_id)
                .where(Assignment.campaign_id == campaign.id, Assignment.household_id.in_(chunk))).all())
    if not household_ids:
        return {}
    due = _dues(campaign, warning_list.pushed_on)
    clues = Clue.__table__
    insert_rows(db.session.connection(), clues, [
        {"household_id": household, "list_id": warning_list.id, "campaign_id": campaign.id if campaign else None,
         "state": "assigned" if household in assignee else "pushed", "version": 1,
         "assignee_id": assignee.get(household), "pushed_on": warning_list.pushed_on, "verify_due": due["verify"],
         "village_review_due": due["village_review"], "township_review_due": due["township_review"],
         "result_reason": "", "result_note": ""} for household in household_ids])
    made = db.session.execute(select(clues.c.id, clues.c.household_id).where(clues.c.list_id == warning_list.id)).all()
    events = [{"clue_id": clue, "actor_id": actor.id, "action": workflow.PUSH, "from_state": None,
               "to_state": "pushed"} for clue, _household in made]
    events += [{"clue_id": clue, "actor_id": actor.id, "action": "assign", "from_state": "pushed",
                "to_state": "assigned"} for clue, household in made if household in assignee]
    insert_rows(db.session.connection(), ClueEvent.__table__, events)
    return {household: clue for clue, household in made}


def raise_from_visit(actor, household, note: str, today: dt.date) -> Clue:
    """入户排查发现: a risk a cadre found on a duty visit becomes a clue on the household, pushed
    today with the campaign's limits and assigned to the household's enumerator when it has
    one (else the village assigns it), with its events. The caller commits."""
    campaign = current_campaign()
    enumerator = db.session.scalar(select(Assignment.enumerator_id).where(
        Assignment.campaign_id == campaign.id, Assignment.household_id == household.id)) if campaign else None
    due = _dues(campaign, today)
    clue = Clue(household_id=household.id, channel=VISIT_CHANNEL, note=note,
                campaign_id=campaign.id if campaign else None,
                state="assigned" if enumerator else "pushed", assignee_id=enumerator, pushed_on=today,
                verify_due=due["verify"], village_review_due=due["village_review"],
                township_review_due=due["township_review"], result_reason="", result_note="")
    db.session.add(clue)
    db.session.flush()
    db.session.add(ClueEvent(clue_id=clue.id, actor_id=actor.id, action=workflow.PUSH, from_state=None,
                             to_state="pushed", reason=note))
    if enumerator:
        db.session.add(ClueEvent(clue_id=clue.id, actor_id=actor.id, action="assign", from_state="pushed",
                                 to_state="assigned", changes={"assignee": [None, enumerator]}))
    return clue


# --- moving a clue ------------------------------------------------------------------------

def _text(value: str | None, field_name: str, *, required: bool, message: str | None = None) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InvalidInput(field_name, message or _("请写明原因。"))
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(field_name, _("不能超过 %(max)s 个字。", max=MAX_TEXT))
    return cleaned


def _move(actor, clue: Clue, action: str, expected_version: int | None, *, reason: str | None = None,
          changes: dict | None = None, client_id: str | None = None) -> ClueEvent:
    """Check area, lock and table; move the clue and add its event (the caller commits)."""
    check_in_scope(actor, clue.household)
    if expected_version is not None and clue.version != expected_version:
        raise StaleVersion()
    from_state = clue.state
    to_state = workflow.transition(from_state, action, actor.role)
    if workflow.rule(from_state, action).needs_reason:
        reason = _text(reason, "reason", required=True)
    clue.state = to_state
    event = ClueEvent(clue_id=clue.id, actor_id=actor.id, action=action, from_state=from_state, to_state=to_state,
                      reason=reason or None, changes=changes, client_id=client_id)
    db.session.add(event)
    return event


def _commit() -> None:
    commit_versioned(db.session, StaleVersion)


def assign(actor, clue: Clue, assignee, expected_version: int) -> ClueEvent:
    """Give the clue to an enumerator or village cadre who covers its household."""
    if assignee is None or not assignee.active or assignee.role not in (workflow.ENUMERATOR, workflow.VILLAGE):
        raise InvalidInput("assignee", _("请选择核查人。"))
    check_in_scope(assignee, clue.household)
    event = _move(actor, clue, "assign", expected_version, changes={"assignee": [clue.assignee_id, assignee.id]})
    clue.assignee_id = assignee.id
    _commit()
    return event


def verify(actor, clue: Clue, *, result: str | None, reason: str | None, note: str | None,
           expected_version: int | None = None, client_id: str | None = None, photo_sha256: object = None,
           today: dt.date | None = None) -> ClueEvent:
    """The visit's result (核查结果). From a phone ``client_id`` names this verification: sent
    again, it is found and nothing changes (the caller answers "duplicate")."""
    if result not in workflow.RESULTS:
        raise InvalidInput("result", _("请选择核查结果。"))
    reason = _text(reason, "reason", required=result in workflow.NEEDS_REASON, message=_("无风险时请写明理由。"))
    note = _text(note, "note", required=result in workflow.NEEDS_NOTE,
                 message=_("查无此人或已迁出时请写明情况。"))
    photo_sha256 = _photo(photo_sha256)
    if actor.role == workflow.ENUMERATOR and clue.assignee_id != actor.id:
        raise workflow.RoleNotAllowed(clue.state, "verify", actor.role)
    event = _move(actor, clue, "verify", expected_version, reason=reason or note, client_id=client_id,
                  changes={"result": result})
    clue.result, clue.result_reason, clue.result_note = result, reason, note
    clue.photo_sha256 = photo_sha256
    clue.verified_on = today or clock.today()
    clue.verified_by_id = actor.id
    _commit()
    return event


def _photo(sha256) -> str | None:
    """The verification's photo (核查照片): a file the server already holds whole. The phone
    sends the result only once its photo is up, so a missing one is refused, never kept
    pointing at nothing."""
    if sha256 is None or sha256 == "":
        return None
    if not isinstance(sha256, str) or not attachments.SHA256.fullmatch(sha256):
        raise InvalidInput("photo_sha256", _("核查照片的标识无效，请重新拍摄。"))
    if attachments.missing([sha256]):
        raise InvalidInput("photo_sha256", _("核查照片还没有传到服务器：请联网同步，照片传完后再发送核查结果。"))
    return sha256


def result_sent(client_id: str) -> ClueEvent | None:
    """The verification a phone already sent under this id, if any."""
    return db.session.scalar(select(ClueEvent).where(ClueEvent.client_id == client_id))


def village_review(actor, clue: Clue, expected_version: int, *, reason: str | None = None,
                   category: str | None = None, risk_types: list[str] | None = None) -> ClueEvent:
    """村研判: the village confirms the verification. A risk found starts the identification
    procedure (channel "department warning", clue date = the push) for a household not yet
    monitored, or updates the risk types of one that is; both in this one step."""
    event = _move(actor, clue, "village_review", expected_version, reason=reason)
    if clue.result != workflow.RISK_FOUND:
        _commit()
        return event
    household = clue.household
    campaign = clue.campaign or current_campaign()
    if campaign is None:
        db.session.rollback()
        raise InvalidInput(None, _("没有普查批次，无法申报。"))
    try:
        if household.monitored_category:
            monitoring.update_risk_types(actor, household, campaign, risk_types or [], reason)
        else:
            started = monitoring.propose_identification(
                actor, household, campaign, channel=clue.channel, category=category, risk_types=risk_types or [],
                note=reason, clue_date=clue.pushed_on)
            clue.proposal_id = started.proposal_id
            _commit()
    except DomainError:
        db.session.rollback()  # the clue stays verified: nothing of this step is kept
        raise
    return event


def act(actor, clue: Clue, action: str, expected_version: int, *, reason: str | None = None,
        today: dt.date | None = None) -> ClueEvent:
    """Any other move: send back, the township's approve, return, refer, conclude."""
    if action in ("assign", "verify", "village_review"):
        raise workflow.IllegalTransition(clue.state, action)
    event = _move(actor, clue, action, expected_version, reason=reason)
    if action in ("approve", "refer", "return"):
        clue.reviewed_by_id = actor.id
    if clue.state == "closed":
        clue.closed_on = today or clock.today()
    if action == "send_back":
        clue.result, clue.verified_on, clue.verified_by_id = None, None, None
    _commit()
    return event
