"""Monitoring verbs: the only code that changes a proposal, records a "not proposed"
decision, declares an assistance measure or marks it carried out, or sets a household's monitored category. Each checks
the area (outside it: not found), the workflow table (role and state) and the optimistic
lock, then writes exactly one MonitoringEvent beside the change."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, update

from app import clock, errors
from app.campaigns.models import Campaign
from app.codes import (
    ASSISTANCE_MEASURE,
    CATEGORY_HOUSEHOLD_TYPES,
    CLUE_CHANNEL,
    ELIMINATION_KIND,
    HOUSEHOLD_TYPE,
    MONITORED_CATEGORY,
    N_,
)
from app.errors import InvalidInput
from app.extensions import db
from app.households.models import Household
from app.households.scope import check_in_scope
from app.monitoring import elimination, queries, workflow
from app.monitoring.models import (
    NATIONAL,
    NATIONAL_ENTRY,
    AssessmentDecision,
    AssistanceMeasure,
    MonitoringEvent,
    Objection,
    Proposal,
)
from app.records.models import Submission
from app.records.queries import approved_on
from app.sql import commit_versioned

MAX_TEXT = 2000


class StaleVersion(errors.StaleVersion):
    """Someone changed the proposal since the page was loaded."""

    message = N_("该申报已被他人修改，请刷新后重试。")


class NotEligible(errors.DomainError):
    """A §11 precondition of risk elimination does not hold (``unmet`` says which)."""

    def __init__(self, unmet: list[elimination.Unmet]):
        super().__init__([item.code for item in unmet])
        self.unmet = unmet


def _village_only(actor) -> None:
    if actor.role not in workflow.VILLAGE:
        raise workflow.RoleNotAllowed(None, None, actor.role)


def _text(value: str | None, field: str, *, required: bool, message: str | None = None) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InvalidInput(field, message)
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(field, _("不能超过 %(max)s 个字。", max=MAX_TEXT))
    return cleaned


def _past_date(value: dt.date | None, field: str, today: dt.date) -> dt.date:
    if value is None:
        raise InvalidInput(field, _("请填写日期。"))
    if value > today:
        raise InvalidInput(field, _("日期不能晚于今天。"))
    return value


def _event(actor, household: Household, action: str, *, proposal: Proposal | None = None,
           from_state: str | None = None, to_state: str | None = None, reason: str | None = None,
           on_date: dt.date | None = None, changes: dict | None = None) -> MonitoringEvent:
    event = MonitoringEvent(household_id=household.id, proposal=proposal, actor_id=actor.id, action=action,
                            from_state=from_state, to_state=to_state, reason=reason or None, on_date=on_date,
                            changes=changes)
    db.session.add(event)
    return event


def _commit() -> None:
    commit_versioned(db.session, StaleVersion)


def _start(actor, household: Household, kind: str) -> None:
    """What every new proposal needs: the area, the role, and no other proposal under way."""
    check_in_scope(actor, household)
    workflow.transition(workflow.NEW, "propose", actor.role, kind)
    if queries.open_proposal(household) is not None:
        raise InvalidInput(None, _("该户已有进行中的申报，请先办结。"))


def _risk_types(campaign: Campaign, risk_types: list[str]) -> list[str]:
    """1 to 5 codes of the campaign's risk-type table, each once, in the order given."""
    chosen = list(dict.fromkeys(risk_types))
    if not 1 <= len(chosen) <= 5 or not set(chosen) <= queries.risk_type_codes(campaign):
        raise InvalidInput("risk_types", _("请选择 1 至 5 项风险类型。"))
    return chosen


def _check_category(category: str, household: Household) -> None:
    """The category fits the household's type as it is now (§8, §10)."""
    fits = CATEGORY_HOUSEHOLD_TYPES[category]
    if household.household_type not in fits:
        raise InvalidInput("category", _("%(category)s只适用于%(types)s，该户是%(type)s。",
                                         category=MONITORED_CATEGORY.label(category),
                                         types="、".join(HOUSEHOLD_TYPE.label(kind) for kind in fits),
                                         type=HOUSEHOLD_TYPE.label(household.household_type)))


def _create(actor, household: Household, campaign: Campaign, **fields) -> MonitoringEvent:
    proposal = Proposal(household=household, campaign=campaign, state="proposed", created_by_id=actor.id, **fields)
    db.session.add(proposal)
    event = _event(actor, household, "propose", proposal=proposal, to_state="proposed")
    _commit()
    return event


def propose_identification(actor, household: Household, campaign: Campaign, *, channel: str, category: str | None,
                           risk_types: list[str], note: str | None, clue_date: dt.date | None = None,
                           submission: Submission | None = None, today: dt.date | None = None) -> MonitoringEvent:
    """Propose a household for identification: from a flagged approved record
    (``visit_screening``, ``submission`` given) or from another clue channel with its date."""
    today = today or clock.today()
    _start(actor, household, "identification")
    if household.monitored_category:
        raise InvalidInput(None, _("该户已是监测对象。"))
    if channel not in CLUE_CHANNEL.values:
        raise InvalidInput("channel", _("请选择线索来源。"))
    if (channel == "visit_screening") != (submission is not None):
        raise InvalidInput("channel", _("入户排查发现的线索须从村级研判名单申报。"))
    if submission is not None:
        if submission.household_id != household.id or submission.status != "approved":
            raise InvalidInput(None, _("只能根据审核通过的本户调查记录申报。"))
        clue_date = approved_on(submission)
    else:
        clue_date = _past_date(clue_date, "clue_date", today)
    problem = queries.consent_problem(household, submission)
    if problem:
        raise InvalidInput(None, problem)
    if category not in MONITORED_CATEGORY.values:
        raise InvalidInput("category", _("请选择监测对象类别。"))
    _check_category(category, household)
    chosen = _risk_types(campaign, risk_types)
    note = _text(note, "note", required=True, message=_("请填写申报说明。"))
    return _create(actor, household, campaign, kind="identification", channel=channel, category=category,
                   risk_types=chosen, note=note, clue_date=clue_date, source_submission=submission)


def propose_elimination(actor, household: Household, campaign: Campaign, *, channel: str, note: str | None,
                        today: dt.date | None = None) -> MonitoringEvent:
    """Propose the end of a household's monitoring, only when every §11 condition holds."""
    today = today or clock.today()
    _start(actor, household, "elimination")
    if not household.monitored_category:
        raise InvalidInput(None, _("该户不是监测对象。"))
    if channel not in ELIMINATION_KIND.values:
        raise InvalidInput("channel", _("请选择风险消除方式。"))
    unmet = elimination.unmet(queries.elimination_facts(household, campaign, today))
    if unmet:
        raise NotEligible(unmet)
    note = _text(note, "note", required=True, message=_("请填写申报说明。"))
    return _create(actor, household, campaign, kind="elimination", channel=channel,
                   category=household.monitored_category, risk_types=[], note=note, clue_date=today)


def enter_from_national_system(actor, entries: list[tuple[int, str, dt.date]]) -> None:
    """Households the national system already identified (household id, category, the day of
    its decision) enter the lifecycle as an approved identification of channel "national
    system", with no campaign, appraisal or notice here, each with its event; the household
    is monitored from then on. For households the lifecycle has decided nothing about (the
    roster import checks), in the caller's transaction: the import is all or nothing."""
    proposals, events = Proposal.__table__, MonitoringEvent.__table__
    rows = [{"household_id": household_id, "campaign_id": None, "kind": "identification", "channel": NATIONAL,
             "category": category, "risk_types": [], "note": "", "state": "approved", "version": 1,
             "clue_date": since, "decided_date": since, "created_by_id": actor.id}
            for household_id, category, since in entries]
    created = db.session.execute(insert(proposals).returning(proposals.c.id, proposals.c.household_id,
                                                             proposals.c.decided_date, sort_by_parameter_order=True),
                                 rows).all()
    db.session.execute(insert(events), [{"household_id": household_id, "proposal_id": proposal_id,
                                         "actor_id": actor.id, "action": NATIONAL_ENTRY, "to_state": "approved",
                                         "on_date": since} for proposal_id, household_id, since in created])
    households = Household.__table__
    db.session.execute(update(households).where(households.c.id == bindparam("household"))
                       .values(monitored_category=bindparam("category")),
                       [{"household": household_id, "category": category} for household_id, category, _ in entries])


def act(actor, proposal: Proposal, action: str, expected_version: int, *, reason: str | None = None,
        on_date: dt.date | None = None, today: dt.date | None = None) -> MonitoringEvent:
    """Move ``proposal`` by ``action`` (any but propose), with its reason or date when the
    table asks for one."""
    today = today or clock.today()
    household = proposal.household
    check_in_scope(actor, household)
    if proposal.version != expected_version:
        raise StaleVersion()
    campaign = proposal.campaign
    from_state = proposal.state
    to_state = workflow.transition(from_state, action, actor.role, proposal.kind,
                                   county_approval=campaign.county_approval_enabled)
    allowed = workflow.rule(from_state, action, proposal.kind)
    message = _("请填写异议内容。") if action == "object" else _("请写明原因。")
    reason = _text(reason, "reason", required=allowed.needs_reason, message=message) or None
    if allowed.needs_date:
        on_date = _past_date(on_date, "on_date", today)
        earliest = getattr(proposal, allowed.not_before)
        if on_date < earliest:
            raise InvalidInput("on_date", _("日期不能早于 %(date)s。", date=earliest.isoformat()))
    else:
        on_date = None
    if allowed.after_notice:
        workflow.check_notice(proposal.notice_start, campaign.public_notice_days, today)
    if action == "reverse" and household.monitored_category:
        raise InvalidInput(None, _("该户已重新纳入监测，不能撤销此前的风险消除。"))
    if proposal.kind == "identification" and action == "approve":
        _check_category(proposal.category, household)  # the household's type may have changed since
    if proposal.kind == "elimination" and to_state == "approved":
        # §11 must still hold on the day of the decision, not only on the day it was proposed.
        unmet = elimination.unmet(queries.elimination_facts(household, campaign, today))
        if unmet:
            raise NotEligible(unmet)

    if allowed.date_field:
        setattr(proposal, allowed.date_field, on_date)
    if action == "object":
        db.session.add(Objection(proposal=proposal, received_on=on_date, text=reason, recorded_by_id=actor.id))
    if to_state == "proposed":  # back to the village: appraise and notice again
        proposal.appraisal_date = proposal.notice_start = None
    if reason and action != "object":
        proposal.decision_reason = reason
    if to_state == "approved":
        proposal.decided_date = today
        household.monitored_category = proposal.category if proposal.kind == "identification" else None
    elif to_state == "reversed":
        household.monitored_category = proposal.category
    proposal.state = to_state
    event = _event(actor, household, action, proposal=proposal, from_state=from_state, to_state=to_state,
                   reason=reason, on_date=on_date)
    _commit()
    return event


def _assessable(actor, submission: Submission) -> Household:
    """A flagged approved record the village has not yet resolved, in the actor's area."""
    household = submission.household
    check_in_scope(actor, household)
    _village_only(actor)
    if submission.status != "approved" or not queries.flags_of(submission):
        raise InvalidInput(None, _("只有审核通过且有风险提示的记录需要研判。"))
    if queries.is_resolved(submission):
        raise InvalidInput(None, _("该记录已研判。"))
    return household


def not_proposed(actor, submission: Submission, reason: str | None) -> MonitoringEvent:
    """The village decides not to propose a flagged record, saying why: the flag is resolved."""
    household = _assessable(actor, submission)
    if household.monitored_category:
        raise InvalidInput(None, _("该户已是监测对象：请登记为“已是监测对象”，并更新风险类型和帮扶措施。"))
    reason = _text(reason, "reason", required=True, message=_("不纳入监测时必须写明原因。"))
    db.session.add(AssessmentDecision(submission_id=submission.id, revision=submission.revision, reason=reason,
                                      decided_by_id=actor.id))
    event = _event(actor, household, "not_proposed", reason=reason)
    _commit()
    return event


def already_monitored(actor, submission: Submission, reason: str | None, *,
                      risk_types: list[str] | None = None) -> MonitoringEvent:
    """The village answers a flagged record of a household already monitored: not a new
    proposal, but its risk types (on the identification its monitoring rests on, when
    ``risk_types`` are given) and its assistance brought up to date, as ``reason`` says. The
    flag is resolved; the event names that identification and the risk types it changed."""
    household = _assessable(actor, submission)
    if not household.monitored_category:
        raise InvalidInput(None, _("该户不是监测对象。"))
    reason = _text(reason, "reason", required=True, message=_("请写明更新了哪些风险类型或帮扶措施。"))
    identification = queries.identification_of(household)
    changes = None
    if risk_types:
        chosen = _risk_types(db.session.get(Campaign, submission.campaign_id), risk_types)
        if identification is None:
            raise InvalidInput("risk_types", _("该户没有批准的识别记录，无法更新风险类型。"))
        if chosen != identification.risk_types:
            changes = {"risk_types": [list(identification.risk_types), chosen]}
            identification.risk_types = chosen
    db.session.add(AssessmentDecision(submission_id=submission.id, revision=submission.revision,
                                      outcome="already_monitored", reason=reason, decided_by_id=actor.id))
    event = _event(actor, household, "already_monitored", proposal=identification, reason=reason, changes=changes)
    _commit()
    return event


def update_risk_types(actor, household: Household, campaign: Campaign, risk_types: list[str],
                      reason: str | None) -> MonitoringEvent:
    """A risk found on a household already monitored (a department's warning, verified): its
    identification's risk types brought up to date, as ``reason`` says; an "already
    monitored" event names the identification and the risk types it changed."""
    check_in_scope(actor, household)
    _village_only(actor)
    identification = queries.identification_of(household)
    if not household.monitored_category or identification is None:
        raise InvalidInput(None, _("该户不是监测对象。"))
    chosen = _risk_types(campaign, risk_types)
    reason = _text(reason, "reason", required=True, message=_("请写明更新了哪些风险类型或帮扶措施。"))
    changes = None
    if chosen != identification.risk_types:
        changes = {"risk_types": [list(identification.risk_types), chosen]}
        identification.risk_types = chosen
    event = _event(actor, household, "already_monitored", proposal=identification, reason=reason, changes=changes)
    _commit()
    return event


def _measure_type(measure_type: str | None) -> str:
    if measure_type not in ASSISTANCE_MEASURE.values:
        raise InvalidInput("measure_type", _("请选择帮扶措施类型。"))
    return measure_type


def declare_measure(actor, household: Household, *, measure_type: str | None, declared_on: dt.date | None,
                    note: str | None, today: dt.date | None = None) -> AssistanceMeasure:
    """申报帮扶措施 (§12): a measure declared for a monitored household, on ``declared_on``
    (not in the future); it counts towards elimination only once it is carried out."""
    today = today or clock.today()
    check_in_scope(actor, household)
    _village_only(actor)
    if not household.monitored_category:
        raise InvalidInput(None, _("只能为监测对象申报帮扶措施。"))
    measure = AssistanceMeasure(household_id=household.id, measure_type=_measure_type(measure_type),
                                declared_on=_past_date(declared_on, "declared_on", today),
                                note=_text(note, "note", required=False), recorded_by_id=actor.id)
    db.session.add(measure)
    db.session.flush()
    _event(actor, household, "declare_measure", reason=measure.note, on_date=measure.declared_on,
           changes={"measure": measure.id})
    _commit()
    return measure


def carried_out_date(measure: AssistanceMeasure, carried_out_on: dt.date | None, today: dt.date,
                     field: str = "carried_out_on") -> dt.date:
    """The day a measure was carried out, as a cadre may give it: a day, not in the future and
    not before the measure was declared (else ``InvalidInput`` on ``field``)."""
    day = _past_date(carried_out_on, field, today)
    if day < measure.declared_on:
        raise InvalidInput(field, _("落实日期不能早于申报日期 %(date)s。", date=measure.declared_on.isoformat()))
    return day


def mark_carried_out(actor, measures: list[tuple[AssistanceMeasure, dt.date | None]], today: dt.date, *,
                     visit_id: str | None = None, field=lambda measure: "carried_out_on") -> int:
    """落实帮扶措施: each measure carried out on its day, with its event; the caller commits.
    Every day is checked before anything changes (``field(measure)`` names where a bad day is
    said). A measure already carried out keeps the day it was first recorded (a visit sent
    again, or one that followed the office: nothing changes). From the office the village
    records it; from a visit (``visit_id``), the cadre who made it, within their areas.
    Returns how many measures changed."""
    if visit_id is None:
        _village_only(actor)
    checked = []
    for measure, day in measures:
        check_in_scope(actor, measure.household)
        checked.append((measure, carried_out_date(measure, day, today, field(measure))))
    changed = 0
    for measure, day in checked:
        if measure.carried_out_on is not None:
            continue
        measure.carried_out_on = day
        _event(actor, measure.household, "carry_out_measure", on_date=day,
               changes={"measure": measure.id, **({"visit": visit_id} if visit_id else {})})
        changed += 1
    return changed


def carry_out_measure(actor, measure: AssistanceMeasure, carried_out_on: dt.date | None,
                      today: dt.date | None = None) -> None:
    """The office records that a declared measure was carried out on ``carried_out_on``."""
    if measure.carried_out_on is not None:
        raise InvalidInput(None, _("该帮扶措施已于 %(date)s 落实。", date=measure.carried_out_on.isoformat()))
    mark_carried_out(actor, [(measure, carried_out_on)], today or clock.today())
    _commit()
